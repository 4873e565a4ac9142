"""Run every sweeper over and over for a while: a second clock that takes no lock at all.

The reliability suite starts this beside two `flask scheduler` processes, so due launches,
reminders and sends are raced by several processes on SQLite and on PostgreSQL alike.
Run: python -m tests.reliability.sweep_loop SECONDS
"""

from __future__ import annotations

import logging
import sys
import time

from app.factory import create_app
from app.models.base import utcnow
from messaging.scheduler import run_sweepers_once


def main(seconds: float) -> int:
    """Sweep until ``seconds`` have passed; print the run and failure counts; fail when any sweep failed."""
    app = create_app({"MAIL_TIMEOUT": 5})
    deadline = time.monotonic() + seconds
    runs = failures = 0
    while time.monotonic() < deadline:
        try:
            run_sweepers_once(app, now=utcnow())
        except Exception:
            failures += 1
            logging.exception("sweep failed")
        runs += 1
        time.sleep(0.05)
    print(f"sweeps {runs}, failures {failures}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1])))
