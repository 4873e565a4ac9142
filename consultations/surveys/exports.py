"""Responses out as CSV (formula-safe) and XLSX, one row per response and a column per question."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Customer
from app.periods import LONDON
from consultations.surveys.models import Answer, Consultation, Response, real_responses
from consultations.surveys.qtypes import kind
from consultations.surveys.routing import asked_keys

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FIXED = ["response_id", "channel", "status", "started_at", "completed_at", "customer_ref", "area", "tenure"]


def formula_safe(value: Any) -> Any:
    """Prefix text a spreadsheet would run as a formula with a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def header(consultation: Consultation) -> list[str]:
    """Return the column names: fixed columns, then each question's key."""
    return FIXED + [q.key for q in consultation.questions]


def _when(value: Any) -> str:
    return value.astimezone(LONDON).strftime("%Y-%m-%d %H:%M") if value else ""


NOT_ASKED = "(not asked)"


def _answer_cell(answer: Answer | None, asked: bool = True) -> Any:
    if not asked:
        return NOT_ASKED
    if answer is None:
        return ""
    if answer.skipped:
        return "(skipped)"
    if answer.number is not None:
        number = answer.number
        return int(number) if number == number.to_integral_value() else float(number)
    return answer.value


def _given(answer: Answer | None) -> str | None:
    return None if answer is None or answer.skipped else answer.value


def rows(consultation: Consultation) -> Iterator[list[Any]]:
    """Yield one row of raw values per response, oldest first."""
    query = (
        select(Response)
        .where(Response.consultation_id == consultation.id, real_responses())
        .options(selectinload(Response.answers), selectinload(Response.customer).selectinload(Customer.area))
        .order_by(Response.id)
        .execution_options(yield_per=500)
    )
    questions = consultation.questions
    for response in db.session.scalars(query):
        by_question = {a.question_id: a for a in response.answers}
        given = {q.key: _given(by_question.get(q.id)) for q in questions}
        asked = asked_keys(questions, given)
        customer = response.customer
        yield [
            response.id,
            response.channel,
            response.status,
            _when(response.started_at),
            _when(response.completed_at),
            customer.ref if customer else "",
            customer.area.name if customer and customer.area else "",
            (customer.tenure or "") if customer else "",
            *(_answer_cell(by_question.get(q.id), q.key in asked) for q in questions),
        ]


def to_csv(consultation: Consultation) -> str:
    """Return the responses as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header(consultation))
    for row in rows(consultation):
        writer.writerow([formula_safe(v) for v in row])
    return out.getvalue()


def to_xlsx(consultation: Consultation) -> bytes:
    """Return the responses as an XLSX workbook."""
    from openpyxl import Workbook  # loaded on first use so commands start quickly

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="Responses")
    sheet.append(header(consultation))
    for row in rows(consultation):
        sheet.append([formula_safe(v) for v in row])
    questions = book.create_sheet(title="Questions")
    questions.append(["key", "type", "text", "options", "asked_if"])
    for q in consultation.questions:
        labels = " | ".join(kind(q).labels(q))
        rule = f"{q.ask_if['key']} in {' | '.join(q.ask_if['in'])}" if q.ask_if else ""
        questions.append([formula_safe(v) for v in (q.key, q.type, q.text, labels, rule)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
