"""The inbound SMS webhook: signatures, retries, keywords, receivers and the inbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Customer
from messaging.api import dispatch_due
from messaging.handlers import EVENT_KEYWORDS, InboundReply, register_inbound_handler
from messaging.inbound import receive_sms
from messaging.models import InboundMessage, OutboundMessage
from messaging.suppression import is_suppressed
from tests.fakes.twilio_sign import sign, signed_sms_post
from tests.messaging.conftest import NOON

PHONE = "+447911123456"


@pytest.fixture
def bgt_receiver(app) -> Iterator[list[str]]:
    """A handler like the events package's: claims RSVP ZZ (a word no real handler uses)."""
    seen: list[str] = []

    def receive(text):
        message = text.message
        seen.append(message.body)
        if message.body.upper() == "RSVP ZZ":
            return InboundReply(handled_by="test-receiver", reply=f"Done: {message.body}", topic="event:1")
        return None

    register_inbound_handler(app, "test-receiver", receive, EVENT_KEYWORDS)
    yield seen


def replies_to(number: str) -> list[str]:
    return list(db.session.scalars(select(OutboundMessage.body).where(OutboundMessage.to_address == number)))


def test_unsigned_and_badly_signed_posts_are_refused(client, app) -> None:
    assert (
        client.post(
            "/messaging/twilio/sms", data={"From": PHONE, "Body": "hi", "MessageSid": "SM1"}
        ).status_code
        == 403
    )
    response = client.post(
        "/messaging/twilio/sms",
        data={"From": PHONE, "Body": "hi", "MessageSid": "SM1"},
        headers={
            "X-Twilio-Signature": sign(
                app, "/messaging/twilio/sms", {"From": PHONE, "Body": "other", "MessageSid": "SM1"}
            )
        },
    )
    assert response.status_code == 403
    assert db.session.scalar(select(InboundMessage.id)) is None


def test_text_is_stored_linked_and_unclaimed_goes_to_inbox(client, app, make_customer) -> None:
    customer = make_customer(phone=PHONE)
    response = signed_sms_post(client, app, PHONE, "Is the meeting still on?")
    assert response.status_code == 200 and b"<Response/>" in response.data
    assert response.mimetype == "text/xml"
    stored = db.session.scalars(select(InboundMessage)).one()
    assert (stored.customer_id, stored.handled_by) == (customer.id, None)


def test_repeated_message_sid_is_a_no_op(client, app, bgt_receiver) -> None:
    for _ in range(3):
        assert signed_sms_post(client, app, PHONE, "RSVP ZZ", sid="SMrepeat").status_code == 200
    assert len(db.session.scalars(select(InboundMessage)).all()) == 1
    assert bgt_receiver == ["RSVP ZZ"]
    assert replies_to(PHONE) == ["Done: RSVP ZZ"]


@pytest.mark.parametrize(
    "word", ["STOP", "stop", " Stop. ", "UNSUBSCRIBE", "cancel", "End!", "QUIT", "optout"]
)
def test_stop_family_opts_out(client, app, make_customer, bgt_receiver, word) -> None:
    customer = make_customer(phone=PHONE)
    signed_sms_post(client, app, PHONE, word)
    assert is_suppressed("sms", PHONE)
    assert db.session.get(Customer, customer.id).sms_opted_out_at is not None
    assert bgt_receiver == [] and replies_to(PHONE) == []
    assert db.session.scalar(select(InboundMessage.handled_by)) == "keyword:stop"


def test_cancel_with_keyword_is_not_an_opt_out(client, app, bgt_receiver) -> None:
    signed_sms_post(client, app, PHONE, "CANCEL BGT")
    assert not is_suppressed("sms", PHONE)
    assert bgt_receiver == ["CANCEL BGT"]  # receivers see it; the events package claims it


def test_opt_out_type_header_suppresses(client, app) -> None:
    signed_sms_post(client, app, PHONE, "Arret", OptOutType="STOP")
    assert is_suppressed("sms", PHONE)


def test_start_lifts_and_yes_only_when_suppressed(client, app, make_customer, bgt_receiver) -> None:
    customer = make_customer(phone=PHONE)
    signed_sms_post(client, app, PHONE, "YES")
    assert bgt_receiver == ["YES"]  # a survey answer while subscribed
    signed_sms_post(client, app, PHONE, "STOP")
    signed_sms_post(client, app, PHONE, "yes")
    assert not is_suppressed("sms", PHONE)
    assert db.session.get(Customer, customer.id).sms_opted_out_at is None
    assert bgt_receiver == ["YES"]
    signed_sms_post(client, app, PHONE, "STOP")
    signed_sms_post(client, app, PHONE, "start")
    assert not is_suppressed("sms", PHONE)
    assert len(replies_to(PHONE)) == 2  # the two resubscribe confirmations


def test_help_replies_with_help_text(client, app, bgt_receiver) -> None:
    signed_sms_post(client, app, PHONE, "help")
    assert replies_to(PHONE) == [app.config["SMS_HELP_TEXT"]]
    assert bgt_receiver == []


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"From": PHONE},
        {"MessageSid": "SMx"},
        {"MessageSid": "SMy", "From": PHONE},
        {"MessageSid": "SMz", "From": PHONE, "Body": "ü😀\x00" * 20000},
        {"MessageSid": "S" * 500, "From": "+" + "4" * 300, "Body": "x"},
    ],
)
def test_odd_posts_never_fail_with_500(client, app, form) -> None:
    response = client.post(
        "/messaging/twilio/sms",
        data=form,
        headers={"X-Twilio-Signature": sign(app, "/messaging/twilio/sms", form)},
    )
    # 413: the 20,000-character body is over WEBHOOK_MAX_CONTENT_LENGTH.
    assert response.status_code in (200, 400, 413)


def test_receive_sms_returns_replies_and_dispatch_sends_them(app, bgt_receiver) -> None:
    assert receive_sms(PHONE, "+447000000001", "RSVP ZZ", "SMdirect", now=NOON) == ["Done: RSVP ZZ"]
    assert receive_sms(PHONE, "+447000000001", "RSVP ZZ", "SMdirect", now=NOON) == []
    db.session.commit()
    assert dispatch_due(now=NOON).sent == 1
    assert db.session.scalar(select(OutboundMessage.topic)) == "event:1"
