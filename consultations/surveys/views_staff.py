"""Staff screens: the list, import, launch/schedule/close, the live page, exports and data entry."""

from __future__ import annotations

import json

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.auth.decorators import roles_required
from app.extensions import db
from app.models.audit import record
from app.models.base import utcnow
from consultations.field_errors import DefinitionError
from consultations.surveys import queries, services
from consultations.surveys.blueprints import staff_bp as bp
from consultations.surveys.definitions import export_definition
from consultations.surveys.exports import to_csv, to_xlsx
from consultations.surveys.forms import ConfirmForm, EntryForm, ImportForm, ScheduleForm
from consultations.surveys.launch import SurveyError
from consultations.surveys.models import Consultation
from consultations.surveys.webform import field_name, submit_open
from consultations.tsm.tenure_routing import tenure_question

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _index_page() -> str:
    return render_template("consultations/index.html", consultations=queries.consultations_newest_first())


@bp.get("/")
@roles_required("staff")
def index() -> ResponseReturnValue:
    """List consultations, newest first."""
    return _index_page()


@bp.post("/import")
@roles_required("staff")
def import_json() -> ResponseReturnValue:
    """Create or update a consultation from an uploaded JSON definition."""
    form = ImportForm()
    try:
        consultation, created = services.import_json(form.raw(), actor=current_user, now=utcnow())
    except services.InvalidInput as exc:
        flash(str(exc), "error")
        return _index_page(), 422
    except SurveyError as exc:
        db.session.rollback()
        flash(f"Nothing was imported: {exc}", "error")
        return _index_page(), 409
    except DefinitionError as exc:
        db.session.rollback()
        flash("The definition has problems: " + "; ".join(exc.errors), "error")
        return _index_page(), 422
    db.session.commit()
    flash(f"{'Created' if created else 'Updated'} {consultation.title}.", "success")
    return redirect(url_for("consultations.show", consultation_id=consultation.id), 303)


def _show_page(consultation: Consultation, *, live: bool = False) -> str:
    return render_template(
        "consultations/_results.html" if live else "consultations/show.html",
        consultation=consultation,
        live_seconds=float(current_app.config.get("LIVE_REFRESH_SECONDS", 10)),
        **queries.figures(consultation, now=utcnow()).context(),
    )


@bp.get("/<int:consultation_id>")
@roles_required("staff")
def show(consultation_id: int) -> ResponseReturnValue:
    """Show the consultation and, once launched, how it is going."""
    consultation = db.get_or_404(Consultation, consultation_id)
    # The open page polls its own figures (?fragment=results) so they refresh by themselves.
    return _show_page(consultation, live=request.args.get("fragment") == "results")


def _done(consultation: Consultation, message: str) -> ResponseReturnValue:
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("consultations.show", consultation_id=consultation.id), 303)


def _refused(consultation: Consultation, exc: SurveyError) -> ResponseReturnValue:
    """Show the consultation again saying why the action was refused (409: its state forbids it)."""
    db.session.rollback()
    flash(str(exc), "error")
    status = 422 if isinstance(exc, services.InvalidInput) else 409
    return _show_page(consultation), status


@bp.post("/<int:consultation_id>/launch")
@roles_required("staff")
def launch_now(consultation_id: int) -> ResponseReturnValue:
    """Launch now, once staff have seen and confirmed what it will do."""
    consultation = db.get_or_404(Consultation, consultation_id)
    if not ConfirmForm().confirmed():
        return redirect(url_for("consultations.confirm_launch", consultation_id=consultation_id), 303)
    try:
        result = services.launch_now(consultation, actor=current_user, now=utcnow())
    except SurveyError as exc:
        return _refused(consultation, exc)
    return _done(consultation, f"Launched: {result.invited} invited.")


