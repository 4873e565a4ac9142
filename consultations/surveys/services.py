"""Every change staff make to a consultation: settings, questions, audience, launch and close, audited."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from app.extensions import db
from app.models.audit import record
from consultations.activity_choice import activity_choice_error
from consultations.audience_lists import unlisted_errors
from consultations.audiences import AudienceError, AudienceSpec
from consultations.field_errors import DefinitionError, FieldError, slug_from
from consultations.surveys import queries
from consultations.surveys.closing import close
from consultations.surveys.definitions import (
    FixedQuestions,
    apply_settings,
    export_definition,
    import_definition,
    replace_questions,
    validate,
)
from consultations.surveys.launch import LaunchResult, SurveyError, launch, schedule, unschedule
from consultations.surveys.models import CLOSED, DRAFT, Consultation

QUESTION_ACTIONS = ("add", "save", "delete", "up", "down")
# The actions that name an existing question by its place in the list.
INDEXED = ("save", "delete", "up", "down")


class NotAllowed(SurveyError):
    """The consultation's state forbids the action (launched, closed, or changed meanwhile)."""


class InvalidInput(SurveyError):
    """What staff typed cannot be used; the message says which field and why."""


def _audit(action: str, consultation: Consultation, *, actor: Any, now: datetime, **detail: Any) -> None:
    record(
        action,
        actor=actor,
        target_type="consultation",
        target_id=consultation.id,
        detail={"slug": consultation.slug, **detail},
        now=now,
    )


def require_editable(consultation: Consultation) -> None:
    """Refuse to change the questions or audience once invitations have gone out."""
    if consultation.launched:
        raise NotAllowed("This consultation has been launched, so its questions and audience are fixed.")


def settings_data(base: dict[str, Any], typed: dict[str, Any]) -> dict[str, Any]:
    """Merge the settings form's values into a definition, as ``validate`` expects them."""
    data = dict(base)
    for name, value in typed.items():
        data[name] = value
    if data.get("max_reminders") is None:
        data["max_reminders"] = 0
    if data.get("minutes_per_response") is None:
        data["minutes_per_response"] = 5
    if not data.get("slug") and data.get("title"):
        data["slug"] = slug_from(data["title"])  # made from the title unless staff wrote one
    data.pop("status", None)
    return data


def save_settings(
    consultation: Consultation | None,
    data: dict[str, Any],
    *,
    create_activity: bool,
    actor: Any,
    now: datetime,
) -> Consultation:
    """Create the consultation or change its settings (not its questions); raise DefinitionError or NotAllowed."""
    if consultation is not None and consultation.status == CLOSED:
        raise NotAllowed(f"{consultation.title} is closed, so its settings can no longer change.")
    if consultation is not None and consultation.launched:
        # The invitations went out by these channels; the form shows them fixed and posts none.
        data = dict(data, channels=list(consultation.channels))
    definition = validate(data, require_questions=False)
    chosen = activity_choice_error(definition.activity, create=create_activity)
    if chosen:
        raise DefinitionError([chosen])
    clash = queries.consultation_by_slug(definition.slug)
    if clash is not None and clash is not consultation:
        message = f"Another consultation already uses the web address {definition.slug!r}: choose another."
        raise DefinitionError([FieldError("slug", message)])
    created = consultation is None
    if consultation is None:
        consultation = Consultation(slug=definition.slug, status=DRAFT)
    consultation.slug = definition.slug
    apply_settings(consultation, definition)
    db.session.add(consultation)
    db.session.flush()
    _audit("consultation.create" if created else "consultation.update", consultation, actor=actor, now=now)
    return consultation


def question_to_delete(consultation: Consultation, index: int | None) -> dict[str, Any]:
    """Return the question at ``index`` for the confirmation page; raise NotAllowed when it has gone."""
    require_editable(consultation)
    current = export_definition(consultation)["questions"]
    if index is None or not 0 <= index < len(current):
        raise NotAllowed("That question no longer exists; reload the page.")
    return current[index]


