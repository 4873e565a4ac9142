"""Rating overrides, narratives, published (frozen) copies and computed snapshots of the report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Activity, StaffUser
from app.models.base import UTCDateTime, utcnow


class RatingOverride(db.Model):
    """A manager's traffic light for an activity in a financial year, replacing the rule; the latest wins."""

    __tablename__ = "rating_overrides"
    __table_args__ = (
        Index("ix_rating_overrides_period", "period_from", "period_to", "activity_id"),
        Index("ix_rating_overrides_year", "financial_year", "activity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"))
    # The period the manager was looking at when setting it; it applies to its whole financial year.
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    financial_year: Mapped[int] = mapped_column(Integer)
    rating: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    author_email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity: Mapped[Activity] = relationship()
    author: Mapped[StaffUser | None] = relationship()


class ReportNarrative(db.Model):
    """A manager's words for the report of one period: its sections and the activities' qualifiers."""

    __tablename__ = "report_narratives"
    __table_args__ = (UniqueConstraint("period_from", "period_to"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    sections: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    qualifiers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    author_email: Mapped[str] = mapped_column(String(254), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PublishedReport(db.Model):
    """The report for a period as it stood when a manager published it: figures, words and ratings."""

    __tablename__ = "published_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    author_email: Mapped[str] = mapped_column(String(254), default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    author: Mapped[StaffUser | None] = relationship()


class ReportState(db.Model):
    """One row whose version goes up with every committed write the report reads."""

    __tablename__ = "report_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class ReportSnapshot(db.Model):
    """The report computed for a period at one state of its inputs, reused until the state moves on."""

    __tablename__ = "report_snapshots"
    __table_args__ = (UniqueConstraint("period_from", "period_to", "as_of", "state_version", "settings_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    as_of: Mapped[date] = mapped_column(Date)
    state_version: Mapped[int] = mapped_column(Integer, index=True)
    settings_key: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