@bp.post("/<int:consultation_id>/schedule")
@roles_required("staff")
def schedule_launch(consultation_id: int) -> ResponseReturnValue:
    """Schedule the launch."""
    consultation = db.get_or_404(Consultation, consultation_id)
    form = ScheduleForm()
    if not form.validate():
        flash(" ".join(form.at.errors), "error")
        return _show_page(consultation), 422
    try:
        launched = services.schedule_launch(consultation, form.when, actor=current_user, now=utcnow())
    except SurveyError as exc:
        return _refused(consultation, exc)
    return _done(consultation, "Launched now (the time has passed)." if launched else "Launch scheduled.")


@bp.post("/<int:consultation_id>/unschedule")
@roles_required("staff")
def unschedule_launch(consultation_id: int) -> ResponseReturnValue:
    """Cancel a scheduled launch."""
    consultation = db.get_or_404(Consultation, consultation_id)
    try:
        services.unschedule_launch(consultation, actor=current_user, now=utcnow())
    except SurveyError as exc:
        return _refused(consultation, exc)
    return _done(consultation, "Back to draft.")


@bp.post("/<int:consultation_id>/close")
@roles_required("staff")
def close_now(consultation_id: int) -> ResponseReturnValue:
    """Close now, once staff have seen and confirmed what it changes."""
    consultation = db.get_or_404(Consultation, consultation_id)
    if not ConfirmForm().confirmed():
        return redirect(url_for("consultations.confirm_close", consultation_id=consultation_id), 303)
    try:
        services.close_now(consultation, actor=current_user, now=utcnow())
    except SurveyError as exc:
        return _refused(consultation, exc)
    return _done(consultation, "Closed.")


@bp.get("/<int:consultation_id>/export.<fmt>")
@roles_required("staff")
def export(consultation_id: int, fmt: str) -> ResponseReturnValue:
    """Download the responses (csv, xlsx) or the definition (json)."""
    consultation = db.get_or_404(Consultation, consultation_id)
    name = consultation.slug
    if fmt == "csv":
        body, mimetype = to_csv(consultation).encode("utf-8-sig"), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body, mimetype = to_xlsx(consultation), XLSX
    elif fmt == "json":
        body = json.dumps(export_definition(consultation), indent=2, ensure_ascii=False).encode()
        mimetype = "application/json"
    else:
        return Response("Unknown format: use csv, xlsx or json.", status=404)
    record(
        "consultation.export",
        actor=current_user,
        target_type="consultation",
        target_id=consultation.id,
        detail={"slug": consultation.slug, "format": fmt},
    )
    db.session.commit()
    disposition = f'attachment; filename="{name}.{fmt}"'
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})


@bp.route("/<int:consultation_id>/entry", methods=["GET", "POST"])
@roles_required("staff")
def entry(consultation_id: int) -> ResponseReturnValue:
    """Type in answers received on paper or over the phone."""
    consultation = db.get_or_404(Consultation, consultation_id)
    context = {
        "consultation": consultation,
        "questions": consultation.questions,
        "field_name": field_name,
        "entry_channels": ["post", "phone"],
        "ask_ref": True,
        "tenure": tenure_question(consultation),
        "action": url_for("consultations.entry", consultation_id=consultation.id),
    }
    if not consultation.questions:
        flash("Add questions before entering answers.", "error")
        return redirect(url_for("consultations.show", consultation_id=consultation.id), 303)
    if request.method == "GET":
        return render_template("consultations/entry.html", errors={}, values={}, **context)
    form = EntryForm()
    channel = form.channel()
    # The answers' fields are built from the questions at run time, so webform reads them itself.
    outcome = submit_open(
        consultation,
        request.form,
        channel=channel,
        now=utcnow(),
        customer_ref=form.customer_ref.data,
        entered_by=current_user,
    )
    if not outcome.ok:
        db.session.rollback()
        values = dict(outcome.values, entry_channel=channel)
        return render_template(
            "consultations/entry.html", errors=outcome.errors, values=values, **context
        ), 422
    db.session.commit()
    flash("Answers saved. Enter the next one below.", "success")
    return redirect(url_for("consultations.entry", consultation_id=consultation.id), 303)
