"""The one write path into the ledgers: participation, staff time and costs against an activity.

Every row carries a source key (the survey response, the event register, the SMS, the import
line, the staff entry), so a source writes its rows exactly once and undoing it removes exactly
those rows. Services flush; callers commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Executable, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import bulk_load
from app.extensions import db
from app.models import Activity, Cost, Customer, Participation, StaffTime, StaffUser
from app.models.audit import record
from app.models.involvement import CHANNELS
from app.periods import local_date

COST_KINDS = (
    "venue",
    "catering",
    "print",
    "postage",
    "sms",
    "incentives",
    "travel",
    "training",
    "staff",
    "other",
)


# More staff hours than a day holds on one row is usually a typo (5,000 for 5): ask before recording.
DAY_HOURS = Decimal(24)


LEDGER_MODELS: tuple[type[Any], ...] = (Participation, StaffTime, Cost)
# Key lookups go in batches well under SQLite's limit on bound parameters.
LOOKUP_CHUNK = 900
WRITE_CHUNK = 5000
# COPY batches only set how often progress is told.
COPY_CHUNK = 50_000


def entry_key(kind: str) -> str:
    """Return a fresh source key for one staff entry ("staff:participation:<uuid>")."""
    return f"staff:{kind}:{uuid.uuid4().hex}"


def write_once(model: type[Any], source_key: str, values: Mapping[str, Any], *, now: datetime) -> Any:
    """Add the ledger row for ``source_key`` unless it is stored already; return the row either way."""
    existing = db.session.scalar(select(model).where(model.source_key == source_key))
    if existing is not None:
        return existing
    row = model(source_key=source_key, created_at=now, **values)
    db.session.add(row)
    db.session.flush()
    return row


@lru_cache(maxsize=16)
def _add_once_statement(model: type[Any], names: tuple[str, ...], dialect: str) -> Executable:
    """Build, once per model, columns and dialect, the insert that a stored source key turns into nothing."""
    table = model.__table__
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    values = {name: bindparam(f"v_{name}", type_=table.c[name].type) for name in names}
    return insert(table).values(values).on_conflict_do_nothing(index_elements=["source_key"])


def add_once(model: type[Any], source_key: str, values: Mapping[str, Any], *, now: datetime) -> bool:
    """Insert the ledger row for ``source_key`` in one statement unless it is stored; True when added.

    For hot paths (a completed SMS survey): no read first and no ORM object, and it runs through
    the session so its listeners (the report's input state) see the write.
    """
    row = {"source_key": source_key, "created_at": now, **values}
    names = tuple(row)
    statement = _add_once_statement(model, names, db.session.get_bind().dialect.name)
    result = db.session.execute(statement, {f"v_{name}": value for name, value in row.items()})
    return bool(result.rowcount)


def sync_source(prefix: str, desired: Mapping[str, Mapping[str, Any]], *, now: datetime) -> int:
    """Make the participation rows keyed under ``prefix`` exactly ``desired``; return how many went."""
    existing = {
        row.source_key: row
        for row in db.session.scalars(
            select(Participation).where(Participation.source_key.like(prefix + "%"))
        )
    }
    stale = [key for key in existing if key not in desired]
    if stale:
        db.session.execute(delete(Participation).where(Participation.source_key.in_(stale)))
    for key, values in desired.items():
        row = existing.get(key)
        if row is None:
            db.session.add(Participation(source_key=key, created_at=now, **values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
    db.session.flush()
    return len(stale)


def bulk_add(
    model: type[Any],
    names: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    constants: Mapping[str, Any],
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Insert the rows (tuples in ``names`` order, one ``source_key``) whose key is new; return how many.

    Driver-level batches keep an import at bulk speed (executemany on SQLite, COPY on
    PostgreSQL); the unique source key skips rows stored already. A big load rebuilds the
    table's secondary indexes once at the end instead of keeping them up row by row.
    """
    if not rows:
        return 0
    connection = db.session.connection()
    table = model.__table__
    write = _driver_writer(model, names, constants) or bulk_load.copy_writer(
        connection, table, names, constants
    )
    if write is None:
        return _orm_add(model, names, rows, constants=constants, progress=progress)
    at = list(names).index("source_key")
    stored = bulk_load.stored_keys(connection, table, [row[at] for row in rows])
    fresh = [row for row in rows if row[at] not in stored] if stored else rows
    if not fresh:
        return 0
    # The first row goes through the session, so its listeners (the report's input state) see
    # the load; on SQLite it also opens the transaction that the index rebuild belongs to.
    first = {**constants, **dict(zip(names, fresh[0], strict=True))}
    statement = _add_once_statement(model, tuple(first), connection.dialect.name).returning(model.id)
    # RETURNING counts it: psycopg's rowcount is gone once SQLAlchemy has read the new id.
    added = len(db.session.execute(statement, {f"v_{n}": value for n, value in first.items()}).all())
    # A key another writer stored since the read above is skipped by the insert itself.
    rest = fresh[1:]
    size = COPY_CHUNK if connection.dialect.name == "postgresql" else WRITE_CHUNK
    with bulk_load.indexes_rebuilt_after(connection, table, len(rest)) as rebuilding:
        if rebuilding:
            # In key order the unique key's index grows at one end instead of everywhere at once.
            rest = sorted(rest, key=itemgetter(at))
        for start in range(0, len(rest), size):
            chunk = rest[start : start + size]
            added += write(chunk)
            if progress:
                progress(1 + start + len(chunk), len(fresh))
    return int(added or 0)


def _orm_add(
    model: type[Any],
    names: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    constants: Mapping[str, Any],
    progress: Callable[[int, int], None] | None,
) -> int:
    """Look up which keys are stored, then insert the rest through Core executemany batches."""
    at = list(names).index("source_key")
    stored: set[str] = set()
    for start in range(0, len(rows), LOOKUP_CHUNK):
        keys = [row[at] for row in rows[start : start + LOOKUP_CHUNK]]
        stored.update(
            db.session.execute(select(model.source_key).where(model.source_key.in_(keys))).scalars()
        )
    fresh = [row for row in rows if row[at] not in stored] if stored else list(rows)
    statement = model.__table__.insert()
    for start in range(0, len(fresh), WRITE_CHUNK):
        chunk = fresh[start : start + WRITE_CHUNK]
        db.session.execute(statement, [{**constants, **dict(zip(names, row, strict=True))} for row in chunk])
        if progress:
            progress(start + len(chunk), len(fresh))
    return len(fresh)


def _driver_writer(
    model: type[Any], names: Sequence[str], constants: Mapping[str, Any]
) -> bulk_load.Writer | None:
    """Return a writer that hands rows straight to SQLite's executemany, or None to use another path.

    Building each row's parameters costs SQLAlchemy more than SQLite takes to store it; the
    rows pass through the same column types' bind processors, so what is stored is the same.
    """
    return bulk_load.sqlite_writer(db.session.connection(), model.__table__, names, constants)


def undo_source(key: str, *, prefix: bool = False) -> int:
    """Remove exactly the ledger rows one source wrote (its key, or every key under a prefix)."""
    removed = 0
    for model in LEDGER_MODELS:
        match = model.source_key.like(key + "%") if prefix else model.source_key == key
        removed += db.session.execute(delete(model).where(match)).rowcount or 0
    db.session.flush()
    return removed


class LedgerError(ValueError):
    """A ledger or activity change cannot be made; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class Logged:
    """What a participation entry wrote and what it left out."""

    rows: list[Participation] = field(default_factory=list)
    already: list[str] = field(default_factory=list)


def _check_common(day: date, channel: str, hours: Decimal, today: date) -> None:
    if channel not in CHANNELS:
        raise LedgerError("channel", "Choose a channel from the list.")
    if hours < 0:
        raise LedgerError("hours", "Hours cannot be negative.")
    if day > today:
        raise LedgerError("date", "The date is in the future; record participation once it has happened.")


def log_participation(
    activity: Activity,
    *,
    refs: list[str],
    headcount: int | None,
    day: date,
    channel: str,
    hours_each: Decimal,
    actor: Any,
    now: datetime,
) -> Logged:
    """Record named customers (by reference) or an anonymous headcount taking part; the caller commits.

    Either every reference is known and the rows are written, or nothing is written. A customer
    already recorded for this activity on this date is skipped, so a double submit adds nothing.
    """
    _check_common(day, channel, hours_each, local_date(now))
    if bool(refs) == bool(headcount):
        raise LedgerError("refs", "Enter customer references or an anonymous headcount (one or the other).")
    logged = Logged()
    if headcount:
        if headcount < 1:
            raise LedgerError("headcount", "The headcount must be at least 1.")
        row = Participation(
            activity_id=activity.id,
            customer_id=None,
            date=day,
            channel=channel,
            hours=hours_each * headcount,
            headcount=headcount,
            source="manual",
            source_key=entry_key("participation"),
            created_at=now,
        )
        db.session.add(row)
        logged.rows.append(row)
    else:
        found = dict(
            db.session.execute(select(Customer.ref, Customer.id).where(Customer.ref.in_(refs))).all()
        )
        unknown = [r for r in refs if r not in found]
        if unknown:
            raise LedgerError(
                "refs", f"No customer with reference {', '.join(unknown)}; nothing was recorded."
            )
        present = set(
            db.session.scalars(
                select(Participation.customer_id).where(
                    Participation.activity_id == activity.id,
                    Participation.date == day,
                    Participation.customer_id.in_(found.values()),
                )
            )
        )
        for ref in refs:
            if found[ref] in present:
                logged.already.append(ref)
                continue
            row = Participation(
                activity_id=activity.id,
                customer_id=found[ref],
                date=day,
                channel=channel,
                hours=hours_each,
                headcount=1,
                source="manual",
                source_key=entry_key("participation"),
                created_at=now,
            )
            db.session.add(row)
            logged.rows.append(row)
    db.session.flush()
    if logged.rows:
        record(
            "participation.create",
            actor=actor,
            target_type="activity",
            target_id=activity.id,
            detail={"rows": len(logged.rows), "date": day.isoformat(), "channel": channel},
            now=now,
        )
    return logged


def log_staff_time(
    activity: Activity,
    *,
    day: date,
    hours: Decimal,
    staff_email: str,
    note: str,
    actor: Any,
    now: datetime,
    latest: date | None = None,
    confirmed: bool = False,
) -> StaffTime:
    """Record staff hours against an activity; the caller commits.

    ``latest`` is the last date allowed (default: today in the UK); an upcoming event passes its
    own date, so preparation time can be booked against the day it is for. More than
    ``DAY_HOURS`` on one row is refused unless ``confirmed``.
    """
    if hours <= 0:
        raise LedgerError("hours", "Enter the hours spent (more than 0).")
    if hours > DAY_HOURS and not confirmed:
        raise LedgerError(
            "hours",
            f"{format(hours.normalize(), ',f')} hours is more than a day on one row. Check the figure, "
            "or tick “Yes, these hours are right” to record it.",
        )
    if day > (latest or local_date(now)):
        raise LedgerError("date", "The date is in the future.")
    email = (staff_email or getattr(actor, "email", "") or "").strip().lower()
    staff = db.session.scalar(select(StaffUser).where(StaffUser.email == email)) if email else None
    row = StaffTime(
        activity_id=activity.id,
        date=day,
        hours=hours,
        staff_user_id=staff.id if staff else None,
        staff_email=email,
        note=note.strip(),
        source_key=entry_key("staff-time"),
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    return row


def log_cost(
    activity: Activity, *, day: date, amount: Decimal, kind: str, description: str, actor: Any, now: datetime
) -> Cost:
    """Record money spent on an activity; the caller commits."""
    if amount <= 0:
        raise LedgerError("amount", "Enter the amount spent in pounds (more than £0).")
    if amount >= Decimal("10000000000"):
        raise LedgerError("amount", "That amount is too large.")
    if kind not in COST_KINDS:
        raise LedgerError("kind", "Choose a kind of cost from the list.")
    row = Cost(
        activity_id=activity.id,
        date=day,
        amount=amount,
        kind=kind,
        description=description.strip(),
        source_key=entry_key("cost"),
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    return row
