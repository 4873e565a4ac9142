"""Delivery status callbacks: signed, forward only, undeliverable numbers suppressed."""

from __future__ import annotations

from typing import Any

import pytest

from app.extensions import db
from messaging.api import NewMessage, dispatch_due, enqueue
from messaging.models import OutboundMessage
from messaging.suppression import is_suppressed
from tests.fakes.twilio_sign import signed_status_post
from tests.messaging.conftest import NOON

PHONE = "+447911123456"


@pytest.fixture
def app_config(twilio_config: dict[str, Any]) -> dict[str, Any]:
    return twilio_config


@pytest.fixture
def sent(app, twilio_api) -> OutboundMessage:
    message = enqueue("sms", NewMessage(to=PHONE, body="Hello"), now=NOON)
    db.session.commit()
    dispatch_due(now=NOON)
    db.session.refresh(message)
    assert message.status == "sent"
    return message


def status_of(message: OutboundMessage) -> str:
    db.session.expire_all()
    return db.session.get(OutboundMessage, message.id).status


def test_unsigned_callback_is_refused(client, sent) -> None:
    response = client.post(
        "/messaging/twilio/status", data={"MessageSid": sent.provider_id, "MessageStatus": "failed"}
    )
    assert response.status_code == 403
    assert status_of(sent) == "sent"


def test_delivered_then_late_sent_stays_delivered(client, app, sent) -> None:
    assert signed_status_post(client, app, sent.provider_id, "delivered").status_code == 200
    assert status_of(sent) == "delivered"
    for late in ("sent", "queued", "undelivered", "failed"):
        signed_status_post(client, app, sent.provider_id, late)
        assert status_of(sent) == "delivered"
    assert db.session.get(OutboundMessage, sent.id).delivered_at is not None


def test_30003_is_recorded_not_suppressed(client, app, sent) -> None:
    signed_status_post(client, app, sent.provider_id, "undelivered", "30003")
    message = db.session.get(OutboundMessage, sent.id)
    assert (message.status, message.error_code) == ("undelivered", "30003")
    assert not is_suppressed("sms", PHONE)


@pytest.mark.parametrize("code", ["30005", "30006"])
def test_landline_or_unknown_number_is_suppressed(client, app, sent, code) -> None:
    signed_status_post(client, app, sent.provider_id, "undelivered", code)
    assert is_suppressed("sms", PHONE)
    enqueue_again = enqueue("sms", NewMessage(to=PHONE, body="again"), now=NOON)
    assert enqueue_again is None


def test_unknown_sid_is_a_harmless_200(client, app, sent) -> None:
    assert signed_status_post(client, app, "SMnothing", "delivered").status_code == 200
    assert status_of(sent) == "sent"


def test_callback_settles_a_message_whose_send_result_was_lost(client, app) -> None:
    message = enqueue("sms", NewMessage(to=PHONE, body="Hello"), now=NOON)
    message.status = "unknown"
    db.session.commit()
    signed_status_post(client, app, "SMlate", "delivered", message_id=message.id)
    settled = db.session.get(OutboundMessage, message.id)
    assert (settled.status, settled.provider_id) == ("delivered", "SMlate")
