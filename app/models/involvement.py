"""Activities and the three ledgers the impact report reads: participation, staff time, costs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import Hours, Money, UTCDateTime, utcnow
from app.models.people import Customer, StaffUser

CATEGORIES = (
    "consultation",
    "forum",
    "panel",
    "scrutiny",
    "training",
    "event",
    "newsletter",
    "mystery shopping",
    "other",
)
CHANNELS = ("sms", "email", "web", "event", "online", "phone", "post", "in person")
REGULAR_CATEGORIES = ("forum", "panel", "scrutiny")
ACTION_STATUSES = ("open", "in progress", "done", "cancelled")
# Every participation column the impact report aggregates, in index order.
REPORT_COVER = ("activity_id", "date", "customer_id", "channel", "headcount", "hours")


class Activity(db.Model):
    """An involvement activity: the words of the report, homes affected and targets."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    category: Mapped[str] = mapped_column(String(40), default="other")
    aim: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text, default="")
    outcomes: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    homes_affected: Mapped[int | None] = mapped_column(Integer)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    target_customers: Mapped[int | None] = mapped_column(Integer)
    target_cost_per_customer: Mapped[Decimal | None] = mapped_column(Money)
    counts_toward_budget: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Activity {self.name}>"


class Participation(db.Model):
    """One customer (or an anonymous headcount) taking part in an activity on a date."""

    __tablename__ = "participations"
    __table_args__ = (
        Index("ix_participations_activity_date", "activity_id", "date"),
        Index("ix_participations_date_activity_customer", "date", "activity_id", "customer_id"),
        Index("ix_participations_customer_date", "customer_id", "date"),
        # The report's per-activity scans read only this index, never the table.
        Index("ix_participations_report_cover", *REPORT_COVER),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    date: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20))
    hours: Mapped[Decimal] = mapped_column(Hours, default=Decimal(0))
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    # Who wrote the row and a key that makes repeats harmless (imports, surveys, registers).
    source: Mapped[str] = mapped_column(String(20), default="manual")
    source_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity: Mapped[Activity] = relationship()
    customer: Mapped[Customer | None] = relationship()


class StaffTime(db.Model):
    """Staff hours spent on an activity."""

    __tablename__ = "staff_time"
    __table_args__ = (Index("ix_staff_time_activity_date", "activity_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"))
    date: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Hours)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    staff_email: Mapped[str] = mapped_column(String(254), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    source_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity: Mapped[Activity] = relationship()
    staff_user: Mapped[StaffUser | None] = relationship()


class Cost(db.Model):
    """Money spent on an activity: venue, catering, print, SMS charges, incentives."""

    __tablename__ = "costs"
    __table_args__ = (Index("ix_costs_activity_date", "activity_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"))
    date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(40), default="other")
    source_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity: Mapped[Activity] = relationship()


class Budget(db.Model):
    """The involvement budget for a span of dates."""

    __tablename__ = "budgets"
    __table_args__ = (UniqueConstraint("start_date", "end_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    note: Mapped[str] = mapped_column(Text, default="")


class OutcomeLog(db.Model):
    """ "You said, we did": an issue raised by customers and what was done about it."""

    __tablename__ = "outcome_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    where_who: Mapped[str] = mapped_column(String(200))
    what: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text, default="")
    raised_on: Mapped[date] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity: Mapped[Activity | None] = relationship()


class Action(db.Model):
    """An activity underway, with its expected outcome and due date."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    aim: Mapped[str] = mapped_column(Text)
    expected_outcome: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
