"""The builder: settings, questions, audience, preview and trial sends, with the JSON's full power."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.auth.decorators import roles_required
from app.extensions import db
from app.models.base import utcnow
from consultations.audiences import AudienceError, AudienceSpec
from consultations.field_errors import DefinitionError
from consultations.surveys import queries, services
from consultations.surveys.audience_form import GROUPS, choices, stratify_choices
from consultations.surveys.blueprints import staff_bp as bp
from consultations.surveys.definitions import export_definition
from consultations.surveys.forms import AudienceForm, QuestionForm, SettingsForm, SimulateForm, TestSendForm
from consultations.surveys.launch import SurveyError
from consultations.surveys.models import Consultation
from consultations.surveys.preview import build_preview, phone_or_error, send_test
from consultations.surveys.trials import start_test_conversation


def _settings_page(consultation: Consultation | None, values: dict[str, Any], errors: list[Any]) -> str:
    return render_template(
        "consultations/edit.html",
        consultation=consultation,
        values=values,
        errors=errors,
        activities=queries.activity_names(),
    )


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:consultation_id>/edit", methods=["GET", "POST"])
@roles_required("staff")
def edit(consultation_id: int | None = None) -> ResponseReturnValue:
    """Create a consultation or edit its settings."""
    consultation = db.get_or_404(Consultation, consultation_id) if consultation_id else None
    base = export_definition(consultation) if consultation else {"questions": [], "audience": {}}
    form = SettingsForm()
    if not form.is_submitted():
        return _settings_page(consultation, base, [])
    data = services.settings_data(base, form.settings())
    try:
        saved = services.save_settings(
            consultation, data, create_activity=bool(form.new_activity.data), actor=current_user, now=utcnow()
        )
    except SurveyError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _settings_page(consultation, base, []), 409
    except DefinitionError as exc:
        db.session.rollback()
        return _settings_page(consultation, {**data, "new_activity": form.new_activity.data}, exc.errors), 422
    db.session.commit()
    flash("Saved.", "success")
    return redirect(url_for("consultations.questions", consultation_id=saved.id), 303)


def _questions_page(consultation: Consultation, errors: list[Any], values: dict[str, Any]) -> str:
    return render_template(
        "consultations/questions.html", consultation=consultation, errors=errors, form=values
    )


@bp.route("/<int:consultation_id>/questions", methods=["GET", "POST"])
@roles_required("staff")
def questions(consultation_id: int) -> ResponseReturnValue:
    """List the questions; add, change, delete or move one."""
    consultation = db.get_or_404(Consultation, consultation_id)
    form = QuestionForm()
    if not form.is_submitted():
        return _questions_page(consultation, [], {})
    action, index = form.action.data or "add", form.position()
    try:
        if action == "delete" and form.confirm.data != "yes":
            # Say what goes (the question, and any routing that leans on it) before deleting.
            question = services.question_to_delete(consultation, index)
            routed = [
                q
                for q in export_definition(consultation)["questions"]
                if (q.get("ask_if") or {}).get("key") == question["key"]
            ]
            return render_template(
                "consultations/confirm_delete_question.html",
                consultation=consultation,
                index=index,
                question=question,
                routed=routed,
                remaining=len(consultation.questions) - 1,
            )
        services.change_questions(
            consultation, action, index, form.question(), actor=current_user, now=utcnow()
        )
    except services.InvalidInput as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _questions_page(consultation, [], {}), 422
    except SurveyError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _questions_page(consultation, [], {}), 409
    except DefinitionError as exc:
        db.session.rollback()
        return _questions_page(consultation, exc.errors, form.values()), 422
    db.session.commit()
    flash("Questions saved.", "success")
    return redirect(url_for("consultations.questions", consultation_id=consultation.id), 303)


def _audience_page(
    consultation: Consultation, spec: AudienceSpec, errors: list[str], *, unsaved: bool
) -> str:
    return render_template(
        "consultations/audience.html",
        consultation=consultation,
        spec=spec,
        counts=queries.audience_counts(consultation, spec, now=utcnow()),
        errors=errors,
        choices=choices(),
        groups=GROUPS,
        strata=stratify_choices(),
        unsaved=unsaved,
    )


@bp.route("/<int:consultation_id>/audience", methods=["GET", "POST"])
@roles_required("staff")
def audience(consultation_id: int) -> ResponseReturnValue:
    """Choose who is invited and see how many each channel reaches ("Count" recounts without saving)."""
    consultation = db.get_or_404(Consultation, consultation_id)
    spec = AudienceSpec.from_json(consultation.audience)
    form = AudienceForm()
    if not form.is_submitted():
        return _audience_page(consultation, spec, [], unsaved=False)
    try:
        services.require_editable(consultation)
    except SurveyError as exc:
        flash(str(exc), "error")
        return _audience_page(consultation, spec, [], unsaved=False), 409
    try:
        spec = form.spec()
        services.check_listed(spec)
        if form.action.data == "count":
            return _audience_page(consultation, spec, [], unsaved=True)
        services.save_audience(consultation, spec, actor=current_user, now=utcnow())
    except AudienceError as exc:
        db.session.rollback()
        return _audience_page(consultation, spec, [str(exc)], unsaved=True), 422
    db.session.commit()
    flash("Audience saved.", "success")
    return redirect(url_for("consultations.audience", consultation_id=consultation.id), 303)


@bp.post("/<int:consultation_id>/audience/count")
@roles_required("staff")
def audience_count(consultation_id: int) -> ResponseReturnValue:
    """Count the audience the form describes, without saving it (the form's live count)."""
    consultation = db.get_or_404(Consultation, consultation_id)
    try:
        spec = AudienceForm().spec()
    except AudienceError as exc:
        return jsonify({"error": str(exc)}), 422
    counts = queries.audience_counts(consultation, spec, now=utcnow())
    return jsonify(
        {
            "by_channel": counts.by_channel,
            "total": counts.total,
            "skipped": counts.skipped,
            "landlines": counts.skipped.get("landline", 0),
            "sample": counts.sample.describe() if counts.sample else None,
        }
    )


def _preview_page(consultation: Consultation) -> str:
    return render_template(
        "consultations/preview.html",
        consultation=consultation,
        preview=build_preview(consultation, current_app.config),
    )


@bp.get("/<int:consultation_id>/preview")
@roles_required("staff")
def preview(consultation_id: int) -> ResponseReturnValue:
    """Show every text and the email as customers will see them, with segments and cost."""
    consultation = db.get_or_404(Consultation, consultation_id)
    if not consultation.questions:
        flash("Add a question to see the preview.", "error")
        return redirect(url_for("consultations.questions", consultation_id=consultation.id), 303)
    return _preview_page(consultation)


@bp.post("/<int:consultation_id>/test-send")
@roles_required("staff")
def test_send(consultation_id: int) -> ResponseReturnValue:
    """Send the opening text or the invitation email to a member of staff."""
    consultation = db.get_or_404(Consultation, consultation_id)
    form = TestSendForm()
    try:
        to = send_test(consultation, form.channel.data, form.to.data, now=utcnow())
    except SurveyError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        if not consultation.questions:
            return _questions_page(consultation, [], {}), 409
        return _preview_page(consultation), 422
    db.session.commit()
    flash(f"Test sent to {to}.", "success")
    return redirect(url_for("consultations.preview", consultation_id=consultation.id), 303)


@bp.post("/<int:consultation_id>/simulate")
@roles_required("staff")
def simulate(consultation_id: int) -> ResponseReturnValue:
    """Start a trial conversation with a number and open it in the SMS simulator."""
    consultation = db.get_or_404(Consultation, consultation_id)
    form = SimulateForm()
    try:
        phone = phone_or_error(form.phone.data)
    except SurveyError as exc:
        flash(str(exc), "error")
        return _preview_page(consultation), 422
    try:
        start_test_conversation(consultation, phone, now=utcnow(), actor=current_user)
    except SurveyError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        if not consultation.questions:
            return _questions_page(consultation, [], {}), 409
        return _preview_page(consultation), 409
    db.session.commit()
    # With real texts going out the trial runs on the phone itself; only the simulator can show it here.
    if current_app.extensions["involve_channels"].get("sms") == "simulator":
        return redirect(url_for("messaging.simulator", number=phone), 303)
    flash(f"Trial conversation started with {phone}.", "success")
    return redirect(url_for("consultations.preview", consultation_id=consultation.id), 303)
