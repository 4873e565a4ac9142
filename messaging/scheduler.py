"""The scheduler clock: fixed interval sweepers that ask the database what is due."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask

from app.extensions import db
from app.models.base import utcnow
from messaging.clock import record_run

log = logging.getLogger(__name__)
# pg_try_advisory_lock key: any fixed 64-bit number shared by every scheduler of this product.
ADVISORY_LOCK_KEY = 472_201_101


@dataclass(frozen=True)
class Sweeper:
    """A job the clock runs: func(now) returns how many things it did."""

    name: str
    func: Callable[[datetime], int]
    seconds: int


def _registry(app: Flask) -> dict[str, Sweeper]:
    return app.extensions.setdefault("involve_sweepers", {})


def register_sweeper(app: Flask, name: str, func: Callable[[datetime], int], seconds: int = 30) -> None:
    """Add a job the scheduler clock runs in an app context every ``seconds``; it must be safe to run twice."""
    if seconds < 1:
        raise ValueError("a sweeper must run at most once a second")
    # SCHEDULER_MAX_SECONDS shortens every interval (a test of the real clock, a demo); never over a minute.
    cap = max(1, min(int(app.config.get("SCHEDULER_MAX_SECONDS") or 60), 60))
    _registry(app)[name] = Sweeper(name, func, min(seconds, cap))


def sweepers(app: Flask) -> list[Sweeper]:
    """Return the registered sweepers in registration order."""
    return list(_registry(app).values())


def _run_one(app: Flask, sweeper: Sweeper, now: datetime) -> int:
    """Run one sweeper in a fresh app context and record the run; sweepers commit their own work."""
    with app.app_context():
        started = utcnow()
        try:
            done = int(sweeper.func(now) or 0)
        except Exception as exc:
            db.session.rollback()
            _record(sweeper, started, 0, f"{type(exc).__name__}: {exc}")
            raise
        else:
            _record(sweeper, started, done, None)
            return done
        finally:
            db.session.remove()


def _record(sweeper: Sweeper, started: datetime, done: int, error: str | None) -> None:
    """Store the run for the home page; a failure to record must never stop the clock."""
    try:
        record_run(sweeper.name, started=started, finished=utcnow(), done=done, error=error)
    except Exception:
        db.session.rollback()
        log.warning("could not record the run of sweeper %s", sweeper.name, exc_info=True)


def run_sweepers_once(app: Flask, *, now: datetime) -> dict[str, int]:
    """Run every sweeper once and return how much each did (tests and the CLI call this)."""
    return {sweeper.name: _run_one(app, sweeper, now) for sweeper in sweepers(app)}


def _job(app: Flask, sweeper: Sweeper) -> Callable[[], None]:
    def run() -> None:
        try:
            done = _run_one(app, sweeper, utcnow())
            if done:
                log.info("sweeper %s did %d", sweeper.name, done)
        except Exception:
            log.exception("sweeper %s failed; it runs again next interval", sweeper.name)

    return run


def build_scheduler(app: Flask, *, blocking: bool) -> Any:
    """Build an APScheduler 3 scheduler with one interval job per sweeper."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone="UTC")
    for sweeper in sweepers(app):
        scheduler.add_job(
            _job(app, sweeper),
            "interval",
            seconds=sweeper.seconds,
            id=sweeper.name,
            max_instances=1,
            coalesce=True,
            next_run_time=utcnow(),
        )
    return scheduler


class SingleSchedulerLock:
    """On PostgreSQL, hold an advisory lock so only one scheduler is active; elsewhere always granted."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._conn: Any = None

    def acquire(self) -> bool:
        """Try to take the lock; the connection is held open for as long as we keep it."""
        with self.app.app_context():
            if db.engine.dialect.name != "postgresql":
                return True
            from sqlalchemy import text

            conn = db.engine.connect()
            got = bool(
                conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY}).scalar()
            )
            conn.commit()
            if got:
                self._conn = conn
            else:
                conn.close()
            return got

    def release(self) -> None:
        """Give the lock back."""
        if self._conn is not None:
            from sqlalchemy import text

            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY})
            self._conn.commit()
            self._conn.close()
            self._conn = None


def should_run_in_this_process(app: Flask) -> bool:
    """True only for the serving process of `flask run` with SCHEDULER_ENABLED (never tests or commands)."""
    if not app.config.get("SCHEDULER_ENABLED") or app.testing:
        return False
    import click

    ctx = click.get_current_context(silent=True)
    if ctx is None or ctx.info_name != "run":
        return False
    reload = ctx.params.get("reload")
    if reload is None:
        reload = app.debug
    # With the reloader, the parent only watches files; the child (WERKZEUG_RUN_MAIN) serves.
    return not reload or os.environ.get("WERKZEUG_RUN_MAIN") == "true"


def start_in_thread(app: Flask) -> threading.Thread:
    """Run the clock in a daemon thread of the web server process, once it holds the lock."""

    def main() -> None:
        lock = SingleSchedulerLock(app)
        stop = threading.Event()
        while not lock.acquire():
            log.info("another scheduler holds the lock; waiting")
            if stop.wait(30):
                return
        scheduler = build_scheduler(app, blocking=True)
        log.info("scheduler thread started with %d sweepers", len(sweepers(app)))
        scheduler.start()

    thread = threading.Thread(target=main, name="involve-scheduler", daemon=True)
    thread.start()
    return thread
