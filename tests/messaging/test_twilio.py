"""The real twilio client against the loopback Messages API: pacing, retries, permanent failures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Customer
from messaging.api import NewMessage, dispatch_due, enqueue, enqueue_many
from messaging.models import OutboundMessage
from messaging.suppression import is_suppressed
from tests.fakes.fixtures import TWILIO_FROM
from tests.messaging.conftest import NOON

PHONE = "+447911123456"


@pytest.fixture
def app_config(twilio_config: dict[str, Any]) -> dict[str, Any]:
    return {**twilio_config, "SMS_RATE_PER_SECOND": 20, "MESSAGING_RETRY_BASE_SECONDS": 60}


def queue(body: str = "Hello", to: str = PHONE) -> OutboundMessage:
    message = enqueue("sms", NewMessage(to=to, body=body), now=NOON)
    db.session.commit()
    return message


def test_sends_through_twilio_with_status_callback(app, twilio_api) -> None:
    assert app.extensions["involve_channels"]["sms"] == "twilio"
    message = queue("Hi Ann")
    assert dispatch_due(now=NOON).sent == 1
    [request] = twilio_api.messages()
    assert request.path == "/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json"
    assert (
        request.form["To"] == PHONE
        and request.form["From"] == TWILIO_FROM
        and request.form["Body"] == "Hi Ann"
    )
    assert request.form["StatusCallback"] == f"http://involve.test/messaging/twilio/status?m={message.id}"
    db.session.refresh(message)
    assert message.status == "sent" and message.provider_id.startswith("SM")


def test_pacing_spaces_sends_at_the_configured_rate(app, twilio_api) -> None:
    app.config["SMS_RATE_PER_SECOND"] = 5
    enqueue_many("sms", [NewMessage(to=f"+4479111{i:05d}", body="x") for i in range(6)], now=NOON)
    db.session.commit()
    assert dispatch_due(now=NOON).sent == 6
    arrivals = [r.at for r in twilio_api.messages()]
    assert len(arrivals) == 6 and arrivals[-1] - arrivals[0] >= 0.9  # 5 gaps of 1/5 s
    sent_at = sorted(db.session.scalars(select(OutboundMessage.sent_at)))
    # The promise is the rate per second, not an even gap: a sender woken late by a busy machine
    # may start closer to the next one, never so that one second holds more than five.
    busiest = max(sum(1 for t in sent_at if a <= t < a + timedelta(seconds=1)) for a in sent_at)
    assert busiest <= 5 and sent_at[-1] - sent_at[0] >= timedelta(seconds=0.99)


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (500, None), (503, None)])
def test_transient_errors_back_off_then_succeed(app, twilio_api, status, code) -> None:
    message = queue()
    twilio_api.answer(status=status, code=code)
    report = dispatch_due(now=NOON)
    assert (report.sent, report.retried) == (0, 1)
    db.session.refresh(message)
    assert message.status == "queued" and message.attempts == 1
    assert message.error_code == str(code or status)
    delay = (message.next_attempt_at - NOON).total_seconds()
    assert 30 <= delay <= 60  # base 60 s with jitter between half and whole
    assert dispatch_due(now=NOON + timedelta(seconds=10)).sent == 0  # not due yet
    assert dispatch_due(now=message.next_attempt_at).sent == 1
    assert len(twilio_api.messages()) == 2


def test_backoff_grows_and_gives_up(app, twilio_api) -> None:
    app.config["MESSAGING_MAX_ATTEMPTS"] = 3
    message = queue()
    now = NOON
    delays = []
    for _ in range(3):
        twilio_api.answer(status=503)
        dispatch_due(now=now)
        db.session.refresh(message)
        if message.status == "queued":
            delays.append((message.next_attempt_at - now).total_seconds())
            now = message.next_attempt_at
    assert message.status == "failed" and message.attempts == 3
    assert "gave up after 3 attempts" in message.error_message
    assert 30 <= delays[0] <= 60 and 60 <= delays[1] <= 120


def test_invalid_number_fails_permanently(app, twilio_api) -> None:
    message = queue()
    twilio_api.answer(status=400, code=21211, message="The 'To' number is not a valid phone number.")
    assert dispatch_due(now=NOON).failed == 1
    db.session.refresh(message)
    assert (message.status, message.error_code) == ("failed", "21211")
    assert dispatch_due(now=NOON + timedelta(days=1)).total == 0
    assert not is_suppressed("sms", PHONE)


def test_21610_suppresses_and_opts_the_customer_out(app, twilio_api, make_customer) -> None:
    customer = make_customer(phone=PHONE)
    queue()
    queue("second")
    twilio_api.answer(status=400, code=21610, message="Attempt to send to unsubscribed recipient")
    report = dispatch_due(now=NOON)
    assert (report.failed, report.suppressed, report.sent) == (1, 1, 0)
    assert is_suppressed("sms", PHONE)
    assert db.session.get(Customer, customer.id).sms_opted_out_at is not None
    # The second text is never sent to Twilio.
    dispatch_due(now=NOON + timedelta(minutes=1))
    assert len(twilio_api.messages()) == 1
    statuses = sorted(db.session.scalars(select(OutboundMessage.status)))
    assert statuses == ["failed", "suppressed"]


def test_read_timeout_is_unknown_not_resent(app, twilio_api) -> None:
    from messaging.transports import sms_transport

    sms_transport().timeout = 0.3  # type: ignore[attr-defined]
    message = queue()
    twilio_api.answer(status=201, delay=1.0)
    report = dispatch_due(now=NOON)
    assert report.unknown == 1
    db.session.refresh(message)
    assert message.status == "unknown"
    dispatch_due(now=NOON + timedelta(hours=1))
    assert len(twilio_api.messages()) == 1


def test_connection_refused_is_retried(app, twilio_api) -> None:
    from messaging.transports import sms_transport

    twilio_api.stop()
    message = queue()
    sms_transport().client.http_client.timeout = 2
    assert dispatch_due(now=NOON).retried == 1
    db.session.refresh(message)
    assert message.status == "queued" and message.error_code == "connection"


def test_messaging_service_sid_is_used_when_set(app, twilio_api, twilio_config) -> None:
    from messaging.transports.sms_twilio import TwilioSms

    config = {**app.config, "TWILIO_FROM_NUMBER": "", "TWILIO_MESSAGING_SERVICE_SID": "MG" + "1" * 32}
    app.extensions["involve_transports"]["sms"] = TwilioSms.from_config(config)
    queue()
    dispatch_due(now=NOON)
    [request] = twilio_api.messages()
    assert request.form["MessagingServiceSid"] == "MG" + "1" * 32 and "From" not in request.form
