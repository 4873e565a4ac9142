"""Staff screens: the list, import, launch/schedule/close, the live page, exports and data entry."""

from __future__ import annotations

import json

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from app.auth.decorators import roles_required
from app.extensions import db
from app.models.audit import record
from app.models.base import utcnow
from consultations.surveys import stats
from consultations.surveys.blueprints import staff_bp as bp
from consultations.surveys.closing import close
from consultations.surveys.definitions import (
    DefinitionError,
    export_definition,
    import_definition,
    parse_when,
)
from consultations.surveys.exports import to_csv, to_xlsx
from consultations.surveys.launch import SurveyError, launch, schedule, unschedule
from consultations.surveys.models import Consultation
from consultations.surveys.webform import field_name, submit_open
from consultations.tsm.tenure_routing import tenure_question
from messaging.api import progress_by_topic

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/")
@roles_required("staff")
def index() -> ResponseReturnValue:
    """List consultations, newest first."""
    consultations = db.session.scalars(select(Consultation).order_by(Consultation.created_at.desc())).all()
    return render_template("consultations/index.html", consultations=consultations)


@bp.post("/import")
@roles_required("staff")
def import_json() -> ResponseReturnValue:
    """Create or update a consultation from an uploaded JSON definition."""
    upload = request.files.get("definition")
    raw = upload.read() if upload else request.form.get("definition_text", "").encode()
    try:
        data = json.loads(raw.decode("utf-8-sig"))
        consultation, created = import_definition(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        flash("That file is not valid JSON.", "error")
        return redirect(url_for("consultations.index"))
    except DefinitionError as exc:
        db.session.rollback()
        flash("The definition has problems: " + "; ".join(exc.errors), "error")
        return redirect(url_for("consultations.index"))
    db.session.commit()
    flash(f"{'Created' if created else 'Updated'} {consultation.title}.", "success")
    return redirect(url_for("consultations.show", consultation_id=consultation.id))


@bp.get("/<int:consultation_id>")
@roles_required("staff")
def show(consultation_id: int) -> ResponseReturnValue:
    """Show the consultation and, once launched, how it is going."""
    consultation = db.get_or_404(Consultation, consultation_id)
    now = utcnow()
    # The open page polls its own figures (?fragment=results) so they refresh by themselves.
    live = request.args.get("fragment") == "results"
    return render_template(
        "consultations/_results.html" if live else "consultations/show.html",
        consultation=consultation,
        live_seconds=float(current_app.config.get("LIVE_REFRESH_SECONDS", 10)),
        channels=stats.channel_figures(consultation),
        reprompts=stats.reprompts(consultation),
        opt_outs=stats.opt_outs(consultation, now),
        conversations=stats.conversation_counts(consultation),
        web_link=stats.web_link_counts(consultation) if consultation.web_link else None,
        questions=stats.question_figures(consultation),
        profile=stats.profile(consultation) if consultation.launched else {},
        trials=stats.trials(consultation),
        progress=progress_by_topic(consultation.topic) if consultation.launched else None,
    )


def _act(consultation_id: int, action: str) -> ResponseReturnValue:
    consultation = db.get_or_404(Consultation, consultation_id)
    now = utcnow()
    try:
        if action == "launch":
            result = launch(consultation, now=now, actor=current_user)
            message = (
                f"Launched: {result.invited} invited." if result.launched else "It was already launched."
            )
        elif action == "schedule":
            errors: list[str] = []
            at = parse_when(request.form.get("at", ""), "Launch time", errors)
            if errors or at is None:
                raise SurveyError(errors[0] if errors else "Give a launch date and time.")
            result = schedule(consultation, at, now=now, actor=current_user)
            message = "Launched now (the time has passed)." if result else "Launch scheduled."
        elif action == "unschedule":
            message = (
                "Back to draft."
                if unschedule(consultation, now=now, actor=current_user)
                else "Not scheduled."
            )
        else:
            message = "Closed." if close(consultation, now=now, actor=current_user) else "It was not open."
    except SurveyError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("consultations.show", consultation_id=consultation_id))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("consultations.show", consultation_id=consultation_id))


@bp.post("/<int:consultation_id>/launch")
@roles_required("staff")
def launch_now(consultation_id: int) -> ResponseReturnValue:
    """Launch now, once staff have seen and confirmed what it will do."""
    if request.form.get("confirm") != "yes":
        return redirect(url_for("consultations.confirm_launch", consultation_id=consultation_id), 303)
    return _act(consultation_id, "launch")


@bp.post("/<int:consultation_id>/schedule")
@roles_required("staff")
def schedule_launch(consultation_id: int) -> ResponseReturnValue:
    """Schedule the launch."""
    return _act(consultation_id, "schedule")


@bp.post("/<int:consultation_id>/unschedule")
@roles_required("staff")
def unschedule_launch(consultation_id: int) -> ResponseReturnValue:
    """Cancel a scheduled launch."""
    return _act(consultation_id, "unschedule")


@bp.post("/<int:consultation_id>/close")
@roles_required("staff")
def close_now(consultation_id: int) -> ResponseReturnValue:
    """Close now, once staff have seen and confirmed what it changes."""
    if request.form.get("confirm") != "yes":
        return redirect(url_for("consultations.confirm_close", consultation_id=consultation_id), 303)
    return _act(consultation_id, "close")


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
        return redirect(url_for("consultations.show", consultation_id=consultation.id))
    if request.method == "GET":
        return render_template("consultations/entry.html", errors={}, values={}, **context)
    channel = request.form.get("entry_channel", "post")
    outcome = submit_open(
        consultation,
        request.form,
        channel=channel if channel in ("post", "phone") else "post",
        now=utcnow(),
        customer_ref=request.form.get("customer_ref", ""),
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
    return redirect(url_for("consultations.entry", consultation_id=consultation.id))
