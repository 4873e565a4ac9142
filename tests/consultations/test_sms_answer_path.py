"""The answer path of an SMS survey: few statements, a stale read never answers twice, edits are seen."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from flask import Flask
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import Participation
from consultations.surveys.answering import answer_live
from consultations.surveys.conversations import conversation_for
from consultations.surveys.definitions import import_definition
from consultations.surveys.launch import launch
from consultations.surveys.models import Answer, Consultation, Invitation, Response
from consultations.surveys.trials import start_test_conversation
from messaging.api import InboundMessage, OutboundMessage
from tests.consultations import factories as f
from tests.consultations.helpers import NOW, definition, make_consultation, text_in

PHONE = "+447911123401"
# Read the sid and number, read the conversation; move it, start the response, store the answer,
# store the text, queue the reply. Completing adds the ledger row and the report's version.
ANSWER_STATEMENTS = 7
COMPLETING_STATEMENTS = 9


def _fewer_on_postgres() -> int:
    # On PostgreSQL the text and its reply are one statement (messaging/inbound.py), and the move,
    # the response and the answer another (consultations/surveys/answering.py).
    return 3 if db.engine.dialect.name == "postgresql" else 0


@contextmanager
def counted() -> Iterator[list[str]]:
    """Collect the SQL statements sent to the database inside the block."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def launched() -> Consultation:
    f.sms_customer(PHONE, first_name="Ann")
    consultation = make_consultation(channels=["sms"])
    launch(consultation, now=NOW)
    db.session.commit()
    return consultation


def test_an_answer_takes_a_handful_of_statements(app: Flask) -> None:
    launched()
    text_in(PHONE, "1", now=NOW + timedelta(minutes=1))  # the script is read once, on the first answer
    with counted() as statements:
        assert text_in(PHONE, "4", now=NOW + timedelta(minutes=2))[0].startswith("Q3:")
    assert len(statements) <= ANSWER_STATEMENTS - _fewer_on_postgres(), statements
    with counted() as statements:
        assert text_in(PHONE, "fine", now=NOW + timedelta(minutes=3)) == ["Thank you!"]
    assert len(statements) <= COMPLETING_STATEMENTS - _fewer_on_postgres(), statements
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 1
    # Reads come first: nothing is read once the first write has been sent.
    first_write = next(i for i, s in enumerate(statements) if not s.lstrip().upper().startswith("SELECT"))
    assert all(not s.lstrip().upper().startswith("SELECT") for s in statements[first_write:]), statements


def test_the_reply_names_the_stored_text_and_a_repeated_text_queues_nothing(app: Flask) -> None:
    launched()
    assert text_in(PHONE, "1", now=NOW + timedelta(minutes=1), sid="SManswer1")[0].startswith("Q2:")
    stored = db.session.scalars(select(InboundMessage).where(InboundMessage.message_sid == "SManswer1")).one()
    replies = db.session.scalars(select(OutboundMessage).where(OutboundMessage.purpose == "reply")).all()
    assert [(r.ref, r.to_address, r.status) for r in replies] == [(f"inbound:{stored.id}", PHONE, "queued")]
    assert replies[0].body.startswith("Q2:") and replies[0].segments >= 1
    assert stored.handled_by is not None and stored.handled_by.startswith("consultation:")
    # Twilio sending the same text again: nothing is stored, answered or queued a second time.
    assert text_in(PHONE, "1", now=NOW + timedelta(minutes=2), sid="SManswer1") == []
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage).where(OutboundMessage.purpose == "reply")) == 1  # fmt: skip
    assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 1
    assert [a.value for a in db.session.scalars(select(Answer))] == ["Yes"]


def test_a_reply_read_before_another_reply_moved_the_conversation_writes_nothing(app: Flask) -> None:
    launched()
    stale = conversation_for(PHONE, NOW + timedelta(minutes=1))
    assert stale is not None and stale.kind == "live" and stale.row is not None
    # Another reply from the same customer is answered (and committed) after that read.
    text_in(PHONE, "1", now=NOW + timedelta(minutes=1))
    assert answer_live(stale.row, "2", NOW + timedelta(minutes=1)) is None
    db.session.commit()
    invitation = db.session.scalars(select(Invitation)).one()
    assert (invitation.position, invitation.lock_version) == (1, 1)
    assert [a.value for a in db.session.scalars(select(Answer))] == ["Yes"]
    # The chain answers such a reply again under the row lock: as the next question's answer.
    assert text_in(PHONE, "2", now=NOW + timedelta(minutes=2))[0].startswith("Q3:")
    assert sorted(a.value for a in db.session.scalars(select(Answer))) == ["2", "Yes"]


def test_editing_a_draft_mid_trial_changes_the_next_text(app: Flask) -> None:
    consultation = make_consultation(channels=["sms"])
    start_test_conversation(consultation, PHONE, now=NOW)
    db.session.commit()
    assert text_in(PHONE, "1")[0].startswith("Q2: How useful is it, 1 to 5?")
    before = consultation.updated_at
    data = definition(channels=["sms"])
    data["questions"][2]["text"] = "Anything else to tell us?"
    import_definition(data)
    db.session.commit()
    db.session.refresh(consultation)
    assert consultation.updated_at > before
    assert text_in(PHONE, "3")[0].startswith("Q3: Anything else to tell us?")
    assert text_in(PHONE, "no") == ["Thank you!"]
    # A trial is never counted.
    assert db.session.scalar(select(Response.status)) == "completed"
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 0
