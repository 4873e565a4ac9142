"""Rating overrides and published (frozen) copies of the impact report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Activity, StaffUser
from app.models.base import UTCDateTime, utcnow


class RatingOverride(db.Model):
    """A manager's traffic light for an activity in a period, replacing the rule; the latest wins."""

    __tablename__ = "rating_overrides"
    __table_args__ = (Index("ix_rating_overrides_period", "period_from", "period_to", "activity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    rating: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    author_email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity: Mapped[Activity] = relationship()
    author: Mapped[StaffUser | None] = relationship()


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
