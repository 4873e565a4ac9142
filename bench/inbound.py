"""Benchmark the inbound SMS webhook under gunicorn against a bare signed-insert Flask app.

Serves the bare app, Involve and Involve's messaging alone side by side, warms each up, then fires
N signed inbound texts (default 2,000) over 32 concurrent keep-alive connections at each in turn,
for several interleaved rounds, so a busy neighbour on the machine slows every app alike. Prints
the median and best throughput of each, the ratio of medians, and checks every text was stored
exactly once. Each app has a fresh SQLite file, or with --database-url a fresh database on that
PostgreSQL server. Run: .venv/bin/python bench/inbound.py [--count N] [--rounds R]
[--concurrency C] [--workers W] [--database-url postgresql+psycopg://user@host:port/db]
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

from cpu import CpuMeter
from inbound_db import BARE_SCHEMA, Databases, bare_url, bare_writer
from inbound_survey import respondent, start_survey
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BARE_TOKEN = "bare-bench-token"
PATH = "/messaging/twilio/sms"
# Threads per gunicorn worker: within the default SQLAlchemy pool (5), so no connection churn.
THREADS = 4
# Texts sent (and not timed) first, so every worker has booted and imported the app: gunicorn
# listens before its workers are ready, and Involve's workers take longer to import than a bare app.
WARMUP = 300


def bare_app() -> object:
    """A Flask app that only checks the signature and inserts the text (SQLite or PostgreSQL)."""
    from flask import Flask, Response, abort, request

    app = Flask("bare")
    base = os.environ["BARE_BASE_URL"]
    validator = RequestValidator(BARE_TOKEN)
    write = bare_writer(bare_url())

    @app.post(PATH)
    def sms() -> Response:
        if not validator.validate(base + PATH, request.form, request.headers.get("X-Twilio-Signature", "")):
            abort(403)
        write(request.form["MessageSid"], request.form["From"], request.form["Body"])
        return Response('<?xml version="1.0" encoding="UTF-8"?><Response/>', mimetype="text/xml")

    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def stranger(i: int) -> tuple[str, str]:
    """A text from a number on no register and in no survey (the cheapest path)."""
    return f"+447911{i % 900000 + 100000:06d}", f"Bench text {i}: the lift on floor 3 is broken again 😀"


def fire(
    port: int,
    base: str,
    token: str,
    count: int,
    concurrency: int,
    tag: str,
    text: object = stranger,
    meter: CpuMeter | None = None,
    settle: object = None,
) -> float:
    """Send ``count`` signed texts over ``concurrency`` connections; return texts per second.

    ``settle`` (Involve's apps) returns once the app has handled every text it stored, and the
    time it takes counts: a text is done when it is answered, not when it is stored. With a
    ``meter``, the CPU each of the app's processes used meanwhile is added to it.
    """
    validator = RequestValidator(token)
    bodies = []
    for i in range(count):
        sender, body = text(i)  # type: ignore[operator]
        params = {
            "MessageSid": f"SM{tag}{i:08d}",
            "From": sender,
            "To": "+447000000001",
            "Body": body,
        }
        signature = validator.compute_signature(base + PATH, params)
        bodies.append((urllib.parse.urlencode(params), signature))
    errors: list[str] = []
    next_index = iter(range(count))
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                break
            body, signature = bodies[i]
            headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
            try:
                conn.request("POST", PATH, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(f"{i}: HTTP {response.status}")
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{i}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    before = meter.sample() if meter else None
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if settle is not None:
        sent = time.perf_counter()
        settle()  # type: ignore[operator]
        print(
            f"DEBUG {tag}: sent {sent - started:.2f}s settled {time.perf_counter() - sent:.2f}s", flush=True
        )
    elapsed = time.perf_counter() - started
    if meter and before:
        meter.add(before, meter.sample(), count)
    if errors:
        raise SystemExit(f"{len(errors)} requests failed, first: {errors[:3]}")
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--no-survey", action="store_true", help="skip the survey-answer round")
    parser.add_argument("--simulator", action="store_true", help="survey round: scheduler sends unpaced")
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL server (postgresql+psycopg://user@host:port/db): every app gets a fresh "
        "database there instead of its own SQLite file",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        dbs = Databases(Path(tmp), args.database_url)
        apps: list[Served] = []
        try:
            apps.append(start_bare(dbs, args))
            # Involve itself on its own fresh database: whole (with the consultations and events
            # receivers), and messaging alone (receivers disconnected).
            apps.append(start_involve(dbs, "whole", "involve webhook", "wsgi:app", args))
            apps.append(start_involve(dbs, "alone", "messaging alone", "inbound:without_receivers()", args))
            if not args.no_survey:
                customers = WARMUP + args.rounds * args.count
                apps.append(start_survey(dbs, customers, args, start_involve))
            for served in apps:
                fire(
                    served.port, served.base, served.token, WARMUP, args.concurrency, "w", served.text(0),
                    settle=served.settle(dbs),
                )  # fmt: skip
                served.meter = CpuMeter(
                    served.proc.pid,
                    {"scheduler": served.extra[0].pid} if served.extra else {},
                    served.db_url.rsplit("/", 1)[1] if dbs.postgres else "",
                )
            for round_no in range(args.rounds):
                for served in apps:
                    rate = fire(
                        served.port, served.base, served.token, args.count, args.concurrency, f"r{round_no}x",
                        served.text(WARMUP + round_no * args.count), served.meter, served.settle(dbs),
                    )  # fmt: skip
                    served.rates.append(rate)
            for served in apps:
                for proc in (served.proc, *served.extra):
                    proc.terminate()
                    proc.wait()
            for served in apps:
                served.rows, served.distinct = dbs.query(served.db_url, served.query)
                if served.surveyed:
                    served.answers = dbs.query(served.db_url, SURVEY_COUNTS)  # type: ignore[assignment]
        finally:
            for served in apps:
                for proc in (served.proc, *served.extra):
                    if proc.poll() is None:
                        proc.terminate()
                        proc.wait()
            dbs.drop_all()

    expected = WARMUP + args.rounds * args.count
    print(f"(after {WARMUP} untimed warm-up texts per app; stored counts include them)")
    print(
        f"texts: {args.count} x {args.rounds} rounds, concurrency: {args.concurrency}, "
        f"gunicorn workers: {args.workers} x {THREADS} threads, "
        f"database: {'PostgreSQL' if dbs.postgres else 'SQLite'}"
    )
    bare = apps[0]
    ok = True
    for served in apps:
        print(
            f"{served.label + ':':19} median {median(served.rates):7.1f} texts/s, best {max(served.rates):7.1f}"
            f"  (stored {served.rows}, distinct {served.distinct})"
            + ("" if served is bare else f"  ratio {median(served.rates) / median(bare.rates):.2f}")
        )
        ok = ok and served.rows == served.distinct == expected
    for served in apps:
        costs = served.meter.per_text() if served.meter else {}
        if costs:
            print(
                f"{'  CPU per text, ' + served.label + ':':40} "
                + ", ".join(f"{name} {ms:.3f} ms" for name, ms in costs.items())
            )
    ratio = median(apps[1].rates) / median(bare.rates)
    print(f"ratio of medians, whole app: {ratio:.2f} (target >= 0.50)")
    survey_ok = True
    if not args.no_survey:
        survey = apps[-1]
        survey_ratio = median(survey.rates) / median(bare.rates)
        answered, completed, participations, replies, sent = survey.answers
        print(
            f"survey answers: {answered} answers stored, {completed} completed, "
            f"{participations} participation rows, {replies} replies queued; the scheduler sent {sent} texts"
        )
        print(f"ratio of medians, survey answers: {survey_ratio:.2f} (target >= 0.50)")
        survey_ok = answered == expected and participations == completed and replies == expected
        ok = ok and survey_ok
        ratio = min(ratio, survey_ratio)
    print(
        "every text stored exactly once" if ok else "MISMATCH: texts lost or stored twice, or answers missing"
    )
    sys.exit(0 if ok and ratio >= 0.5 else 1)


@dataclass
class Served:
    """One app under gunicorn, the rates measured on it and how to count what it stored."""

    label: str
    proc: subprocess.Popen[bytes]
    port: int
    token: str
    db_url: str
    query: str
    rates: list[float] = field(default_factory=list)
    rows: int = 0
    distinct: int = 0
    extra: tuple[subprocess.Popen[bytes], ...] = ()
    surveyed: bool = False
    answers: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
    meter: CpuMeter | None = None

    def settle(self, dbs: Databases) -> object:
        """Return what waits until the app's clock has handled every text it stored (None for the bare app)."""
        if not self.extra:
            return None

        def wait() -> None:
            deadline = time.monotonic() + 300
            with dbs.polling(self.db_url, UNHANDLED) as unhandled:
                while unhandled():
                    if time.monotonic() > deadline:
                        raise SystemExit(f"{self.label}: texts still unhandled after 300 s")
                    time.sleep(0.02)

        return wait

    def text(self, offset: int) -> object:
        """Return what text i of a batch starting at ``offset`` says, and from whom."""
        if not self.surveyed:
            return stranger
        return lambda i: (respondent(offset + i), "1")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


# Texts Involve's webhook stored that its clock (`flask scheduler`) has not handled yet.
UNHANDLED = "SELECT count(*) FROM inbound_messages WHERE handled_at IS NULL"
SURVEY_COUNTS = (
    "SELECT (SELECT count(*) FROM survey_answers),"
    " (SELECT count(*) FROM survey_responses WHERE status = 'completed'),"
    " (SELECT count(*) FROM participations),"
    " (SELECT count(*) FROM outbound_messages WHERE purpose = 'reply'),"
    " (SELECT count(*) FROM outbound_messages WHERE sent_at IS NOT NULL)"
)


def start_bare(dbs: Databases, args: argparse.Namespace) -> Served:
    """Serve the bare baseline on a fresh database: one table, a unique sid."""
    url = dbs.new("bare")
    dbs.execute(url, BARE_SCHEMA["postgresql" if dbs.postgres else "sqlite"])
    port = free_port()
    env = {**os.environ, "BARE_DB_URL": url, "BARE_BASE_URL": f"http://127.0.0.1:{port}"}
    proc = serve("inbound:bare_app()", env, args.workers, port, ROOT / "bench")
    query = "SELECT count(*), count(DISTINCT sid) FROM inbound"
    return Served("bare signed insert", proc, port, BARE_TOKEN, url, query)


def without_receivers() -> object:
    """The Involve app with only messaging's own handler (channel keywords) in the chain."""
    from wsgi import app

    chain = app.extensions["involve_inbound_handlers"]
    for name in [name for name in chain if name != "channel-keywords"]:
        del chain[name]
    return app


def involve_env(db_url: str, port: int) -> dict[str, str]:
    """The settings every Involve process of the bench runs with (the simulator, no quiet hours)."""
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SECRET_KEY": "bench-secret",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "SCHEDULER_ENABLED": "0",
        "INVOLVE_ENV": "development",
        # The dispatcher sends at the default rate whatever the hour the bench runs.
        "SMS_QUIET_HOURS": "",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "bench")]),
    }
    for key in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "MAIL_SERVER"):
        env.pop(key, None)
    return env


