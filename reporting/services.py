"""Changes a manager makes to the report: rating overrides and publishing a frozen copy."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Activity
from app.models.audit import record
from reporting.models import PublishedReport, RatingOverride
from reporting.queries import override_year
from reporting.report import RATINGS, ImpactReport

MAX_TITLE = 200


class ReportError(ValueError):
    """A request about the report that cannot be carried out; the message says why."""


def override_rating(
    activity: Activity,
    date_from: date,
    date_to: date,
    *,
    rating: str,
    reason: str,
    actor: Any,
    now: datetime,
) -> RatingOverride:
    """Set an activity's rating for the financial year holding the period, with the reason; flushes, audits."""
    reason = (reason or "").strip()
    if rating not in RATINGS:
        raise ReportError("Choose a rating: good, average or poor.")
    if not reason:
        raise ReportError("Give a reason for overriding the rating.")
    if date_from > date_to:
        raise ReportError("The start of the period must not be after its end.")
    year = override_year(date_from, date_to)
    if year is None:
        raise ReportError(
            "A rating override holds for one financial year (April to March): choose a period inside one."
        )
    override = RatingOverride(
        activity_id=activity.id,
        period_from=date_from,
        period_to=date_to,
        financial_year=year,
        rating=rating,
        reason=reason,
        author_id=getattr(actor, "id", None),
        author_email=getattr(actor, "email", "") or "",
        created_at=now,
    )
    db.session.add(override)
    db.session.flush()
    record(
        "report.rating_override",
        actor=actor,
        target_type="activity",
        target_id=activity.id,
        detail={
            "activity": activity.name,
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "financial_year": year,
            "rating": rating,
            "reason": reason,
        },
        now=now,
    )
    return override


def remove_override(activity: Activity, date_from: date, date_to: date, *, actor: Any, now: datetime) -> int:
    """Drop an activity's overrides for the period's financial year so the rule rates it again; flushes, audits."""
    year = override_year(date_from, date_to)
    rows = list(
        db.session.scalars(
            select(RatingOverride)
            .where(RatingOverride.activity_id == activity.id, RatingOverride.financial_year == year)
            .order_by(RatingOverride.created_at, RatingOverride.id)
        )
    )
    if year is None or not rows:
        raise ReportError(f"{activity.name} has no rating override for this financial year.")
    latest = rows[-1]
    record(
        "report.rating_override.remove",
        actor=actor,
        target_type="activity",
        target_id=activity.id,
        detail={
            "activity": activity.name,
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "rating": latest.rating,
            "reason": latest.reason,
        },
        now=now,
    )
    # Older overrides for the period go too, or the previous one would surface as "latest".
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    return len(rows)


def publish(report: ImpactReport, *, title: str, actor: Any, now: datetime) -> PublishedReport:
    """Store a frozen copy of the report's figures, words and ratings; flushes and audits."""
    title = (title or "").strip() or report.title
    if len(title) > MAX_TITLE:
        raise ReportError(f"The title must be at most {MAX_TITLE} characters.")
    data = report.to_json()
    data["title"] = title
    data["warnings"] = []  # internal: staff see them on the live report, residents never do
    published = PublishedReport(
        period_from=report.date_from,
        period_to=report.date_to,
        title=title,
        data=data,
        author_id=getattr(actor, "id", None),
        author_email=getattr(actor, "email", "") or "",
        published_at=now,
    )
    db.session.add(published)
    db.session.flush()
    record(
        "report.publish",
        actor=actor,
        target_type="published_report",
        target_id=published.id,
        detail={"title": title, "from": report.date_from.isoformat(), "to": report.date_to.isoformat()},
        now=now,
    )
    return published


def published_report(published: PublishedReport) -> ImpactReport:
    """Rebuild the frozen report object from a published copy (never with internal warnings)."""
    return replace(ImpactReport.from_json(published.data), warnings=())
