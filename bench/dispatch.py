"""Bulk texts through the real `flask scheduler` against a Twilio fake answering in 0.3 s.

Run: .venv/bin/python bench/dispatch.py [--texts N] [--rates 10,40,100]
Prints, per rate: achieved / configured rate (target >= 0.9), the busiest one-second window
(never over the rate) and duplicates (0). SQLite by default; DATABASE_URL for PostgreSQL.
"""

from __future__ import annotations

import argparse
import collections
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.extensions import db  # noqa: E402
from app.factory import create_app  # noqa: E402
from app.models.base import utcnow  # noqa: E402
from messaging.api import NewMessage, enqueue_many  # noqa: E402
from messaging.models import OutboundMessage  # noqa: E402
from tests.fakes.fixtures import TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN  # noqa: E402
from tests.fakes.twilio_api import Answer, FakeTwilioApi  # noqa: E402

LATENCY = 0.3


def busiest_window(times: list[float]) -> int:
    """Return the most requests that arrived within any one second."""
    times, best, start = sorted(times), 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def run(rate: int, texts: int, database_url: str, processes: int) -> str:
    """Queue ``texts`` texts, let the scheduler send them at ``rate``, and describe what happened."""
    fake = FakeTwilioApi().start()
    fake.script.extend(Answer(201, delay=LATENCY) for _ in range(texts * 2))
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
        enqueue_many(
            "sms",
            [NewMessage(to=f"+4479{i:08d}", body=f"Bench text {i}") for i in range(texts)],
            now=utcnow(),
        )
        db.session.commit()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "SMS_", "MAIL_", "FLASK_"))}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="bench",
        PUBLIC_BASE_URL="https://involve.example",
        SMS_QUIET_HOURS="",
        SMS_RATE_PER_SECOND=str(rate),
        TWILIO_ACCOUNT_SID=TWILIO_SID,
        TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
        TWILIO_FROM_NUMBER=TWILIO_FROM,
        TWILIO_API_BASE_URL=fake.url,
        MESSAGING_DISPATCH_SECONDS="1",
        PYTHONPATH=str(ROOT),
    )
    flask = str(Path(sys.executable).with_name("flask"))
    commands = [[flask, "--app", "wsgi", "scheduler"]]
    # Extra dispatchers, each set to the whole rate: the limiter in PostgreSQL holds it between them.
    commands += [[flask, "--app", "wsgi", "messaging", "dispatch", "--loop"]] * (processes - 1)
    procs = [
        subprocess.Popen(c, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
        for c in commands
    ]
    deadline = time.monotonic() + texts / rate * 3 + 60
    try:
        while len(fake.messages()) < texts and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(LATENCY * 3)
    finally:
        interrupted = time.monotonic()
        for proc in procs:
            os.killpg(proc.pid, signal.SIGINT)
        stuck = 0
        for proc in procs:
            try:
                proc.wait(max(0.1, interrupted + 20 - time.monotonic()))
            except subprocess.TimeoutExpired:
                # Said in the figures rather than hanging the bench: a scheduler that ignored SIGINT.
                os.killpg(proc.pid, signal.SIGKILL)
                stuck += 1
        stop_seconds = time.monotonic() - interrupted
        fake.stop()
    arrivals = [r.at for r in fake.messages()]
    per_number = collections.Counter(r.form["To"] for r in fake.messages())
    with app.app_context():
        sent = db.session.query(OutboundMessage).filter(OutboundMessage.status == "sent").count()
        # When each request started, as the dispatcher recorded it (one run's clock).
        starts = [
            at.timestamp()
            for (at,) in db.session.query(OutboundMessage.sent_at).filter(
                OutboundMessage.sent_at.is_not(None)
            )
        ]
        db.session.remove()
    span = max(arrivals) - min(arrivals)
    achieved = (len(arrivals) - 1) / span if span else 0.0
    return (
        f"rate {rate}/s x {processes} process(es): {len(arrivals)} of {texts} texts in {span:.1f} s, "
        f"achieved {achieved:.1f}/s = {achieved / rate:.2f} of configured; busiest 1-s window {busiest_window(arrivals)} "
        f"at the fake ({busiest_window(starts)} of recorded starts); "
        f"duplicates {sum(n - 1 for n in per_number.values())}; recorded sent {sent}; "
        f"stopped {stop_seconds:.1f} s after SIGINT; not stopped in 20 s: {stuck}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=5000)
    parser.add_argument("--rates", default="10,40,100")
    parser.add_argument("--processes", type=int, default=1, help="dispatchers sharing the queue (PostgreSQL)")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/dispatch.sqlite3"
    for rate in (int(r) for r in args.rates.split(",")):
        print(run(rate, args.texts, database_url, args.processes), flush=True)


if __name__ == "__main__":
    main()
