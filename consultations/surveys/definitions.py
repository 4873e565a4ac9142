"""Consultation definitions as JSON: validate, import (create or update by slug) and export."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from app.activities import activity_named
from app.extensions import db
from app.periods import LONDON
from consultations.audience_lists import unknown_areas, unlisted_errors
from consultations.audiences import CHANNELS, AudienceError, AudienceSpec
from consultations.field_errors import DefinitionError, FieldError, check_one_line, read_local_time
from consultations.surveys.models import DRAFT, Consultation, Question
from consultations.surveys.question_defs import as_question, check_question, check_routing, question_json
from consultations.tsm.template import own_questions_out_of_place

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
TOP_FIELDS = {
    "slug",
    "title",
    "activity",
    "channels",
    "channel_preference",
    "audience",
    "intro",
    "thanks",
    "opens_at",
    "closes_at",
    "reminder_after_hours",
    "max_reminders",
    "minutes_per_response",
    "web_link",
    "questions",
    "status",
}


TITLE_MAX = 200
# How people name each setting in messages (the JSON keys mean nothing to them).
LABELS = {
    "slug": "a web address (slug)",
    "title": "a title",
    "activity": "the activity it counts towards",
    "opens_at": "the opening time",
    "closes_at": "the closing time",
    "reminder_after_hours": "the hours before a reminder",
    "max_reminders": "the number of reminders",
    "minutes_per_response": "the minutes one response takes",
    "intro": "the introduction",
    "thanks": "the thanks",
    "min": "the lowest value",
    "max": "the highest value",
}


class FixedQuestions(DefinitionError):
    """The definition changes the questions of a consultation already launched."""


@dataclass
class Definition:
    """A checked definition, ready to write."""

    slug: str
    title: str
    activity: str
    channels: list[str]
    channel_preference: list[str]
    audience: AudienceSpec
    intro: str
    thanks: str
    opens_at: datetime | None
    closes_at: datetime | None
    reminder_after_hours: float | None
    max_reminders: int
    minutes_per_response: Decimal
    web_link: bool
    questions: list[dict[str, Any]] = field(default_factory=list)


def parse_when(value: Any, name: str, errors: list[str]) -> datetime | None:
    """Read a survey's date-time field (naive values are UK local time); UTC, or None with an error."""
    return read_local_time(value, name, LABELS.get(name, name), "2011-06-30T17:00", errors)


def _text(data: dict[str, Any], name: str, errors: list[str], *, required: bool, default: str = "") -> str:
    value = data.get(name, default)
    if value is None:
        value = default
    if not isinstance(value, str):
        errors.append(FieldError(name, f"Enter {LABELS.get(name, name)} as text."))
        return default
    if required and not value.strip():
        errors.append(FieldError(name, f"Give the survey {LABELS.get(name, name)}."))
    return value.strip()


def _number(value: Any, name: str, errors: list[str], *, minimum: float, integer: bool = False) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        errors.append(FieldError(name, f"Enter {LABELS.get(name, name)} as a number."))
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors.append(FieldError(name, f"Enter {LABELS.get(name, name)} as a number, not {value!r}."))
        return None
    if not number.is_finite() or number < minimum or (integer and number != number.to_integral_value()):
        kind = "a whole number" if integer else "a number"
        errors.append(FieldError(name, f"Enter {LABELS.get(name, name)} as {kind} of at least {minimum}."))
        return None
    return int(number) if integer else number


def validate(data: Any, *, require_questions: bool = True) -> Definition:
    """Check a definition; raise DefinitionError listing every problem."""
    if not isinstance(data, dict):
        raise DefinitionError(["the definition must be a JSON object"])
    errors: list[str] = []
    unknown = sorted(set(data) - TOP_FIELDS)
    if unknown:
        errors.append(f"unknown field(s): {', '.join(unknown)}")
    slug = _text(data, "slug", errors, required=True)
    if slug and not SLUG.match(slug):
        errors.append(
            FieldError(
                "slug",
                "The web address (slug) may use only lower-case letters, digits and hyphens, "
                "starting with a letter or digit, up to 80 characters.",
            )
        )
    title = _text(data, "title", errors, required=True)
    if len(title) > TITLE_MAX:
        errors.append(
            FieldError("title", f"Keep the title to {TITLE_MAX} characters or fewer (it has {len(title)}).")
        )
    activity = _text(data, "activity", errors, required=True)
    # Titles reach email subjects: a line break there would start a new header.
    check_one_line(title, "title", "title", errors)
    check_one_line(activity, "activity", "activity name", errors)
    channels = data.get("channels", [])
    if not isinstance(channels, list) or not channels or any(c not in CHANNELS for c in channels):
        errors.append(FieldError("channels", "Choose how to send it: by text message, by email, or both."))
        channels = [c for c in channels if c in CHANNELS] if isinstance(channels, list) else []
    preference = data.get("channel_preference") or list(channels)
    if not isinstance(preference, list) or any(c not in CHANNELS for c in preference):
        errors.append(
            FieldError("preference", "Choose which to send someone who has both: a text or an email.")
        )
        preference = list(channels)
    try:
        audience = AudienceSpec.from_json(data.get("audience"))
    except AudienceError as exc:
        errors.append(str(exc))
        audience = AudienceSpec()
    missing = unknown_areas(audience)
    if missing:
        errors.append(FieldError("areas", f"There is no area called {', '.join(missing)}."))
    errors.extend(unlisted_errors(audience))
    opens_at = parse_when(data.get("opens_at"), "opens_at", errors)
    closes_at = parse_when(data.get("closes_at"), "closes_at", errors)
    if opens_at and closes_at and closes_at <= opens_at:
        errors.append(FieldError("closes_at", "The closing time must be after the opening time."))
    after = data.get("reminder_after_hours")
    after = None if after is None else _number(after, "reminder_after_hours", errors, minimum=0)
    max_reminders = _number(
        data.get("max_reminders", 1 if after else 0), "max_reminders", errors, minimum=0, integer=True
    )
    minutes = _number(data.get("minutes_per_response", 5), "minutes_per_response", errors, minimum=0)
    web_link = data.get("web_link", False)
    if not isinstance(web_link, bool):
        errors.append(FieldError("web_link", "Say whether to open a web link: true or false."))
    raw_questions = data.get("questions")
    questions: list[dict[str, Any]] = []
    if not isinstance(raw_questions, list) or (require_questions and not raw_questions):
        errors.append(FieldError("questions", "Add at least one question."))
    else:
        questions = [check_question(q, i, errors) for i, q in enumerate(raw_questions)]
        keys = [q.get("key") for q in questions]
        for key in sorted({k for k in keys if keys.count(k) > 1 and k}):
            errors.append(FieldError("key", f"Two questions have the short name {key!r}: give each its own."))
        check_routing(questions, errors)
        misplaced = own_questions_out_of_place(keys)
        if misplaced:
            errors.append(
                FieldError(
                    "questions",
                    f"In a Tenant Satisfaction Measures survey your own questions come after TP01–TP12: "
                    f"move {', '.join(misplaced)} after TP12.",
                )
            )
    if errors:
        raise DefinitionError(errors)
    return Definition(
        slug=slug,
        title=title,
        activity=activity,
        channels=list(dict.fromkeys(channels)),
        channel_preference=list(dict.fromkeys(preference)),
        audience=audience,
        intro=_text(data, "intro", errors, required=False),
        thanks=_text(data, "thanks", errors, required=False, default="Thank you!") or "Thank you!",
        opens_at=opens_at,
        closes_at=closes_at,
        reminder_after_hours=float(after) if after is not None else None,
        max_reminders=int(max_reminders or 0),
        minutes_per_response=Decimal(minutes),
        web_link=bool(web_link),
        questions=questions,
    )


