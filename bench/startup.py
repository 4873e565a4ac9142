"""How long `flask` commands take to start, against a bare Flask app's `flask --help` in the same run.

.venv/bin/python bench/startup.py                      # this checkout, 5 alternating runs
.venv/bin/python bench/startup.py --before ../main     # and another checkout, for before/after
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLASK = str(Path(sys.executable).with_name("flask"))
COMMANDS = {
    "--help": ["--app", "wsgi", "--help"],
    "tsm sample-size": ["--app", "wsgi", "tsm", "sample-size", "--population", "7271"],
}


def _time(args: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([FLASK, *args], cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    """Time each command in each tree and the bare baseline, alternately, and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=Path, help="another checkout to time the same way")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare"
        bare.mkdir()
        (bare / "bare.py").write_text("from flask import Flask\n\napp = Flask(__name__)\n")
        # Development settings without Twilio, each run with a fresh instance folder of its own.
        env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_") and k != "FLASK_APP"}
        env["INVOLVE_INSTANCE_PATH"] = str(Path(tmp) / "instance")
        trees = {"after": ROOT, **({"before": options.before.resolve()} if options.before else {})}
        jobs: dict[str, tuple[list[str], Path, dict[str, str]]] = {
            "bare flask --help": (["--app", "bare", "--help"], bare, env)
        }
        for tree, path in trees.items():
            for name, args in COMMANDS.items():
                jobs[f"{tree}: {name}"] = (args, path, {**env, "PYTHONPATH": str(path)})
        times: dict[str, list[float]] = {name: [] for name in jobs}
        for job in jobs.values():
            _time(*job)  # warm the file cache and the .pyc files
        for _ in range(options.runs):
            for name, job in jobs.items():
                times[name].append(_time(*job))
    base = statistics.median(times["bare flask --help"])
    print(f"{'command':<28} {'median':>9} {'vs bare':>8}   runs (s)")
    for name, runs in times.items():
        median = statistics.median(runs)
        print(f"{name:<28} {median:>8.2f}s {median / base:>7.1f}x   {', '.join(f'{t:.2f}' for t in runs)}")
    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
