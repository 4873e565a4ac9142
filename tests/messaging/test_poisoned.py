"""A message that can never be sent fails alone: its batch and the rest of the queue go out."""

from __future__ import annotations

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


def queue(to: str, subject: str = "Survey") -> OutboundMessage:
    message = enqueue("email", NewMessage(to=to, body="Hello", subject=subject), now=NOON)
    db.session.commit()
    return message


def test_refused_and_bad_header_emails_fail_alone_between_good_ones(app, smtp_server) -> None:
    smtp_server.handler.refuse["gone@example.org"] = "550 5.1.1 no such mailbox"
    good = [queue(f"good{i}@example.org") for i in range(2)]
    refused = queue("gone@example.org")
    injected = queue("victim@example.org", subject="Party\r\nBcc: someone@evil.example")
    good += [queue(f"good{i}@example.org") for i in range(2, 4)]

    report = dispatch_due(now=NOON)
    db.session.expire_all()
    delivered = {str(m["To"]) for m in smtp_server.messages}
    assert {m.to_address for m in good} <= delivered and "gone@example.org" not in delivered
    assert all(db.session.get(OutboundMessage, m.id).status == "sent" for m in good)
    gone = db.session.get(OutboundMessage, refused.id)
    assert (gone.status, gone.error_code) == ("failed", "550") and "no such mailbox" in gone.error_message
    # Whether the header was cleaned where mail is built or refused, no Bcc ever reaches the server.
    victim = db.session.get(OutboundMessage, injected.id)
    assert all("evil.example" not in str(m.get("Bcc", "")) for m in smtp_server.messages)
    assert victim.status in ("sent", "failed")
    if victim.status == "failed":
        assert victim.error_code == "bad-header" and "line break" in victim.error_message
    assert report.sent >= 4 and report.failed >= 1
    # Nothing is left claimed or queued: the next run has nothing to retry.
    assert (
        db.session.scalar(select(OutboundMessage.id).where(OutboundMessage.status.in_(("queued", "sending"))))
        is None
    )
    assert dispatch_due(now=NOON).total == 0


def test_failed_email_is_listed_with_its_reason_on_the_outbox(app, smtp_server, staff_client) -> None:
    smtp_server.handler.refuse["gone@example.org"] = "550 5.1.1 no such mailbox"
    queue("gone@example.org")
    dispatch_due(now=NOON)
    page = staff_client.get("/messaging/messages?status=failed").get_data(as_text=True)
    assert "gone@example.org" in page and "no such mailbox" in page
