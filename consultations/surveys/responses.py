"""Record answers and complete responses; a completed response counts once in the ledger."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from app import ledger
from app.extensions import db
from app.models import Participation
from app.periods import LONDON
from consultations.surveys.models import Answer, Consultation, Invitation, Question, Response
from consultations.surveys.parsing import Parsed


def response_for(invitation: Invitation, *, now: datetime) -> Response:
    """Return the invitation's response, starting one when there is none yet."""
    response = db.session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    if response is None:
        response = Response(
            consultation_id=invitation.consultation_id,
            invitation_id=invitation.id,
            customer_id=invitation.customer_id,
            channel=invitation.channel,
            status="started",
            started_at=now,
        )
        db.session.add(response)
        db.session.flush()
    return response


def record_answer(
    response: Response, question: Question, parsed: Parsed, raw: str, *, now: datetime
) -> Answer:
    """Store (or replace) the answer to one question."""
    answer = db.session.scalar(
        select(Answer).where(Answer.response_id == response.id, Answer.question_id == question.id)
    )
    if answer is None:
        answer = Answer(response_id=response.id, question_id=question.id)
        db.session.add(answer)
    answer.value = parsed.value
    answer.number = parsed.number
    answer.option_index = parsed.option_index
    answer.skipped = parsed.skipped
    answer.raw = raw[:2000]
    answer.created_at = now
    db.session.flush()
    return answer


def given_answers(response: Response) -> dict[str, str | None]:
    """Return the response's answers so far by question key (None for a skipped question)."""
    rows = db.session.execute(
        select(Question.key, Answer.value, Answer.skipped)
        .join(Answer, Answer.question_id == Question.id)
        .where(Answer.response_id == response.id)
    )
    return {key: (None if skipped else value) for key, value, skipped in rows}


def participation_hours(consultation: Consultation) -> Decimal:
    """Return the customer hours one completed response represents."""
    return (Decimal(consultation.minutes_per_response or 0) / Decimal(60)).quantize(Decimal("0.0001"))


def complete(response: Response, *, now: datetime, counts: bool = True) -> Participation | None:
    """Mark the response complete and write its one participation row (flush only)."""
    if response.status == "completed":
        return None
    response.status = "completed"
    response.completed_at = now
    if not counts:
        db.session.flush()
        return None
    consultation = db.session.get(Consultation, response.consultation_id)
    assert consultation is not None
    values = {
        "activity_id": consultation.activity_id,
        "customer_id": response.customer_id,
        "date": now.astimezone(LONDON).date(),
        "channel": response.channel,
        "hours": participation_hours(consultation),
        "headcount": 1,
        "source": "survey",
    }
    row: Participation = ledger.write_once(Participation, f"survey-response:{response.id}", values, now=now)
    return row
