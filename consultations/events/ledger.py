"""Staff time and costs entered against an event's activity."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.extensions import db
from app.models import Cost, StaffTime
from consultations.events.models import Event

COST_KINDS = ("venue", "catering", "print", "travel", "incentives", "other")


class LedgerError(ValueError):
    """A staff time or cost entry that cannot be saved (the message says why)."""


def parse_day(raw: str, default: date) -> date:
    """Read a YYYY-MM-DD date; blank gives ``default``."""
    raw = (raw or "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise LedgerError(f"{raw} is not a date like 2011-09-17.") from exc


def parse_amount(raw: str, what: str, places: str) -> Decimal:
    """Read a positive decimal number (hours or pounds)."""
    text = (raw or "").strip().replace(",", "").lstrip("£")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise LedgerError(f"{what} must be a number, like 3.5.") from exc
    if not value.is_finite() or value <= 0 or value >= Decimal("10000000"):
        raise LedgerError(f"{what} must be more than 0.")
    return value.quantize(Decimal(places))


def add_staff_time(
    event: Event, *, day: date, hours: Decimal, note: str, actor: Any, now: datetime
) -> StaffTime:
    """Record staff hours on the event's activity."""
    row = StaffTime(
        activity_id=event.activity_id, date=day, hours=hours, note=note.strip()[:2000],
        staff_user_id=getattr(actor, "id", None), staff_email=getattr(actor, "email", "") or "", created_at=now,
    )  # fmt: skip
    db.session.add(row)
    db.session.flush()
    return row


def add_cost(event: Event, *, day: date, amount: Decimal, description: str, kind: str, now: datetime) -> Cost:
    """Record money spent on the event's activity."""
    if kind not in COST_KINDS:
        raise LedgerError(f"Choose a kind of cost: {', '.join(COST_KINDS)}.")
    if not description.strip():
        raise LedgerError("Say what the money was spent on.")
    row = Cost(
        activity_id=event.activity_id, date=day, amount=amount, description=description.strip()[:2000],
        kind=kind, created_at=now,
    )  # fmt: skip
    db.session.add(row)
    db.session.flush()
    return row
