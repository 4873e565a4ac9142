"""The webhook stores texts; the clock answers them in batches, in order, each failure alone."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from app.extensions import db
from app.models.base import utcnow
from consultations.surveys.launch import launch
from consultations.surveys.models import Answer, Invitation, Question, Response
from messaging.clock import clock_health
from messaging.handlers import EVENT_KEYWORDS, InboundText, register_inbound_handler
from messaging.models import InboundMessage, OutboundMessage
from tests.consultations import factories as f
from tests.consultations.helpers import make_consultation
from tests.fakes.twilio_sign import handle_stored, signed_sms_post

STRANGER = "+447911000999"


@pytest.fixture(autouse=True)
def pending_log(caplog: pytest.LogCaptureFixture) -> None:
    """Hear messaging.pending's INFO lines: these tests read them to tell a batch from its retry."""
    assert not logging.getLogger("messaging.pending").disabled
    caplog.set_level(logging.INFO, logger="messaging.pending")


def phone(n: int) -> str:
    return f"+4479111234{n:02d}"


def surveyed(count: int) -> int:
    """Launch the three-question SMS survey to ``count`` customers; return the consultation's id."""
    for n in range(count):
        f.sms_customer(phone(n), first_name=f"Cust{n}")
    consultation = make_consultation(channels=["sms"], closes_at=None)
    launch(consultation, now=utcnow())
    db.session.commit()
    return consultation.id


def answers_of(number: str) -> list[tuple[str, str | None]]:
    db.session.expire_all()
    return [
        (key, value)
        for key, value in db.session.execute(
            select(Question.key, Answer.value)
            .join(Answer, Answer.question_id == Question.id)
            .join(Response, Response.id == Answer.response_id)
            .join(Invitation, Invitation.id == Response.invitation_id)
            .where(Invitation.address == number)
            .order_by(Question.position)
        )
    ]


def replies_to(number: str) -> list[str]:
    return list(
        db.session.scalars(
            select(OutboundMessage.body)
            .where(OutboundMessage.to_address == number, OutboundMessage.purpose == "reply")
            .order_by(OutboundMessage.id)
        )
    )


def one_at_a_time(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if "one at a time" in record.getMessage()]


def test_a_text_waits_for_the_clock_out_of_the_inbox(
    app: Flask, client: FlaskClient, staff_client: FlaskClient
) -> None:
    assert (
        signed_sms_post(client, app, STRANGER, "Who do I ask about my rent?", handle=False).status_code == 200
    )
    stored = db.session.scalars(select(InboundMessage)).one()
    assert (stored.handled_at, stored.handled_by) == (None, None)
    # Not in the staff inbox yet: no handler has had the chance to claim it.
    assert b"Who do I ask about my rent?" not in staff_client.get("/messaging/inbox?show=all").data
    assert clock_health(app, utcnow()).unhandled == 1
    assert handle_stored(app) == 1
    db.session.expire_all()
    assert stored.handled_at is not None and stored.handled_by is None
    assert b"Who do I ask about my rent?" in staff_client.get("/messaging/inbox?show=all").data
    assert clock_health(app, utcnow()).unhandled == 0


def test_one_batch_answers_everyone_and_a_customer_twice_in_order(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    surveyed(6)
    for n in range(5):
        signed_sms_post(client, app, phone(n), "Yes", handle=False)
    # Customer 5 answers two questions before the clock comes round: both count, in order.
    signed_sms_post(client, app, phone(5), "No", handle=False)
    signed_sms_post(client, app, phone(5), "4", handle=False)
    assert handle_stored(app) == 7
    for n in range(5):
        assert answers_of(phone(n)) == [("reads", "Yes")]
        assert replies_to(phone(n)) == ["Q2: How useful is it, 1 to 5?\nReply a number from 1 to 5"]
    assert answers_of(phone(5)) == [("reads", "No"), ("score", "4")]
    assert len(replies_to(phone(5))) == 2
    assert one_at_a_time(caplog) == []
    assert db.session.scalar(select(InboundMessage.id).where(InboundMessage.handled_at.is_(None))) is None


def test_a_text_whose_handling_fails_fails_alone(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    surveyed(3)

    def breaks(text: InboundText) -> Any:
        if text.body == "boom":
            raise RuntimeError("handler bug")
        return None

    register_inbound_handler(app, "test-breaks", breaks, EVENT_KEYWORDS)
    signed_sms_post(client, app, phone(0), "Yes", handle=False)
    signed_sms_post(client, app, STRANGER, "boom", handle=False)
    signed_sms_post(client, app, phone(1), "No", handle=False)
    assert handle_stored(app) == 3
    assert answers_of(phone(0)) == [("reads", "Yes")] and answers_of(phone(1)) == [("reads", "No")]
    boom = db.session.scalars(select(InboundMessage).where(InboundMessage.body == "boom")).one()
    assert boom.handled_at is not None and boom.handled_by is None  # in the staff inbox
    assert len(one_at_a_time(caplog)) == 1


def test_a_conversation_moved_meanwhile_undoes_the_batch_and_is_answered_once(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    surveyed(2)
    bumped = []

    def moves_it(text: InboundText) -> Any:
        # Something else (a sweeper, a staff action) moves customer 0's conversation mid-batch.
        if text.body == "bump":
            db.session.execute(
                update(Invitation)
                .where(Invitation.address == phone(0))
                .values(lock_version=Invitation.lock_version + 1)
            )
            bumped.append(text.message.id)
        return None

    register_inbound_handler(app, "test-moves", moves_it, EVENT_KEYWORDS)
    signed_sms_post(client, app, phone(0), "Yes", handle=False)
    signed_sms_post(client, app, STRANGER, "bump", handle=False)
    signed_sms_post(client, app, phone(1), "No", handle=False)
    assert handle_stored(app) == 3
    assert one_at_a_time(caplog), "the stale batch should have been handled again text by text"
    assert answers_of(phone(0)) == [("reads", "Yes")] and answers_of(phone(1)) == [("reads", "No")]
    positions = dict(db.session.execute(select(Invitation.address, Invitation.position)).all())
    assert positions == {phone(0): 1, phone(1): 1}
    assert len(replies_to(phone(0))) == 1 and len(replies_to(phone(1))) == 1
    assert len(bumped) == 2  # once in the undone batch, once alone
