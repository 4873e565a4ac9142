"""Finding and changing activities, splitting pasted references and deleting mistaken ledger rows."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.ledger import LedgerError
from app.models import Activity, Cost, Participation, StaffTime
from app.models.audit import apply_changes, record
from app.models.involvement import CATEGORIES

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


def activity_named(name: str, *, category: str, on: date | None = None) -> Activity:
    """Return the activity with this name, adding one of ``category`` (held ``on`` that day) when new.

    A survey or event definition names its activity; the same name always means the same record.
    """
    activity = db.session.scalar(select(Activity).where(Activity.name == name))
    if activity is None:
        activity = Activity(name=name, category=category, start_date=on, end_date=on)
        db.session.add(activity)
        db.session.flush()
    return activity


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
    apply_changes(activity, values, "activity.update", actor=actor, now=now, target_type="activity")
    db.session.flush()
    return activity


def split_refs(text: str) -> list[str]:
    """Split pasted customer references (commas, spaces, new lines) keeping the first of repeats."""
    seen: dict[str, None] = {}
    for ref in re.split(r"[\s,;]+", text or ""):
        if ref:
            seen.setdefault(ref, None)
    return list(seen)


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
