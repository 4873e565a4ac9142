"""How long `flask` commands take to start, and `flask demo load` to fill a new database, against a bare Flask
app's `flask --help` in the same run.

.venv/bin/python bench/startup.py                      # this checkout, 5 alternating runs
.venv/bin/python bench/startup.py --before ../main     # and another checkout, for before/after
"""

from __future__ import annotations

import argparse
import os
import resource
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


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _time(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Run one command; return its wall-clock and CPU seconds (CPU time is what load disturbs least)."""
    start, cpu = time.perf_counter(), _cpu()
    subprocess.run([FLASK, *args], cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start, _cpu() - cpu


def _demo_load(cwd: Path, env: dict[str, str], scratch: Path) -> tuple[float, float]:
    """Time `flask demo load` into a database just migrated for it, as `make run` does on a new machine."""
    instance = Path(tempfile.mkdtemp(dir=scratch))
    env = {**env, "INVOLVE_INSTANCE_PATH": str(instance), "DEMO_PASSWORD": "demo password 1"}
    subprocess.run(
        [FLASK, "--app", "wsgi", "db", "upgrade"], cwd=cwd, env=env, check=True, capture_output=True
    )
    return _time(["--app", "wsgi", "demo", "load"], cwd, env)


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
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in jobs}
        for job in jobs.values():
            _time(*job)  # warm the file cache and the .pyc files
        for tree in trees:
            times[f"{tree}: demo load"] = []
        for _ in range(options.runs):
            for name, job in jobs.items():
                times[name].append(_time(*job))
            for tree, path in trees.items():
                demo_env = {**env, "PYTHONPATH": str(path)}
                times[f"{tree}: demo load"].append(_demo_load(path, demo_env, Path(tmp)))
    wall = {name: statistics.median(w for w, _ in runs) for name, runs in times.items()}
    cpu = {name: statistics.median(c for _, c in runs) for name, runs in times.items()}
    bare = "bare flask --help"
    print(f"{'command':<28} {'wall':>7} {'vs bare':>8} {'CPU':>7} {'vs bare':>8}   wall runs (s)")
    for name, runs in times.items():
        print(
            f"{name:<28} {wall[name]:>6.2f}s {wall[name] / wall[bare]:>7.1f}x {cpu[name]:>6.2f}s "
            f"{cpu[name] / cpu[bare]:>7.1f}x   {', '.join(f'{w:.2f}' for w, _ in runs)}"
        )
    print(f"medians of {options.runs}; load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
