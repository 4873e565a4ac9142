"""A TSM survey's results record: the period, weighting, methodology and the published copy."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import StaffUser
from app.models.base import UTCDateTime, utcnow
from consultations.surveys.models import Consultation

# The summary of approach the regulator requires published alongside the results (Tenant
# Satisfaction Measures: Summary of publication requirements, Regulator of Social Housing).
METHODOLOGY_FIELDS = (
    ("timing", "When the survey was carried out"),
    ("collection_methods", "Collection methods"),
    ("sample_method", "Sample method"),
    ("representativeness", "How representative the sample is of the tenant population"),
    ("weighting", "Weighting applied"),
    ("contractor", "External contractor"),
    ("exclusions", "Tenants excluded from the survey, and why"),
    ("shortfall", "Reasons for any shortfall against the required sample size"),
    ("incentives", "Incentives offered"),
    ("issues", "Methodological issues that may affect comparison with earlier years"),
)


class TsmReport(db.Model):
    """The results settings and methodology of one TSM survey, and its published copy."""

    __tablename__ = "tsm_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), unique=True)
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date | None] = mapped_column(Date)
    weighted: Mapped[bool] = mapped_column(Boolean, default=False)
    methodology: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    published: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    consultation: Mapped[Consultation] = relationship()
    published_by: Mapped[StaffUser | None] = relationship()
