"""Quiet SMS conversations expire without a text, show on the live page, and a late reply hears why."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from consultations.surveys import stats
from consultations.surveys.jobs import expire_conversations
from consultations.surveys.launch import launch
from consultations.surveys.models import Consultation, Invitation, Response
from consultations.surveys.texts import TIMED_OUT
from messaging.models import InboundMessage, OutboundMessage
from tests.consultations import factories as f
from tests.consultations.helpers import NOW, make_consultation, text_in

PHONE = "+447911123401"
QUIET = "+447911123402"


def _started() -> Consultation:
    """Launch to two phones; the first answers question 1 and goes quiet, the second never replies."""
    f.sms_customer(PHONE, first_name="Ann")
    f.sms_customer(QUIET, first_name="Bob")
    consultation = make_consultation(channels=["sms"], closes_at=None)
    launch(consultation, now=NOW)
    db.session.commit()
    assert text_in(PHONE, "yes", now=NOW + timedelta(hours=1))[0].startswith("Q2:")
    return consultation


def _outbound() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboundMessage)) or 0


def _last_inbound() -> InboundMessage:
    return db.session.scalars(select(InboundMessage).order_by(InboundMessage.id.desc()).limit(1)).one()


def test_the_sweeper_expires_quietly_and_the_live_page_counts_it(
    app: Flask, staff_client: FlaskClient
) -> None:
    consultation = _started()
    texts = _outbound()
    assert expire_conversations(NOW + timedelta(days=7)) == 0  # 7 days less an hour since our last text
    assert expire_conversations(NOW + timedelta(days=7, hours=2)) == 1
    assert expire_conversations(NOW + timedelta(days=8)) == 0  # already done: nothing twice
    assert _outbound() == texts  # nobody is texted when a conversation expires
    statuses = dict(db.session.execute(select(Invitation.address, Invitation.status)).all())
    # Only a conversation under way expires; an unanswered invitation simply stays unanswered.
    assert statuses == {PHONE: "expired", QUIET: "invited"}
    assert db.session.scalars(select(Response.status)).one() == "incomplete"
    assert stats.conversation_counts(consultation) == {"expired": 1, "invited": 1}
    page = staff_client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "<strong>1 expired</strong>" in page
    assert "no text is sent when a conversation expires" in page


def test_a_reply_within_days_of_expiry_hears_once_that_the_survey_timed_out(app: Flask) -> None:
    consultation = _started()
    expire_conversations(NOW + timedelta(days=7, hours=2))
    late = NOW + timedelta(days=9)
    assert text_in(PHONE, "4", now=late) == [TIMED_OUT]
    told = _last_inbound()
    assert told.handled_by == f"consultation:{consultation.id}:timed-out"  # claimed: not in the staff inbox
    reply = db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id.desc()).limit(1)).one()
    assert (reply.to_address, reply.body, reply.topic) == (PHONE, TIMED_OUT, consultation.topic)
    # The answer was not recorded, and a second text is for a person to read, not another automatic reply.
    assert (
        db.session.scalar(select(func.count()).select_from(Response).where(Response.status == "completed"))
        == 0
    )
    assert text_in(PHONE, "sorry, was away. it's great", now=late + timedelta(minutes=5)) == []
    assert _last_inbound().handled_by is None


def test_a_reply_long_after_expiry_goes_to_the_inbox(app: Flask) -> None:
    _started()
    expire_conversations(NOW + timedelta(days=7, hours=2))
    # Expired at day 7 + 1 hour; the kind reply is for three days after that.
    assert text_in(PHONE, "4", now=NOW + timedelta(days=10, hours=2)) == []
    assert _last_inbound().handled_by is None


def test_a_late_reply_before_the_sweeper_ran_expires_the_conversation_too(app: Flask) -> None:
    _started()
    assert text_in(PHONE, "4", now=NOW + timedelta(days=8)) == [TIMED_OUT]
    invitation = db.session.scalars(select(Invitation).where(Invitation.address == PHONE)).one()
    assert invitation.status == "expired"
    assert db.session.scalars(select(Response.status)).one() == "incomplete"
    # The person who never replied gets nothing back: their late text is for the inbox.
    assert text_in(QUIET, "what's this?", now=NOW + timedelta(days=8)) == []


def test_expiry_follows_the_conversation_setting(app: Flask) -> None:
    app.config["SURVEY_CONVERSATION_DAYS"] = 2
    app.config["SURVEY_TIMED_OUT_REPLY_DAYS"] = Decimal("0.5")
    _started()
    assert expire_conversations(NOW + timedelta(days=2, hours=2)) == 1
    assert text_in(PHONE, "4", now=NOW + timedelta(days=2, hours=12)) == [TIMED_OUT]
