"""The report pages: the live report, downloads, rating overrides and published copies."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from app.auth.decorators import roles_required
from app.extensions import db
from app.models import Activity
from app.models.audit import record
from app.models.base import utcnow
from app.periods import local_date
from reporting import exports, narrative, periods, render_cache, services
from reporting.exports.html import context
from reporting.metrics import ReportSettings
from reporting.models import PublishedReport, RatingOverride
from reporting.queries import override_year
from reporting.report import ImpactReport
from reporting.snapshots import cached_report

bp = Blueprint("reporting", __name__, template_folder="templates")


def _live(date_from: date, date_to: date, now: datetime) -> ImpactReport:
    return cached_report(date_from, date_to, now=now, settings=ReportSettings.from_config(current_app.config))


def _period_from_form() -> tuple[date, date]:
    try:
        date_from = periods.parse_date(request.form.get("from", ""), "start")
        date_to = periods.parse_date(request.form.get("to", ""), "end")
    except periods.PeriodError as exc:
        abort(400, str(exc))
    if date_from > date_to:
        abort(400, "The start date must not be after the end date.")
    return date_from, date_to


def _download(report: ImpactReport, fmt: str, published_id: int | None = None) -> Response:
    if fmt not in exports.FORMATS:
        abort(404)
    rendered = render_cache.render(report, fmt)
    detail = {"format": fmt, "from": report.date_from.isoformat(), "to": report.date_to.isoformat()}
    record(
        "report.export",
        actor=current_user,
        target_type="published_report" if published_id else "report",
        target_id=published_id or "",
        detail=detail,
    )
    db.session.commit()
    response = Response(rendered.content, mimetype=rendered.mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(report, rendered.extension)}"'
    )
    return response


@bp.get("/reports")
@roles_required("staff")
def report() -> ResponseReturnValue:
    """Show the live impact report for the chosen period."""
    now = utcnow()
    today = local_date(now)
    error = None
    try:
        period = periods.resolve(
            today, request.args.get("preset"), request.args.get("from"), request.args.get("to")
        )
    except periods.PeriodError as exc:
        error = str(exc)
        period = periods.presets(today)[0]
    live = _live(period.start, period.end, now)
    db.session.commit()  # keeps the computed snapshot for the next view and the downloads
    return render_template(
        "reporting/report.html",
        **context(live, can_override=current_user.has_role("manager")),
        period=period,
        presets=periods.presets(today),
        formats=exports.FORMATS,
        error=error,
    ), (400 if error else 200)


@bp.get("/reports/download/<fmt>")
@roles_required("staff")
def download(fmt: str) -> ResponseReturnValue:
    """Download the live report for a period in one format."""
    try:
        today = local_date(utcnow())
        period = periods.resolve(today, None, request.args.get("from"), request.args.get("to"))
    except periods.PeriodError as exc:
        abort(400, str(exc))
    return _download(_live(period.start, period.end, utcnow()), fmt)


@bp.post("/reports/override")
@roles_required("manager")
def override() -> ResponseReturnValue:
    """Set an activity's traffic light for a period by hand, with a reason."""
    date_from, date_to = _period_from_form()
    activity = db.get_or_404(Activity, request.form.get("activity_id", type=int) or 0)
    try:
        services.override_rating(
            activity,
            date_from,
            date_to,
            rating=request.form.get("rating", ""),
            reason=request.form.get("reason", ""),
            actor=current_user,
            now=utcnow(),
        )
    except services.ReportError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"Rating for {activity.name} saved.", "success")
    return redirect(url_for("reporting.report", **{"from": date_from.isoformat(), "to": date_to.isoformat()}))


def _confirm_remove_override(activity: Activity, date_from: date, date_to: date) -> ResponseReturnValue:
    """Show the hand-set rating that goes and the year it covers, and ask once."""
    year = override_year(date_from, date_to)
    rows = list(
        db.session.scalars(
            select(RatingOverride)
            .where(RatingOverride.activity_id == activity.id, RatingOverride.financial_year == year)
            .order_by(RatingOverride.created_at, RatingOverride.id)
        )
    )
    return render_template(
        "reporting/confirm_remove_override.html",
        activity=activity,
        date_from=date_from,
        date_to=date_to,
        year=year,
        latest=rows[-1] if rows else None,
        count=len(rows),
    )