def change_questions(
    consultation: Consultation,
    action: str,
    index: int | None,
    question: dict[str, Any] | None,
    *,
    actor: Any,
    now: datetime,
) -> None:
    """Add, save, delete or move one question; raise NotAllowed or DefinitionError."""
    require_editable(consultation)
    current = export_definition(consultation)["questions"]
    if action not in QUESTION_ACTIONS:
        raise InvalidInput(f"Unknown action {action!r}.")
    if action in INDEXED and (index is None or not 0 <= index < len(current)):
        raise NotAllowed("That question no longer exists; reload the page.")
    assert index is not None or action == "add"
    key = current[index]["key"] if index is not None and action in INDEXED else None
    if action == "delete":
        current.pop(index)  # type: ignore[arg-type]
    elif action in ("up", "down"):
        other = index - 1 if action == "up" else index + 1  # type: ignore[operator]
        if 0 <= other < len(current):
            current[index], current[other] = current[other], current[index]  # type: ignore[index]
    else:
        new = dict(question or {})
        new.setdefault("key", key if action == "save" else f"q{len(current) + 1}")
        key = new["key"]
        if action == "save":
            current[index] = new  # type: ignore[index]
        else:
            current.append(new)
    definition = validate(dict(export_definition(consultation), questions=current), require_questions=False)
    replace_questions(consultation, definition.questions)
    _audit("consultation.update", consultation, actor=actor, now=now, questions=action, key=key)


def check_listed(spec: AudienceSpec) -> None:
    """Refuse filter values that are not on the landlord's lists, naming them."""
    unlisted = unlisted_errors(spec)
    if unlisted:
        raise AudienceError(" ".join(unlisted))


def save_audience(consultation: Consultation, spec: AudienceSpec, *, actor: Any, now: datetime) -> None:
    """Store who is invited; a sample drawn for another audience is dropped."""
    require_editable(consultation)
    check_listed(spec)
    if AudienceSpec.from_json(consultation.audience).to_json() != spec.to_json():
        consultation.sample_record = None  # a draw made earlier no longer describes it
    consultation.audience = spec.to_json()
    db.session.flush()
    _audit("consultation.update", consultation, actor=actor, now=now, audience=True)


def import_data(data: Any, *, actor: Any, now: datetime) -> tuple[Consultation, bool]:
    """Create or update a consultation from its definition; raise DefinitionError or NotAllowed."""
    try:
        consultation, created = import_definition(data)
    except FixedQuestions as exc:
        raise NotAllowed(str(exc)) from exc
    _audit(
        "consultation.create" if created else "consultation.update",
        consultation,
        actor=actor,
        now=now,
        imported=True,
    )
    return consultation, created


def import_json(raw: bytes, *, actor: Any, now: datetime) -> tuple[Consultation, bool]:
    """Create or update a consultation from JSON bytes; raise InvalidInput, DefinitionError or NotAllowed."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput("That file is not valid JSON.") from exc
    return import_data(data, actor=actor, now=now)


def launch_now(consultation: Consultation, *, actor: Any, now: datetime) -> LaunchResult:
    """Launch at once (audited by ``launch``); raise NotAllowed when it cannot or already has."""
    try:
        result = launch(consultation, now=now, actor=actor)
    except SurveyError as exc:
        raise NotAllowed(str(exc)) from exc
    if not result.launched:
        raise NotAllowed(f"{consultation.title} was already launched.")
    return result


def schedule_launch(
    consultation: Consultation, at: datetime, *, actor: Any, now: datetime
) -> LaunchResult | None:
    """Schedule the launch, or launch now when ``at`` has passed; raise InvalidInput or NotAllowed."""
    if at > now and consultation.closes_at and consultation.closes_at <= at:
        raise InvalidInput("The launch time must be before the closing time.")
    try:
        return schedule(consultation, at, now=now, actor=actor)
    except SurveyError as exc:
        raise NotAllowed(str(exc)) from exc


def unschedule_launch(consultation: Consultation, *, actor: Any, now: datetime) -> None:
    """Put a scheduled launch back to draft; raise NotAllowed when it was not scheduled."""
    if not unschedule(consultation, now=now, actor=actor):
        raise NotAllowed(f"{consultation.title} is not scheduled.")


def close_now(consultation: Consultation, *, actor: Any, now: datetime) -> None:
    """Close at once (audited by ``close``); raise NotAllowed when it was not open."""
    if not close(consultation, now=now, actor=actor):
        raise NotAllowed(f"{consultation.title} is not open, so it cannot be closed.")
