"""Residents' pages: public, landlord-branded, and showing only what a manager published."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from consultations.events.models import Event
from reporting import exports, render_cache
from reporting.exports.html import context
from reporting.models import PublishedReport
from reporting.services import published_report

bp = Blueprint("residents", __name__, url_prefix="/residents", template_folder="templates")
UPCOMING_LIMIT = 20
TSM_PATH = "/residents/tsm"


def _brand() -> dict[str, Any]:
    landlord = current_app.config.get("LANDLORD_NAME") or current_app.config.get(
        "ORGANISATION_NAME", "Derwent Living"
    )
    # The TSM results page belongs to another package: link to it only once its route exists.
    tsm = next((r.rule for r in current_app.url_map.iter_rules() if r.rule.rstrip("/") == TSM_PATH), None)
    return {"landlord": landlord, "tsm_url": tsm}


def _latest() -> PublishedReport | None:
    return db.session.scalar(select(PublishedReport).order_by(PublishedReport.published_at.desc()).limit(1))


def _published_or_404(report_id: int) -> PublishedReport:
    return db.get_or_404(PublishedReport, report_id)


@bp.get("/")
def index() -> ResponseReturnValue:
    """Show what residents can read: the latest report, "you said, we did" and events."""
    reports = list(db.session.scalars(select(PublishedReport).order_by(PublishedReport.published_at.desc())))
    return render_template("residents/index.html", reports=reports, **_brand())


@bp.get("/reports")
def reports() -> ResponseReturnValue:
    """List the published impact reports, newest first."""
    rows = list(db.session.scalars(select(PublishedReport).order_by(PublishedReport.published_at.desc())))
    return render_template("residents/reports.html", reports=rows, **_brand())


@bp.get("/reports/<int:report_id>")
def report(report_id: int) -> ResponseReturnValue:
    """Show a published report as it was frozen."""
    stored = _published_or_404(report_id)
    return render_template(
        "residents/report.html",
        stored=stored,
        **context(published_report(stored), show_warnings=False),
        **_brand(),
    )


@bp.get("/reports/<int:report_id>.pdf")
def report_pdf(report_id: int) -> ResponseReturnValue:
    """Download a published report as PDF."""
    frozen = published_report(_published_or_404(report_id))
    rendered = render_cache.render(frozen, "pdf")
    response = Response(rendered.content, mimetype=rendered.mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{exports.filename(frozen, "pdf")}"'
    return response


@bp.get("/you-said-we-did")
def you_said_we_did() -> ResponseReturnValue:
    """Show what residents raised and what changed, from the latest published report."""
    stored = _latest()
    if stored is None:
        return render_template("residents/you_said.html", stored=None, done=[], underway=[], **_brand())
    frozen = published_report(stored)
    done = [o for o in frozen.outcomes_log if o.resolved_on]
    underway = [o for o in frozen.outcomes_log if not o.resolved_on]
    return render_template("residents/you_said.html", stored=stored, done=done, underway=underway, **_brand())


@bp.get("/events")
def events() -> ResponseReturnValue:
    """List upcoming events with their booking links."""
    now = utcnow()
    rows = list(
        db.session.scalars(
            select(Event)
            .where(Event.starts_at > now)
            .where((Event.closes_at.is_(None)) | (Event.closes_at > now))
            .order_by(Event.starts_at, Event.id)
            .limit(UPCOMING_LIMIT)
        )
    )
    return render_template("residents/events.html", events=rows, **_brand())