def start_involve(
    dbs: Databases,
    name: str,
    label: str,
    target: str,
    args: argparse.Namespace,
    seed: str = "",
    clock: dict[str, str] | None = None,
) -> Served:
    """Serve ``target`` under gunicorn on a fresh database (seeded by ``seed``, Python code), with
    `flask scheduler` beside it (its settings updated by ``clock``) to handle the texts stored."""
    from flask import Flask

    from messaging.webhooks import signing_token

    token_app = Flask("token")
    token_app.config.update(SECRET_KEY="bench-secret")
    db_url = dbs.new(name)
    port = free_port()
    env = involve_env(db_url, port)
    subprocess.run(
        [sys.executable, "-c", "from app.extensions import db; from wsgi import app; app.app_context().push(); db.create_all()"],
        cwd=ROOT,
        env=env,
        check=True,
    )  # fmt: skip
    if seed:
        subprocess.run([sys.executable, "-c", seed], cwd=ROOT, env=env, check=True)
    proc = serve(target, env, args.workers, port, ROOT)
    scheduler = subprocess.Popen(
        [str(Path(sys.executable).parent / "flask"), "--app", target.removesuffix(":app"), "scheduler"],
        cwd=ROOT,
        env={**env, **(clock or {})},
    )
    query = "SELECT count(*), count(DISTINCT message_sid) FROM inbound_messages"
    return Served(label, proc, port, signing_token(token_app), db_url, query, extra=(scheduler,))


def serve(target: str, env: dict[str, str], workers: int, port: int, chdir: Path) -> subprocess.Popen[bytes]:
    """Start gunicorn (gthread workers) on a loopback port and wait until it answers."""
    cmd = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--chdir", str(chdir),
        "-b", f"127.0.0.1:{port}",
        "-w", str(workers),
        "-k", "gthread",
        "--threads", str(THREADS),
        "--log-level", "warning",
        target,
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env)
    wait_for(port, proc)
    return proc


if __name__ == "__main__":
    main()
