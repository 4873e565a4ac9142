"""Changing activities and their ledgers: participation, staff time and costs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Activity, Cost, Customer, Participation, StaffTime, StaffUser
from app.models.audit import record
from app.models.involvement import CATEGORIES, CHANNELS
from app.web.periods import local_date

ACTIVITY_FIELDS = (
    "name",
    "category",
    "aim",
    "method",
    "outcomes",
    "evidence",
    "homes_affected",
    "start_date",
    "end_date",
    "target_customers",
    "target_cost_per_customer",
    "counts_toward_budget",
)
LEDGER_MODELS: dict[str, type[Any]] = {"participation": Participation, "staff-time": StaffTime, "cost": Cost}


class LedgerError(ValueError):
    """A ledger or activity change cannot be made; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def save_activity(
    values: dict[str, Any], *, activity: Activity | None, actor: Any, now: datetime
) -> Activity:
    """Create an activity, or update ``activity``, from the activities-CSV columns; the caller commits."""
    values = {k: values[k] for k in ACTIVITY_FIELDS if k in values}
    name = (values.get("name") or "").strip()
    if not name:
        raise LedgerError("name", "Enter the activity's name.")
    values["name"] = name
    clash = db.session.scalar(select(Activity.id).where(Activity.name == name))
    if clash is not None and (activity is None or clash != activity.id):
        raise LedgerError("name", f"There is already an activity called “{name}”.")
    if values.get("category") not in CATEGORIES:
        raise LedgerError("category", "Choose a category from the list.")
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        raise LedgerError("end_date", "The end date is before the start date.")
    if activity is None:
        activity = Activity(created_at=now, **values)
        db.session.add(activity)
        db.session.flush()
        record("activity.create", actor=actor, target_type="activity", target_id=activity.id, now=now)
        return activity
    changed = sorted(k for k, v in values.items() if getattr(activity, k) != v)
    for key in changed:
        setattr(activity, key, values[key])
    if changed:
        record(
            "activity.update",
            actor=actor,
            target_type="activity",
            target_id=activity.id,
            detail={"fields": changed},
            now=now,
        )
    db.session.flush()
    return activity


def split_refs(text: str) -> list[str]:
    """Split pasted customer references (commas, spaces, new lines) keeping the first of repeats."""
    seen: dict[str, None] = {}
    for ref in re.split(r"[\s,;]+", text or ""):
        if ref:
            seen.setdefault(ref, None)
    return list(seen)


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
    activity: Activity, *, day: date, hours: Decimal, staff_email: str, note: str, actor: Any, now: datetime
) -> StaffTime:
    """Record staff hours against an activity; the caller commits."""
    if hours <= 0:
        raise LedgerError("hours", "Enter the hours spent (more than 0).")
    if day > local_date(now):
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
    row = Cost(
        activity_id=activity.id,
        date=day,
        amount=amount,
        kind=kind,
        description=description.strip(),
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    return row


def delete_ledger_row(kind: str, row_id: int, *, activity: Activity, actor: Any, now: datetime) -> bool:
    """Delete one ledger row of ``activity`` and audit what it held; False when there is no such row."""
    model = LEDGER_MODELS.get(kind)
    row = db.session.get(model, row_id) if model else None
    if row is None or row.activity_id != activity.id:
        return False
    detail: dict[str, Any] = {"activity": activity.name, "date": row.date.isoformat()}
    if isinstance(row, Participation):
        detail |= {"customer_id": row.customer_id, "headcount": row.headcount, "channel": row.channel}
        detail |= {"hours": str(row.hours), "source": row.source, "source_key": row.source_key}
    elif isinstance(row, StaffTime):
        detail |= {"hours": str(row.hours), "staff_email": row.staff_email, "note": row.note}
    else:
        detail |= {"amount": str(row.amount), "kind": row.kind, "description": row.description}
    db.session.delete(row)
    record(f"{kind}.delete", actor=actor, target_type=kind, target_id=row_id, detail=detail, now=now)
    db.session.flush()
    return True
