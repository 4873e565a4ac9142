"""TSM pages: the surveys, the sample-size calculator, results with methodology, and publishing."""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from app.auth.decorators import roles_required
from app.extensions import db
from app.models.base import utcnow
from app.periods import financial_year, local_date
from app.web.paging import page_number, paginate
from consultations.sampling import SEED_RANGE, SampleError, whole_number
from consultations.surveys.models import Consultation, Question
from consultations.tsm.exports import NAMES, to_csv, to_xlsx
from consultations.tsm.methodology import report_for, save
from consultations.tsm.models import METHODOLOGY_FIELDS
from consultations.tsm.populations import register_counts
from consultations.tsm.sampling import percent, sample_size
from consultations.tsm.services import TsmError, draw_sample, new_survey, publish, results_for, unpublish
from consultations.tsm.template import MEASURES, is_tsm

bp = Blueprint("tsm", __name__, url_prefix="/tsm", template_folder="templates")
PER_PAGE = 25


def _day(raw: str | None) -> date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime((raw or "").strip(), fmt).date()
        except ValueError:
            continue
    return None


def _survey(consultation_id: int) -> Consultation:
    consultation = db.get_or_404(Consultation, consultation_id)
    if not is_tsm(consultation.questions):
        abort(404, "That consultation is not a TSM survey.")
    return consultation


@bp.get("/")
@roles_required("staff")
def index() -> ResponseReturnValue:
    """List the TSM surveys, newest first, a page at a time; start one from the template."""
    # A TSM survey is one holding all twelve measures: found in SQL, not by loading every survey.
    with_all = (
        select(Question.consultation_id)
        .where(Question.key.in_(MEASURES))
        .group_by(Question.consultation_id)
        .having(func.count(func.distinct(Question.key)) == len(MEASURES))
    )
    query = select(Consultation).where(Consultation.id.in_(with_all)).order_by(Consultation.id.desc())
    surveys = paginate(query, page_number(request.args.get("page")), PER_PAGE)
    return render_template("tsm/index.html", surveys=surveys, register=register_counts(), percent=percent)


@bp.post("/new")
@roles_required("staff")
def new() -> ResponseReturnValue:
    """Create a TSM survey from the regulator's template and open its questions."""
    consultation = new_survey(today=local_date(utcnow()), actor=current_user)
    db.session.commit()
    flash("TSM survey created from the template. Add your own questions after the required ones.", "success")
    return redirect(url_for("consultations.questions", consultation_id=consultation.id))


@bp.get("/sample-size")
@roles_required("staff")
def calculator() -> ResponseReturnValue:
    """Work out the minimum responses and the achieved margin for a population."""
    args, errors, figures = request.args, [], None
    if args.get("population"):
        try:
            population = int(args["population"].replace(",", ""))
            margin = float(args["margin"]) / 100 if args.get("margin") else None
            responses = int(args["responses"].replace(",", "")) if args.get("responses") else None
            if population < 1 or (margin is not None and not 0.001 <= margin <= 0.5):
                raise ValueError
            if responses is not None and not 0 <= responses <= population:
                raise ValueError
            figures = sample_size(population, margin, responses)
        except ValueError:
            errors.append(
                "Enter whole numbers: homes of at least 1, responses no more than homes, margin 0.1–50%."
            )
    return render_template(
        "tsm/calculator.html",
        figures=figures,
        errors=errors,
        args=args,
        register=register_counts(),
        percent=percent,
    )


def _period(report) -> tuple[date, date]:  # type: ignore[no-untyped-def]
    year = financial_year(local_date(utcnow()))
    start = _day(request.args.get("from")) or report.period_from or year.start
    end = _day(request.args.get("to")) or report.period_to or year.end
    return start, max(start, end)


@bp.get("/<int:consultation_id>")
@roles_required("staff")
def results(consultation_id: int) -> ResponseReturnValue:
    """Show TP01–TP12 per population, the margins achieved so far, weighting and methodology."""
    consultation = _survey(consultation_id)
    report = report_for(consultation)
    start, end = _period(report)
    figures = results_for(consultation, report, start, end)
    db.session.commit()
    return render_template(
        "tsm/results.html",
        consultation=consultation,
        report=report,
        results=figures,
        start=start,
        end=end,
        names=NAMES,
        measures=MEASURES,
        fields=METHODOLOGY_FIELDS,
        percent=percent,
    )


