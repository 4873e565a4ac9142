"""The clock's health: each sweeper's last run, stored so any process can read it."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import Flask, current_app
from sqlalchemy import Executable, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models.base import utcnow
from messaging.models import InboundMessage, OutboundMessage, SweeperRun

# With messages waiting, a clock silent this long is stopped (every sweeper runs at least each minute).
STALLED_AFTER = timedelta(minutes=2)
_runs = SweeperRun.__table__


@lru_cache(maxsize=4)
def _upsert(dialect: str) -> Executable:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(_runs)
    changes = {
        "last_started_at": statement.excluded.last_started_at,
        "last_finished_at": statement.excluded.last_finished_at,
        "last_done": statement.excluded.last_done,
        "last_error": statement.excluded.last_error,
        "runs": _runs.c.runs + 1,
        "process": statement.excluded.process,
        # A failed run keeps the time of the last good one.
        "last_ok_at": func.coalesce(statement.excluded.last_ok_at, _runs.c.last_ok_at),
    }
    return statement.on_conflict_do_update(index_elements=["name"], set_=changes)


def _process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def record_run(name: str, *, started: datetime, finished: datetime, done: int, error: str | None) -> None:
    """Write (and commit) one sweeper's latest run; the caller's own work is already committed."""
    connection = db.session.connection()
    connection.execute(
        _upsert(connection.dialect.name),
        {
            "name": name,
            "last_started_at": started,
            "last_finished_at": finished,
            "last_ok_at": None if error else finished,
            "last_done": done,
            "last_error": error[:500] if error else None,
            "runs": 1,
            "process": _process(),
        },
    )
    db.session.commit()


@dataclass(frozen=True)
class SweeperHealth:
    """One sweeper as the home page shows it."""

    name: str
    seconds: int | None
    last_finished_at: datetime | None
    last_ok_at: datetime | None
    last_done: int
    last_error: str | None
    process: str


@dataclass(frozen=True)
class ClockHealth:
    """Every sweeper's last run, the newest tick of any clock, and whether the clock looks stopped."""

    sweepers: list[SweeperHealth]
    last_tick: datetime | None
    queued: int
    stalled: bool
    # Texts customers sent that the clock has not handled yet.
    unhandled: int = 0


def clock_health(app: Flask, now: datetime) -> ClockHealth:
    """Read the clock's health: the runs table, the count of queued messages and of texts not yet handled."""
    from messaging.scheduler import sweepers

    stored = {row.name: row for row in db.session.scalars(select(SweeperRun))}
    registered = {s.name: s.seconds for s in sweepers(app)}
    rows = [
        SweeperHealth(
            name,
            registered.get(name),
            run.last_finished_at if run else None,
            run.last_ok_at if run else None,
            run.last_done if run else 0,
            run.last_error if run else None,
            run.process if run else "",
        )
        for name in [*registered, *(n for n in sorted(stored) if n not in registered)]
        for run in [stored.get(name)]
    ]
    ticks = [r.last_finished_at for r in rows if r.last_finished_at is not None]
    last_tick = max(ticks) if ticks else None
    queued = db.session.scalar(
        select(func.count()).select_from(OutboundMessage).where(OutboundMessage.status == "queued")
    )
    unhandled = db.session.scalar(
        select(func.count()).select_from(InboundMessage).where(InboundMessage.handled_at.is_(None))
    )
    waiting = bool(queued) or bool(unhandled)
    stalled = waiting and (last_tick is None or now - last_tick > STALLED_AFTER)
    return ClockHealth(rows, last_tick, int(queued or 0), stalled, int(unhandled or 0))


def home_panel() -> ClockHealth:
    """Read the clock's health for the staff home page."""
    return clock_health(current_app._get_current_object(), utcnow())  # type: ignore[attr-defined]
