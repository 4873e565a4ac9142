"""Responses collected elsewhere (paper, phone, door-step, a contractor's file) loaded from CSV or XLSX.

Columns: customer_ref, channel, date, then one per question key. Answers are the option's words
(any case) or numbers for scales and numbers; a blank cell is a question not asked or skipped.
The whole file is checked first and loads only when every row is right; each row becomes one
completed response, counted exactly as a response completed in Involve (participation, results,
exports). One file loads once: each row carries the file's digest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.extensions import db
from app.imports.result import ImportRejected, Problems, quoted
from app.models import Customer
from app.models.audit import record
from app.periods import LONDON
from consultations.surveys.models import STARTED, Answer, Consultation, Question, Response
from consultations.surveys.parsing import Parsed
from consultations.surveys.qtypes import kind
from consultations.surveys.responses import complete
from consultations.surveys.routing import asked
from consultations.surveys.sheets import read_table

FIXED = ("customer_ref", "channel", "date")
CHANNEL_WORDS = {
    "post": "post",
    "paper": "post",
    "postal": "post",
    "phone": "phone",
    "telephone": "phone",
    "web": "web",
    "online": "web",
    "internet": "web",
    "email": "email",
    "sms": "sms",
    "text": "sms",
    "in person": "in person",
    "face to face": "in person",
    "door-step": "in person",
    "doorstep": "in person",
    "door step": "in person",
}


@dataclass
class Loaded:
    """What a file loaded: responses per channel."""

    responses: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)


def _day(raw: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


def _answer(question: Question, raw: str) -> Parsed | str:
    """Read one cell strictly: the option's words (any case) or a number; return the answer or a message."""
    qtype = kind(question)
    labels = qtype.labels(question)
    if qtype.figures == "options":
        # Curly apostrophes from Word and Excel ("Don’t know") match the straight ones.
        label = qtype.routing_value(question, raw.replace("\u2019", "'"))
        if label is None:
            return f"{quoted(raw)} is not an answer to {question.key}; use one of: {', '.join(labels)}"
        return Parsed(True, label, option_index=labels.index(label))
    if qtype.figures in ("scale", "numbers"):
        parsed = qtype.parse(question, raw)
        if not parsed.ok:
            return f"{quoted(raw)} is not an answer to {question.key}: {qtype.hint(question).lower()}"
        return parsed
    return qtype.read_field(question, raw)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def import_responses(
    consultation: Consultation, filename: str, data: bytes, *, now: datetime, entered_by: Any = None
) -> Loaded:
    """Check the whole file, then load every row as a completed response (flush only).

    Raises ImportRejected naming each bad row and column; nothing is written then.
    """
    questions = list(consultation.questions)
    by_key = {q.key.casefold(): q for q in questions}
    header, rows = read_table(filename, data)
    problems = Problems(filename)
    names = [h.strip() for h in header]
    lowered = [n.casefold() for n in names]
    missing = [c for c in FIXED if c not in lowered]
    if missing:
        problems.add(
            f"missing column(s): {', '.join(missing)}; the first columns must be {', '.join(FIXED)}", row=1
        )
    unknown = [n for n in names if n and n.casefold() not in FIXED and n.casefold() not in by_key]
    if unknown:
        keys = ", ".join(q.key for q in questions)
        problems.add(f"unknown column(s): {', '.join(unknown)}; the question keys are: {keys}", row=1)
    problems.raise_if_any()
    digest = _digest(data)
    already = db.session.scalar(select(func.count()).where(Response.source_key.like(f"import:{digest}:%")))
    if already:
        raise ImportRejected(filename, [f"{filename}: this file was imported already ({already} responses)"])
    refs = {
        cells[lowered.index("customer_ref")].strip().upper()
        for _, cells in rows
        if len(cells) > lowered.index("customer_ref")
    } - {""}
    customers = (
        dict(
            db.session.execute(
                select(func.upper(Customer.ref), Customer.id).where(
                    func.upper(Customer.ref).in_(refs), Customer.erased_at.is_(None)
                )
            ).all()
        )
        if refs
        else {}
    )
    today = now.astimezone(LONDON).date()
    checked: list[tuple[int, int | None, str, date, dict[int, tuple[Parsed, str]]]] = []
    for number, cells in rows:
        values = {lowered[i]: cells[i].strip() for i in range(min(len(cells), len(lowered))) if lowered[i]}
        ref = values.get("customer_ref", "")
        customer_id = customers.get(ref.upper()) if ref else None
        if ref and customer_id is None:
            problems.add(f"no customer with reference {quoted(ref)} on the register", number, "customer_ref")
        channel = CHANNEL_WORDS.get(" ".join(values.get("channel", "").lower().replace("_", " ").split()))
        if channel is None:
            problems.add(
                f"{quoted(values.get('channel', ''))} is not a channel; use post, phone, web, email, sms or in person",
                number,
                "channel",
            )
        day = _day(values.get("date", ""))
        if day is None:
            problems.add(
                f"{quoted(values.get('date', ''))} is not a date like 2026-11-30 or 30/11/2026",
                number,
                "date",
            )
        elif day > today:
            problems.add(f"{day:%d/%m/%Y} is in the future", number, "date")
        answers: dict[int, tuple[Parsed, str]] = {}
        given: dict[str, str | None] = {}
        for question in questions:
            raw = values.get(question.key.casefold(), "")
            if not asked(question, given):
                if raw:
                    rule = question.ask_if or {}
                    problems.add(
                        f"has an answer, but the answer to {rule.get('key')} means {question.key} is not asked",
                        number,
                        question.key,
                    )
                continue
            result = _answer(question, raw) if raw else Parsed(True, skipped=True)
            if isinstance(result, str):
                problems.add(result, number, question.key)
                given[question.key] = None
                continue
            answers[question.id] = (result, raw)
            given[question.key] = None if result.skipped else result.value
        if channel and day:
            checked.append((number, customer_id, channel, day, answers))
    if not rows:
        problems.add("has no responses below the header")
    problems.raise_if_any()
    loaded = Loaded()
    for number, customer_id, channel, day, answers in checked:
        # Noon London time on the day given: the date is all a paper form or contractor's file has.
        at = datetime.combine(day, time(12), tzinfo=LONDON).astimezone(ZoneInfo("UTC"))
        response = Response(
            consultation_id=consultation.id,
            customer_id=customer_id,
            channel=channel,
            status=STARTED,
            started_at=at,
            entered_by_id=getattr(entered_by, "id", None),
            source_key=f"import:{digest}:{number}",
        )
        db.session.add(response)
        db.session.flush()
        db.session.add_all(
            Answer(
                response_id=response.id,
                question_id=question_id,
                value=parsed.value,
                number=parsed.number,
                option_index=parsed.option_index,
                skipped=parsed.skipped,
                raw=raw[:2000],
                created_at=at,
            )
            for question_id, (parsed, raw) in answers.items()
        )
        complete(response, now=at)
        loaded.responses += 1
        loaded.by_channel[channel] = loaded.by_channel.get(channel, 0) + 1
    db.session.flush()
    return loaded


def load_responses(
    consultation: Consultation,
    filename: str,
    data: bytes,
    *,
    now: datetime,
    actor: Any,
    entered_by: Any = None,
) -> Loaded:
    """Import a responses file and audit it: the one path the command and the staff page share (flush only).

    Raises ImportRejected, having written nothing, when any row is wrong.
    """
    loaded = import_responses(consultation, filename, data, now=now, entered_by=entered_by)
    record(
        "consultation.import_responses",
        actor=actor,
        target_type="consultation",
        target_id=consultation.id,
        now=now,
        detail={"slug": consultation.slug, "file": filename, "responses": loaded.responses},
    )
    return loaded