def _when_json(value: datetime | None) -> str | None:
    return value.astimezone(LONDON).replace(tzinfo=None).isoformat() if value else None


def export_definition(consultation: Consultation) -> dict[str, Any]:
    """Return the consultation's definition; importing it again changes nothing."""
    minutes = consultation.minutes_per_response
    return {
        "slug": consultation.slug,
        "title": consultation.title,
        "activity": consultation.activity.name,
        "channels": list(consultation.channels),
        "channel_preference": list(consultation.channel_preference),
        "audience": AudienceSpec.from_json(consultation.audience).to_json(),
        "web_link": consultation.web_link,
        "intro": consultation.intro,
        "thanks": consultation.thanks,
        "opens_at": _when_json(consultation.opens_at),
        "closes_at": _when_json(consultation.closes_at),
        "reminder_after_hours": consultation.reminder_after_hours,
        "max_reminders": consultation.max_reminders,
        "minutes_per_response": int(minutes) if minutes == minutes.to_integral_value() else float(minutes),
        "status": consultation.status,
        "questions": [question_json(q) for q in consultation.questions],
    }


def _same_questions(consultation: Consultation, questions: list[dict[str, Any]]) -> bool:
    current = [question_json(q) for q in consultation.questions]
    wanted = [{k: v for k, v in question_json(as_question(q)).items()} for q in questions]
    return current == wanted


def import_definition(data: Any) -> tuple[Consultation, bool]:
    """Create or update a consultation by slug; return it and whether it was created (flush only)."""
    definition = validate(data)
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == definition.slug))
    created = consultation is None
    if consultation is None:
        consultation = Consultation(slug=definition.slug, status=DRAFT)
    elif consultation.launched and not _same_questions(consultation, definition.questions):
        raise FixedQuestions(
            [f"questions: {definition.slug} has been launched, so its questions can no longer change"]
        )
    apply_settings(consultation, definition)
    # Added only now: finding the activity flushes, and a consultation needs its activity first.
    db.session.add(consultation)
    if created or not consultation.launched:
        replace_questions(consultation, definition.questions)
    db.session.flush()
    return consultation, created


def apply_settings(consultation: Consultation, definition: Definition) -> None:
    """Copy everything but the questions onto the consultation."""
    consultation.title = definition.title
    consultation.activity = activity_named(definition.activity, category="consultation")
    consultation.channels = definition.channels
    consultation.channel_preference = definition.channel_preference
    consultation.audience = definition.audience.to_json()
    consultation.intro = definition.intro
    consultation.thanks = definition.thanks
    consultation.opens_at = definition.opens_at
    consultation.closes_at = definition.closes_at
    consultation.reminder_after_hours = definition.reminder_after_hours
    consultation.max_reminders = definition.max_reminders
    consultation.minutes_per_response = definition.minutes_per_response
    consultation.web_link = definition.web_link


def replace_questions(consultation: Consultation, questions: list[dict[str, Any]]) -> None:
    """Make the consultation's questions exactly ``questions``, keeping rows whose key stays."""
    existing = {q.key: q for q in consultation.questions}
    kept: list[Question] = []
    for position, data in enumerate(questions):
        fresh = as_question(data, position)
        row = existing.pop(data["key"], None) or Question(key=data["key"])
        for attr in ("position", "text", "type", "options", "min_value", "max_value", "required", "ask_if"):
            setattr(row, attr, getattr(fresh, attr))
        kept.append(row)
    consultation.questions = kept
    db.session.flush()
