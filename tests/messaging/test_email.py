"""flask-mail against a real SMTP server: batches, refused recipients, dropped connections."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.extensions import db
from messaging.api import NewMessage, dispatch_due, enqueue
from messaging.models import OutboundMessage
from tests.messaging.conftest import NOON


@pytest.fixture
def app_config(smtp_config: dict[str, Any]) -> dict[str, Any]:
    return smtp_config


def queue(to: str, unsubscribe: bool = True) -> OutboundMessage:
    message = enqueue(
        "email",
        NewMessage(
            to=to, body="Plain body", subject="Survey", html="<p>HTML body</p>", list_unsubscribe=unsubscribe
        ),
        now=NOON,
    )
    db.session.commit()
    return message


def test_sends_a_batch_with_unsubscribe_headers(app, smtp_server) -> None:
    assert app.extensions["involve_channels"]["email"] == "smtp"
    for i in range(3):
        queue(f"p{i}@example.org")
    assert dispatch_due(now=NOON).sent == 3
    assert len(smtp_server.messages) == 3
    first = smtp_server.messages[0]
    assert first["List-Unsubscribe"].strip().startswith("<http://involve.test/u/")
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["From"] == "involve@derwent.test"
    assert {m.status for m in db.session.scalars(select(OutboundMessage))} == {"sent"}


def test_no_unsubscribe_headers_unless_asked(app, smtp_server) -> None:
    queue("p@example.org", unsubscribe=False)
    dispatch_due(now=NOON)
    assert smtp_server.messages[0]["List-Unsubscribe"] is None


def test_refused_recipient_fails_and_the_batch_goes_on(app, smtp_server) -> None:
    smtp_server.handler.refuse["bad@example.org"] = "550 5.1.1 No such user"
    smtp_server.handler.refuse["full@example.org"] = "452 4.2.2 Mailbox full"
    bad, full, good = queue("bad@example.org"), queue("full@example.org"), queue("good@example.org")
    report = dispatch_due(now=NOON)
    assert (report.sent, report.failed, report.retried) == (1, 1, 1)
    for message in (bad, full, good):
        db.session.refresh(message)
    assert (bad.status, bad.error_code) == ("failed", "550")
    assert (full.status, full.error_code) == ("queued", "452")
    assert good.status == "sent"
    assert [m["To"] for m in smtp_server.messages] == ["good@example.org"]


def test_dropped_connection_is_retried_later(app, smtp_server) -> None:
    smtp_server.handler.drop_data = 1
    first = queue("a@example.org")
    queue("b@example.org")
    report = dispatch_due(now=NOON)
    assert report.sent == 0 and report.retried == 2
    db.session.refresh(first)
    assert first.status == "queued" and first.attempts == 1
    assert dispatch_due(now=NOON + timedelta(hours=1)).sent == 2
    assert sorted(m["To"] for m in smtp_server.messages) == ["a@example.org", "b@example.org"]


def test_server_down_is_retried(app, smtp_server) -> None:
    smtp_server.stop()
    message = queue("a@example.org")
    assert dispatch_due(now=NOON).retried == 1
    db.session.refresh(message)
    assert message.status == "queued" and message.error_code == "connect"
    smtp_server.start()


def test_several_smtp_sessions_send_one_batch_at_once(app, smtp_server) -> None:
    app.config["MAIL_SESSIONS"] = 3
    smtp_server.handler.data_delay = 0.05
    for i in range(60):
        queue(f"many{i}@example.org")
    report = dispatch_due(now=NOON)
    assert report.sent == 60
    recipients = sorted(to for _, tos in smtp_server.handler.envelopes for to in tos)
    assert recipients == sorted(f"many{i}@example.org" for i in range(60))
    spans: dict[int, list[float]] = {}
    for session, at in smtp_server.handler.deliveries:
        spans.setdefault(session, []).append(at)
    # Three sessions, each carrying its share, and all three delivering at the same time.
    assert sorted(len(times) for times in spans.values()) == [20, 20, 20]
    assert max(min(t) for t in spans.values()) < min(max(t) for t in spans.values())


def test_one_session_by_default(app, smtp_server) -> None:
    for i in range(25):
        queue(f"one{i}@example.org")
    assert dispatch_due(now=NOON).sent == 25
    # Two claims of 20 and 5, each over one session.
    sizes = sorted(
        sum(1 for s, _ in smtp_server.handler.deliveries if s == session)
        for session in {s for s, _ in smtp_server.handler.deliveries}
    )
    assert sizes == [5, 20]
