"""The builder: settings, questions, audience, preview and trial sends, with the JSON's full power."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from app.auth.decorators import roles_required
from app.extensions import db
from app.models import Activity
from app.models.base import utcnow
from consultations.activity_choice import activity_choice_error, wants_new_activity
from consultations.audience_lists import unlisted_errors
from consultations.audiences import (
    AudienceError,
    AudienceSpec,
    count_audience,
)
from consultations.field_errors import FieldError, slug_from
from consultations.surveys.audience_form import GROUPS, choices, spec_from_form, stratify_choices
from consultations.surveys.blueprints import staff_bp as bp
from consultations.surveys.definitions import (
    DefinitionError,
    apply_settings,
    export_definition,
    replace_questions,
    validate,
)
from consultations.surveys.launch import SurveyError
from consultations.surveys.models import DRAFT, Consultation
from consultations.surveys.preview import build_preview, send_test
from consultations.surveys.qtypes import TYPES, LabelledScale
from consultations.surveys.trials import start_test_conversation

SETTINGS = (
    "slug",
    "title",
    "activity",
    "intro",
    "thanks",
    "opens_at",
    "closes_at",
    "reminder_after_hours",
    "max_reminders",
    "minutes_per_response",
)


def _editable(consultation: Consultation) -> None:
    if consultation.launched:
        flash("This consultation has been launched, so its questions and audience are fixed.", "error")
        abort(redirect(url_for("consultations.show", consultation_id=consultation.id)))


def _settings_from_form(base: dict[str, Any]) -> dict[str, Any]:
    data = dict(base)
    for name in SETTINGS:
        value = request.form.get(name, "").strip()
        data[name] = value if value != "" or name in ("intro", "slug", "title", "activity") else None
    for name in ("max_reminders",):
        data[name] = data[name] if data[name] is not None else 0
    if data.get("minutes_per_response") is None:
        data["minutes_per_response"] = 5
    data["channels"] = request.form.getlist("channels")
    data["channel_preference"] = [c for c in request.form.get("preference", "sms,email").split(",") if c]
    data["web_link"] = request.form.get("web_link") == "on"
    if not data.get("slug") and data.get("title"):
        data["slug"] = slug_from(data["title"])  # made from the title unless staff wrote one
    data.pop("status", None)
    return data


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:consultation_id>/edit", methods=["GET", "POST"])
@roles_required("staff")
def edit(consultation_id: int | None = None) -> ResponseReturnValue:
    """Create a consultation or edit its settings."""
    consultation = db.get_or_404(Consultation, consultation_id) if consultation_id else None
    base = export_definition(consultation) if consultation else {"questions": [], "audience": {}}
    activities = db.session.scalars(select(Activity.name).order_by(Activity.name)).all()
    if request.method == "GET":
        return render_template(
            "consultations/edit.html",
            consultation=consultation,
            values=base,
            errors=[],
            activities=activities,
        )
    data = _settings_from_form(base)
    try:
        definition = validate(data, require_questions=False)
        chosen = activity_choice_error(definition.activity, create=wants_new_activity(request.form))
        if chosen:
            raise DefinitionError([chosen])
        clash = db.session.scalar(select(Consultation).where(Consultation.slug == definition.slug))
        if clash is not None and clash is not consultation:
            raise DefinitionError(
                [
                    FieldError(
                        "slug",
                        f"Another consultation already uses the web address {definition.slug!r}: choose another.",
                    )
                ]
            )
    except DefinitionError as exc:
        return render_template(
            "consultations/edit.html",
            consultation=consultation,
            values={**data, "new_activity": wants_new_activity(request.form)},
            errors=exc.errors,
            activities=activities,
        ), 422
    if consultation is None:
        consultation = Consultation(slug=definition.slug, status=DRAFT)
    consultation.slug = definition.slug
    apply_settings(consultation, definition)
    db.session.add(consultation)
    db.session.commit()
    flash("Saved.", "success")
    return redirect(url_for("consultations.questions", consultation_id=consultation.id))


def _question_from_form() -> dict[str, Any]:
    kind = TYPES.get(request.form.get("type", "choice"), TYPES["choice"])
    question: dict[str, Any] = {
        "key": request.form.get("key", "").strip() or None,
        "text": request.form.get("text", ""),
        "type": kind.name,
        "required": request.form.get("required") == "on",
    }
    if kind.takes_options:
        question["options"] = [
            line.strip() for line in request.form.get("options", "").splitlines() if line.strip()
        ]
    if isinstance(kind, LabelledScale) and request.form.getlist("not_counted"):
        question["not_counted"] = request.form.getlist("not_counted")
    if kind.takes_range:
        for name in ("min", "max"):
            if request.form.get(name, "").strip():
                question[name] = request.form[name].strip()
    routed_on = request.form.get("ask_if_key", "").strip()
    if routed_on:
        values = [v.strip() for v in request.form.get("ask_if_in", "").split("|") if v.strip()]
        question["ask_if"] = {"key": routed_on, "in": values}
    return {k: v for k, v in question.items() if v is not None}


@bp.route("/<int:consultation_id>/questions", methods=["GET", "POST"])
@roles_required("staff")
def questions(consultation_id: int) -> ResponseReturnValue:
    """List the questions; add, change, delete or move one."""
    consultation = db.get_or_404(Consultation, consultation_id)
    if request.method == "GET":
        return render_template("consultations/questions.html", consultation=consultation, errors=[], form={})
    _editable(consultation)
    current = export_definition(consultation)["questions"]
    action = request.form.get("action", "add")
    index = request.form.get("index", type=int)
    if action in ("up", "down", "delete", "save") and (index is None or not 0 <= index < len(current)):
        abort(400, "That question no longer exists; reload the page.")
    if action == "delete" and request.form.get("confirm") != "yes":
        # Say what goes (the question, and any routing that leans on it) before deleting.
        routed = [q for q in current if (q.get("ask_if") or {}).get("key") == current[index]["key"]]
        return render_template(
            "consultations/confirm_delete_question.html",
            consultation=consultation,
            index=index,
            question=current[index],
            routed=routed,
            remaining=len(current) - 1,
        )
    if action == "delete":
        current.pop(index)
    elif action in ("up", "down"):
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(current):
            current[index], current[other] = current[other], current[index]
    else:
        new = _question_from_form()
        new.setdefault("key", current[index]["key"] if action == "save" else f"q{len(current) + 1}")
        if action == "save":
            current[index] = new
        else:
            current.append(new)
    try:
        definition = validate(
            dict(export_definition(consultation), questions=current), require_questions=False
        )
    except DefinitionError as exc:
        return render_template(
            "consultations/questions.html", consultation=consultation, errors=exc.errors, form=request.form
        ), 422
    replace_questions(consultation, definition.questions)
    db.session.commit()
    return redirect(url_for("consultations.questions", consultation_id=consultation.id))


def _counted(consultation: Consultation, spec: AudienceSpec) -> Any:
    return count_audience(
        spec,
        consultation.channels,
        consultation.channel_preference or consultation.channels,
        now=utcnow(),
        own=consultation.id,
    )


@bp.route("/<int:consultation_id>/audience", methods=["GET", "POST"])
@roles_required("staff")
def audience(consultation_id: int) -> ResponseReturnValue:
    """Choose who is invited and see how many each channel reaches ("Count" recounts without saving)."""
    consultation = db.get_or_404(Consultation, consultation_id)
    errors: list[str] = []
    spec = AudienceSpec.from_json(consultation.audience)
    if request.method == "POST":
        _editable(consultation)
        try:
            spec = spec_from_form(request.form, request.files.get("refs_file"))
            unlisted = unlisted_errors(spec)
            if unlisted:
                raise AudienceError(" ".join(unlisted))
        except AudienceError as exc:
            errors.append(str(exc))
        else:
            if request.form.get("action") != "count":
                if AudienceSpec.from_json(consultation.audience).to_json() != spec.to_json():
                    consultation.sample_record = None  # a draw made earlier no longer describes it
                consultation.audience = spec.to_json()
                db.session.commit()
                flash("Audience saved.", "success")
                return redirect(url_for("consultations.audience", consultation_id=consultation.id))
    return render_template(
        "consultations/audience.html",
        consultation=consultation,
        spec=spec,
        counts=_counted(consultation, spec),
        errors=errors,
        choices=choices(),
        groups=GROUPS,
        strata=stratify_choices(),
        unsaved=request.method == "POST",
    ), (422 if errors else 200)


@bp.post("/<int:consultation_id>/audience/count")
@roles_required("staff")
def audience_count(consultation_id: int) -> ResponseReturnValue:
    """Count the audience the form describes, without saving it (the form's live count)."""
    consultation = db.get_or_404(Consultation, consultation_id)
    try:
        spec = spec_from_form(request.form, None)
    except AudienceError as exc:
        return jsonify({"error": str(exc)}), 422
    counts = _counted(consultation, spec)
    return jsonify(
        {
            "by_channel": counts.by_channel,
            "total": counts.total,
            "skipped": counts.skipped,
            "landlines": counts.skipped.get("landline", 0),
            "sample": counts.sample.describe() if counts.sample else None,
        }
    )


@bp.get("/<int:consultation_id>/preview")
@roles_required("staff")
def preview(consultation_id: int) -> ResponseReturnValue:
    """Show every text and the email as customers will see them, with segments and cost."""
    consultation = db.get_or_404(Consultation, consultation_id)
    if not consultation.questions:
        flash("Add a question to see the preview.", "error")
        return redirect(url_for("consultations.questions", consultation_id=consultation.id))
    return render_template(
        "consultations/preview.html",
        consultation=consultation,
        preview=build_preview(consultation, current_app.config),
    )


@bp.post("/<int:consultation_id>/test-send")
@roles_required("staff")
def test_send(consultation_id: int) -> ResponseReturnValue:
    """Send the opening text or the invitation email to a member of staff."""
    consultation = db.get_or_404(Consultation, consultation_id)
    try:
        to = send_test(
            consultation, request.form.get("channel", ""), request.form.get("to", ""), now=utcnow()
        )
    except SurveyError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"Test sent to {to}.", "success")
    return redirect(url_for("consultations.preview", consultation_id=consultation.id))


@bp.post("/<int:consultation_id>/simulate")
@roles_required("staff")
def simulate(consultation_id: int) -> ResponseReturnValue:
    """Start a trial conversation with a number and open it in the SMS simulator."""
    from consultations.surveys.preview import phone_or_error

    consultation = db.get_or_404(Consultation, consultation_id)
    try:
        phone = phone_or_error(request.form.get("phone", ""))
        start_test_conversation(consultation, phone, now=utcnow(), actor=current_user)
    except SurveyError as exc:
        flash(str(exc), "error")
        return redirect(url_for("consultations.preview", consultation_id=consultation.id))
    db.session.commit()
    # With real texts going out the trial runs on the phone itself; only the simulator can show it here.
    if current_app.extensions["involve_channels"].get("sms") == "simulator":
        return redirect(url_for("messaging.simulator", number=phone))
    flash(f"Trial conversation started with {phone}.", "success")
    return redirect(url_for("consultations.preview", consultation_id=consultation.id))
