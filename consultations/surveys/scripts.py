"""A consultation's SMS script (questions, routing, texts) read once per edit and kept per process.

Every answer needs the questions, their types and routing and the words sent back. Reading them
per text cost more than the answer's own writes, so each process keeps them keyed by the
consultation's id and ``updated_at``: any edit to the consultation or one of its questions moves
``updated_at`` on (``touch_edited``), so the next answer reads the new version.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.extensions import db
from app.models.base import utcnow
from consultations.surveys.models import Consultation, Question
from consultations.surveys.responses import participation_hours
from consultations.surveys.texts import question_sms, reprompt_sms
from consultations.tsm.template import is_tsm

# Enough for every consultation a landlord runs at once; older versions are dropped past it.
MAX_SCRIPTS = 256


@dataclass(frozen=True)
class ScriptQuestion:
    """One question as the SMS engine reads it (what the parsers and routing need of a Question)."""

    id: int
    position: int
    key: str
    text: str
    type: str
    options: list[str]
    min_value: int | None
    max_value: int | None
    required: bool
    ask_if: dict[str, Any] | None
    # The question as texted (numbered) and its re-prompt, composed once.
    sms: str = ""
    reprompt: str = ""


@dataclass(frozen=True)
class Script:
    """What answering a consultation by text needs, without touching the database."""

    id: int
    title: str
    thanks: str
    activity_id: int
    hours: Decimal
    questions: tuple[ScriptQuestion, ...]
    # Whether any question has ask_if (then the answers so far are read), and whether it is a
    # TSM survey (then the customer's tenure may skip questions).
    routed: bool
    tsm: bool

    @property
    def topic(self) -> str:
        """Return the outbox topic of the consultation's messages."""
        return f"consultation:{self.id}"


def _question(row: Question) -> ScriptQuestion:
    return ScriptQuestion(
        id=row.id,
        position=row.position,
        key=row.key,
        text=row.text,
        type=row.type,
        options=list(row.options or []),
        min_value=row.min_value,
        max_value=row.max_value,
        required=bool(row.required),
        ask_if=dict(row.ask_if) if row.ask_if else None,
    )


def _build(consultation: Consultation) -> Script:
    questions = [_question(q) for q in consultation.questions]
    texted = tuple(
        replace(q, sms=question_sms(q, n), reprompt=reprompt_sms(q))  # type: ignore[arg-type]
        for n, q in enumerate(questions, start=1)
    )
    return Script(
        id=consultation.id,
        title=consultation.title,
        thanks=consultation.thanks,
        activity_id=consultation.activity_id,
        hours=participation_hours(consultation),
        questions=texted,
        routed=any(q.ask_if for q in texted),
        tsm=is_tsm(list(texted)),
    )


def script_for(consultation_id: int, version: datetime | None) -> Script:
    """Return the consultation's script as of ``version`` (its ``updated_at``), reading it on a miss."""
    cache: dict[tuple[int, Any], Script] = current_app.extensions.setdefault("involve_survey_scripts", {})
    key = (consultation_id, version)
    script = cache.get(key)
    if script is None:
        consultation = db.session.scalar(
            select(Consultation)
            .where(Consultation.id == consultation_id)
            .options(selectinload(Consultation.questions))
        )
        assert consultation is not None
        script = _build(consultation)
        if len(cache) >= MAX_SCRIPTS:
            cache.clear()
        # Keyed by the version the caller read, so a script is never filed under a newer one.
        cache[key] = script
    return script


def touch_edited(session: Session, _context: Any, _instances: Any) -> None:
    """Move ``updated_at`` on for a consultation whose questions are added, changed or removed."""
    touched: set[Consultation] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Question):
            owner = obj.consultation
            if owner is None and obj.consultation_id is not None:
                owner = session.get(Consultation, obj.consultation_id)
            if owner is not None:
                touched.add(owner)
        elif isinstance(obj, Consultation) and obj in session.dirty:
            # Its own columns move updated_at by onupdate; a changed question list does not.
            touched.add(obj)
    for consultation in touched:
        if consultation not in session.deleted:
            consultation.updated_at = utcnow()


def watch_edits() -> None:
    """Listen to every session of the app's kind for question edits (once per process)."""
    from sqlalchemy import event

    target = db.session.session_factory.class_
    if not event.contains(target, "before_flush", touch_edited):
        event.listen(target, "before_flush", touch_edited)
