"""Messaging commands: the scheduler clock, a one-off dispatch and a one-off sweep."""

from __future__ import annotations

import logging
import signal
import time
from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.models.base import utcnow

log = logging.getLogger(__name__)
messaging_cli = AppGroup("messaging", help="Send and sweep the outbox.")


def _stop_on_sigterm() -> None:
    """Make SIGINT and SIGTERM (what Procfile hosts and container runtimes send) a clean stop."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # Explicitly: a process started in the background by a shell inherits SIGINT ignored, and
    # Python then never raises KeyboardInterrupt, so the stop signal would do nothing at all.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupt)


def dispatch_job(now: datetime) -> int:
    """Send what is due (the scheduler's dispatch sweeper)."""
    from messaging.dispatcher import dispatch_due

    # Runs of up to a minute of sending, one after another while more is due: waiting for the next
    # tick between them would leave the provider idle for up to MESSAGING_DISPATCH_SECONDS.
    rate = float(current_app.config.get("SMS_RATE_PER_SECOND", 10))
    limit = max(500, int(rate * 60))
    stopping = current_app.extensions["involve_stopping"]
    started, total = time.monotonic(), 0
    while True:
        report = dispatch_due(now=now, limit=limit)
        total += report.total
        if report.total < limit or stopping.is_set() or time.monotonic() - started > 120:
            return total
        now = utcnow()


@messaging_cli.command("dispatch")
@click.option("--limit", default=500, show_default=True, help="Most messages per channel.")
@click.option("--loop", is_flag=True, help="Keep sending until stopped (an extra dispatcher; no other jobs).")
@click.option("--idle-seconds", default=1.0, show_default=True, help="With --loop: wait when nothing is due.")
def dispatch_command(limit: int, loop: bool, idle_seconds: float) -> None:
    """Send due messages once (or, with --loop, until stopped) and print what happened."""
    from app.extensions import db
    from messaging.dispatcher import dispatch_due

    _stop_on_sigterm()
    while loop:
        try:
            if not dispatch_due(now=utcnow(), limit=limit).total:
                time.sleep(idle_seconds)
        except (KeyboardInterrupt, SystemExit):
            return
        except Exception:
            db.session.rollback()
            log.exception("dispatch failed; trying again")
            time.sleep(idle_seconds)
    report = dispatch_due(now=utcnow(), limit=limit)
    click.echo(
        f"sent {report.sent}, retry {report.retried}, failed {report.failed}, "
        f"suppressed {report.suppressed}, unknown {report.unknown}, held {report.held}"
    )


@messaging_cli.command("sweep")
def sweep_command() -> None:
    """Run every sweeper once."""
    from messaging.scheduler import run_sweepers_once

    for name, done in run_sweepers_once(current_app._get_current_object(), now=utcnow()).items():  # type: ignore[attr-defined]
        click.echo(f"{name}: {done}")


@click.command("scheduler")
@click.option("--wait-seconds", default=30, show_default=True, help="How often a standby retries the lock.")
def scheduler_command(wait_seconds: int) -> None:
    """Run the scheduler clock in the foreground (one active per PostgreSQL database)."""
    from messaging.dispatcher import stop_sending
    from messaging.scheduler import SingleSchedulerLock, build_scheduler, sweepers

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    _stop_on_sigterm()
    lock = SingleSchedulerLock(app)
    while not lock.acquire():
        click.echo("Another scheduler is active; standing by.")
        time.sleep(wait_seconds)
    names = ", ".join(s.name for s in sweepers(app))
    click.echo(f"Scheduler running: {names}")
    scheduler = build_scheduler(app, blocking=True)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        # Running jobs see the stop: a dispatch run records the texts in flight and leaves the rest
        # queued, so the wait below is seconds, not the rest of a long run.
        stop_sending(app)
        scheduler.shutdown(wait=True)
        log.info("scheduler stopped")
    finally:
        lock.release()


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(messaging_cli)
    app.cli.add_command(scheduler_command)
