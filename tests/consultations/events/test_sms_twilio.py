"""Booking by text end to end: signed Twilio webhooks in, the real twilio client out to the loopback API."""

from __future__ import annotations

from typing import Any

import pytest

from app.models.base import utcnow
from messaging.api import dispatch_due
from tests.fakes.twilio_sign import signed_sms_post


@pytest.fixture
def app_config(twilio_config: dict[str, Any]) -> dict[str, Any]:
    return {**twilio_config, "SMS_RATE_PER_SECOND": 50}


def sent_to(twilio_api, phone: str) -> list[str]:
    return [r.form["Body"] for r in twilio_api.messages() if r.form["To"] == phone]


def test_join_waitlist_cancel_and_promotion_over_twilio(app, client, twilio_api, live_event):
    live_event(capacity=1)
    first, second = "+447912345641", "+447912345642"
    assert signed_sms_post(client, app, first, "JOIN BGT").status_code == 200
    assert signed_sms_post(client, app, second, "join bgt").status_code == 200
    dispatch_due(now=utcnow())
    assert sent_to(twilio_api, first)[0].startswith("You're booked for The Big Get Together")
    assert "waiting list (number 1)" in sent_to(twilio_api, second)[0]

    assert signed_sms_post(client, app, first, "Cancel BGT").status_code == 200
    dispatch_due(now=utcnow())
    assert "is cancelled" in sent_to(twilio_api, first)[-1]
    assert sent_to(twilio_api, second)[-1].startswith("Good news: a place came up")


def test_unsigned_text_books_nothing(app, client, twilio_api, live_event):
    from sqlalchemy import select

    from app.extensions import db
    from consultations.events.models import Booking

    live_event()
    response = client.post(
        "/messaging/twilio/sms", data={"From": "+447912345643", "Body": "JOIN BGT", "MessageSid": "SMx"}
    )
    assert response.status_code in (400, 403)
    assert db.session.scalar(select(Booking)) is None