@bp.post("/reports/override/remove")
@roles_required("manager")
def remove_override() -> ResponseReturnValue:
    """Remove an activity's hand-set traffic light for a period so the rule applies again."""
    date_from, date_to = _period_from_form()
    activity = db.get_or_404(Activity, request.form.get("activity_id", type=int) or 0)
    if request.form.get("confirm") != "yes":
        return _confirm_remove_override(activity, date_from, date_to)
    try:
        services.remove_override(activity, date_from, date_to, actor=current_user, now=utcnow())
    except services.ReportError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"Override for {activity.name} removed; the rule rates it again.", "success")
    return redirect(url_for("reporting.report", **{"from": date_from.isoformat(), "to": date_to.isoformat()}))


@bp.get("/reports/publish")
@roles_required("manager")
def confirm_publish() -> ResponseReturnValue:
    """Show the figures a published copy will freeze and how many copies the period has, and ask once."""
    try:
        date_from = periods.parse_date(request.args.get("from", ""), "start")
        date_to = periods.parse_date(request.args.get("to", ""), "end")
    except periods.PeriodError as exc:
        abort(400, str(exc))
    if date_from > date_to:
        abort(400, "The start date must not be after the end date.")
    report = _live(date_from, date_to, utcnow())
    earlier = db.session.scalar(
        select(func.count()).where(
            PublishedReport.period_from == date_from, PublishedReport.period_to == date_to
        )
    )
    db.session.commit()  # keeps the computed snapshot, as the report page does
    return render_template(
        "reporting/confirm_publish.html",
        report=report,
        title=(request.args.get("title") or "").strip() or report.title,
        earlier=earlier or 0,
    )


@bp.post("/reports/publish")
@roles_required("manager")
def publish() -> ResponseReturnValue:
    """Freeze the report for a period as it stands now, once confirmed."""
    date_from, date_to = _period_from_form()
    if request.form.get("confirm") != "yes":
        args = {
            "from": date_from.isoformat(),
            "to": date_to.isoformat(),
            "title": request.form.get("title", ""),
        }
        return redirect(url_for("reporting.confirm_publish", **args), 303)
    now = utcnow()
    try:
        published = services.publish(
            _live(date_from, date_to, now), title=request.form.get("title", ""), actor=current_user, now=now
        )
    except services.ReportError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(
            url_for("reporting.report", **{"from": date_from.isoformat(), "to": date_to.isoformat()})
        )
    db.session.commit()
    flash("Report published.", "success")
    return redirect(url_for("reporting.published_view", report_id=published.id))


@bp.get("/reports/published")
@roles_required("staff")
def published() -> ResponseReturnValue:
    """List published reports, newest first."""
    rows = db.session.scalars(select(PublishedReport).order_by(PublishedReport.published_at.desc()))
    return render_template("reporting/published_list.html", published=list(rows))


@bp.get("/reports/published/<int:report_id>")
@roles_required("staff")
def published_view(report_id: int) -> ResponseReturnValue:
    """Show a published report exactly as it was frozen."""
    stored = db.get_or_404(PublishedReport, report_id)
    frozen = services.published_report(stored)
    return render_template(
        "reporting/published.html", **context(frozen), stored=stored, formats=exports.FORMATS
    )


@bp.get("/reports/published/<int:report_id>/download/<fmt>")
@roles_required("staff")
def published_download(report_id: int, fmt: str) -> ResponseReturnValue:
    """Download a published report in one format, from its frozen copy."""
    return _download(services.published_report(db.get_or_404(PublishedReport, report_id)), fmt, report_id)


@bp.route("/reports/narrative", methods=["GET", "POST"])
@roles_required("manager")
def narrative_edit() -> ResponseReturnValue:
    """Edit the report's sections and the activities' qualifiers for one period."""
    source = request.form if request.method == "POST" else request.args
    try:
        date_from = periods.parse_date(source.get("from", ""), "start")
        date_to = periods.parse_date(source.get("to", ""), "end")
    except periods.PeriodError as exc:
        abort(400, str(exc))
    if date_from > date_to:
        abort(400, "The start date must not be after the end date.")
    now = utcnow()
    live = _live(date_from, date_to, now)
    if request.method == "POST":
        qualifiers = {
            a.activity_id: request.form.get(f"qualifier-{a.activity_id}", "")
            for a in live.activities
            if a.activity_id
        }
        try:
            narrative.save(
                date_from,
                date_to,
                sections={key: request.form.get(key, "") for key in narrative.SECTION_KEYS},
                qualifiers=qualifiers,
                actor=current_user,
                now=now,
            )
        except narrative.NarrativeError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("The report's words are saved.", "success")
            return redirect(
                url_for("reporting.report", **{"from": date_from.isoformat(), "to": date_to.isoformat()})
            )
    db.session.commit()
    return render_template(
        "reporting/narrative.html", report=live, sections=narrative.SECTIONS, values=live.narrative
    )