@bp.get("/<int:consultation_id>/margins.json")
@roles_required("staff")
def margins(consultation_id: int) -> ResponseReturnValue:
    """Return responses and achieved margins per population, for the page's live figures."""
    consultation = _survey(consultation_id)
    report = report_for(consultation)
    start, end = _period(report)
    figures = results_for(consultation, report, start, end)
    db.session.commit()
    return {
        name: {"responses": p["responses"], "achieved_margin": percent(p["achieved_margin"])}
        for name, p in figures["populations"].items()
    }


@bp.get("/<int:consultation_id>/results.<fmt>")
@roles_required("staff")
def download(consultation_id: int, fmt: str) -> ResponseReturnValue:
    """Download the results with methodology as CSV, XLSX or JSON."""
    if fmt not in ("csv", "xlsx", "json"):
        abort(404)
    consultation = _survey(consultation_id)
    report = report_for(consultation)
    start, end = _period(report)
    figures = results_for(consultation, report, start, end)
    db.session.commit()
    name = f"{consultation.slug}-tsm-{start}-{end}"
    if fmt == "csv":
        body, mimetype = to_csv(figures).encode("utf-8-sig"), "text/csv"
    elif fmt == "xlsx":
        body, mimetype = to_xlsx(figures), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, mimetype = json.dumps(figures, indent=2).encode(), "application/json"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    )


@bp.post("/<int:consultation_id>/settings")
@roles_required("staff")
def settings(consultation_id: int) -> ResponseReturnValue:
    """Save the results period, weighting and the methodology words."""
    consultation = _survey(consultation_id)
    report = report_for(consultation)
    start, end = _day(request.form.get("from")), _day(request.form.get("to"))
    if start is None or end is None or end < start:
        flash("Enter the period as two dates, the second not before the first.", "error")
        return redirect(url_for("tsm.results", consultation_id=consultation.id))
    report.period_from, report.period_to = start, end
    report.weighted = request.form.get("weighted") == "on"
    save(report, {key: request.form.get(key, "") for key, _ in METHODOLOGY_FIELDS})
    db.session.commit()
    flash("Saved.", "success")
    return redirect(url_for("tsm.results", consultation_id=consultation.id))


@bp.post("/<int:consultation_id>/sample")
@roles_required("staff")
def sample(consultation_id: int) -> ResponseReturnValue:
    """Draw a stratified random sample of the register as the survey's audience."""
    consultation = _survey(consultation_id)
    try:
        size = whole_number(request.form.get("size", "").replace(",", ""), "The sample size", 1) or 0
        seed = whole_number(request.form.get("seed", "").strip(), "The random seed", 0)
        seed = secrets.randbelow(SEED_RANGE) if seed is None else seed
        drawn = draw_sample(consultation, size, seed=seed, actor=current_user)
    except (TsmError, SampleError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("tsm.results", consultation_id=consultation.id))
    db.session.commit()
    flash(f"Drawn: {drawn.drawn.describe()}.", "success")
    return redirect(url_for("consultations.audience", consultation_id=consultation.id))


@bp.post("/<int:consultation_id>/publish")
@roles_required("manager")
def publish_view(consultation_id: int) -> ResponseReturnValue:
    """Publish (or take down) the results and methodology on the residents' page."""
    consultation = _survey(consultation_id)
    report = report_for(consultation)
    if request.form.get("action") == "unpublish":
        unpublish(report, actor=current_user)
        db.session.commit()
        flash("The published results were taken down.", "success")
        return redirect(url_for("tsm.results", consultation_id=consultation.id))
    try:
        publish(consultation, report, now=utcnow(), actor=current_user)
    except TsmError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("tsm.results", consultation_id=consultation.id))
    db.session.commit()
    flash("Published: residents can now see these results at /residents/tsm.", "success")
    return redirect(url_for("tsm.results", consultation_id=consultation.id))
