"""Enqueue and dispatch through the simulator and dev outbox: suppression, costs, the crash case."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Activity, Cost
from messaging.api import NewMessage, dispatch_due, enqueue, enqueue_many, is_suppressed, send_now
from messaging.models import DevEmail, OutboundMessage
from messaging.suppression import suppress
from tests.messaging.conftest import NOON


def test_enqueue_records_shape_and_cost_then_dispatch_sends(app, activity: Activity) -> None:
    message = enqueue(
        "sms", NewMessage(to="+447911123456", body="a" * 161, activity_id=activity.id), now=NOON
    )
    db.session.commit()
    assert (message.status, message.segments, message.encoding) == ("queued", 2, "GSM-7")
    assert message.estimated_cost == Decimal("0.08")
    report = dispatch_due(now=NOON)
    assert report.sent == 1
    db.session.refresh(message)
    assert message.status == "delivered" and message.provider_id.startswith("SMsim") and message.attempts == 1
    costs = db.session.scalars(select(Cost)).all()
    assert [(c.kind, c.source_key, c.amount) for c in costs] == [
        ("sms", f"sms:{message.id}", Decimal("0.08"))
    ]
    # A second run sends nothing and adds no second cost.
    assert dispatch_due(now=NOON + timedelta(minutes=1)).sent == 0
    assert len(db.session.scalars(select(Cost)).all()) == 1


def test_send_after_waits(app) -> None:
    enqueue(
        "sms", NewMessage(to="+447911123456", body="later", send_after=NOON + timedelta(hours=1)), now=NOON
    )
    db.session.commit()
    assert dispatch_due(now=NOON).sent == 0
    assert dispatch_due(now=NOON + timedelta(hours=1)).sent == 1


def test_suppressed_at_enqueue_and_at_dispatch(app) -> None:
    suppress("sms", "+447911000001", "opt-out:STOP", now=NOON)
    assert is_suppressed("sms", "+447911000001")
    assert enqueue("sms", NewMessage(to="+447911000001", body="hi"), now=NOON) is None
    result = enqueue_many(
        "sms", [NewMessage(to="+447911000001", body="x"), NewMessage(to="+447911000002", body="x")], now=NOON
    )
    assert (result.queued, result.suppressed) == (1, 1)
    db.session.commit()
    # The second number opts out after queueing: the dispatcher must still not send.
    suppress("sms", "+447911000002", "opt-out:STOP", now=NOON)
    db.session.commit()
    report = dispatch_due(now=NOON)
    assert (report.sent, report.suppressed) == (0, 1)
    assert db.session.scalar(select(OutboundMessage.status)) == "suppressed"


def test_email_suppression_ignores_case(app) -> None:
    suppress("email", "Ann@Example.org", "unsubscribe", now=NOON)
    assert enqueue("email", NewMessage(to="ann@example.ORG", body="x", subject="s"), now=NOON) is None


def test_enqueue_many_returning_gives_rows(app) -> None:
    result = enqueue_many(
        "email",
        [NewMessage(to=f"p{i}@example.org", body="b", subject="s", topic="consultation:1") for i in range(5)],
        now=NOON,
        returning=True,
    )
    db.session.commit()
    assert result.queued == 5 and all(m.id for m in result.messages)
    assert {m.topic for m in result.messages} == {"consultation:1"}


def test_dev_outbox_keeps_email_with_unsubscribe_headers(app) -> None:
    enqueue(
        "email",
        NewMessage(
            to="ann@example.org", body="Hello", subject="Survey", html="<p>Hello</p>", list_unsubscribe=True
        ),
        now=NOON,
    )
    db.session.commit()
    assert dispatch_due(now=NOON).sent == 1
    kept = db.session.scalars(select(DevEmail)).one()
    assert "List-Unsubscribe: <http://involve.test/u/" in kept.raw
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in kept.raw


def test_message_left_sending_becomes_unknown_and_is_not_resent(app) -> None:
    message = enqueue("sms", NewMessage(to="+447911123456", body="hello"), now=NOON)
    db.session.commit()
    # A dispatcher claimed it, called the provider and died before recording the result.
    message.status, message.claimed_at, message.claim_token = "sending", NOON, "dead"
    message.attempt_started_at = NOON
    db.session.commit()
    assert dispatch_due(now=NOON + timedelta(minutes=1)).sent == 0  # still within the timeout
    assert db.session.get(OutboundMessage, message.id).status == "sending"
    report = dispatch_due(now=NOON + timedelta(hours=1))
    assert (report.unknown, report.sent) == (1, 0)
    db.session.refresh(message)
    assert message.status == "unknown" and message.provider_id is None
    assert dispatch_due(now=NOON + timedelta(hours=2)).sent == 0


def test_message_claimed_but_never_attempted_goes_back_in_the_queue(app) -> None:
    message = enqueue("sms", NewMessage(to="+447911123456", body="hello"), now=NOON)
    db.session.commit()
    # A dispatcher claimed it and died before the provider was called: it certainly did not go out.
    message.status, message.claimed_at, message.claim_token = "sending", NOON, "dead"
    db.session.commit()
    assert dispatch_due(now=NOON + timedelta(minutes=1)).sent == 0
    report = dispatch_due(now=NOON + timedelta(hours=1))
    assert (report.unknown, report.sent) == (0, 1)
    db.session.refresh(message)
    assert message.status in {"sent", "delivered"} and message.attempts == 1
    assert dispatch_due(now=NOON + timedelta(hours=2)).sent == 0


def test_claim_is_atomic_two_dispatchers_send_once(app) -> None:
    from messaging.claims import claim

    enqueue_many("sms", [NewMessage(to=f"+44791100{i:04d}", body="x") for i in range(10)], now=NOON)
    db.session.commit()
    first = claim("sms", NOON, 10)
    second = claim("sms", NOON, 10)
    assert len(first) == 10 and second == []


def test_send_now_sends_one_at_once(app) -> None:
    enqueue("sms", NewMessage(to="+447911000009", body="other"), now=NOON)
    db.session.commit()
    sent = send_now("sms", NewMessage(to="+447911123456", body="test"), now=NOON)
    assert sent.status == "delivered"
    assert (
        db.session.scalar(select(OutboundMessage.status).where(OutboundMessage.to_address == "+447911000009"))
        == "queued"
    )


def test_enqueue_rejects_bad_channel_and_empty_address(app) -> None:
    import pytest

    with pytest.raises(ValueError, match="unknown channel"):
        enqueue("fax", NewMessage(to="x", body="y"), now=NOON)
    with pytest.raises(ValueError, match="needs an address"):
        enqueue("sms", NewMessage(to=" ", body="y"), now=NOON)
