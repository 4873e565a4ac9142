"""Writing the ledgers by hand: participation, staff time and costs against an activity.

Every page that logs these (the activity page, the event page) calls these services, so the
rules and the list of cost kinds are the same everywhere. Services flush; callers commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

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
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    return row
