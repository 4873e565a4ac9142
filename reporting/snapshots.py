"""Compute a report once per period, day and input state; every later view or download reuses it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.periods import local_date
from reporting.metrics import ReportSettings, build_report
from reporting.models import ReportSnapshot
from reporting.report import ImpactReport
from reporting.state import current_version

# Bump when the stored JSON changes shape, so a new release never reads an old snapshot.
SNAPSHOT_FORMAT = 2


def settings_key(settings: ReportSettings) -> str:
    """Return the part of the cache key that the settings decide."""
    return (
        f"v{SNAPSHOT_FORMAT}|{settings.average_at}|{settings.regular_min_meetings}|{settings.organisation}"[
            :200
        ]
    )


def cached_report(date_from: date, date_to: date, *, now: datetime, settings: ReportSettings) -> ImpactReport:
    """Return the report for the period as the inputs stand, computing it only when they moved on; flushes."""
    as_of = local_date(now)  # "overdue" depends on the day
    key = settings_key(settings)
    version = current_version()
    stored = db.session.scalar(
        select(ReportSnapshot.data).where(
            ReportSnapshot.period_from == date_from,
            ReportSnapshot.period_to == date_to,
            ReportSnapshot.as_of == as_of,
            ReportSnapshot.state_version == version,
            ReportSnapshot.settings_key == key,
        )
    )
    if stored is not None:
        return ImpactReport.from_json(stored)
    report = build_report(date_from, date_to, now=now, settings=settings)
    db.session.execute(delete(ReportSnapshot).where(ReportSnapshot.state_version < version))
    try:
        with db.session.begin_nested():
            db.session.add(
                ReportSnapshot(
                    period_from=date_from,
                    period_to=date_to,
                    as_of=as_of,
                    state_version=version,
                    settings_key=key,
                    data=report.to_json(),
                    computed_at=now,
                )
            )
    except IntegrityError:
        pass  # another request stored the same figures first
    return report
