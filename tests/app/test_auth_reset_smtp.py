"""In production the reset email goes out through flask-mail over SMTP (a real server on loopback)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import StaffUser
from messaging.api import DevEmail, OutboundMessage
from tests.fakes.smtp import FakeSmtp


@pytest.fixture
def app_config(smtp_config: dict[str, Any]) -> dict[str, Any]:
    return smtp_config


def test_the_reset_email_is_sent_over_smtp_and_its_link_works(
    client: FlaskClient, smtp_server: FakeSmtp, make_user: Callable[..., StaffUser]
) -> None:
    user = make_user("staff", email="kim@involve.test")
    client.post("/forgot-password", data={"email": "kim@involve.test"}).close()
    client.post("/forgot-password", data={"email": "nobody@involve.test"}).close()
    assert [m["To"] for m in smtp_server.messages] == ["kim@involve.test"]
    message = smtp_server.messages[0]
    assert message["Subject"] == "Reset your Involve password" and message["From"] == "involve@derwent.test"
    assert message["Bcc"] is None
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    link = re.search(r"http://involve\.test(/reset-password/[\w.-]+)", text.get_content())
    assert link is not None
    assert db.session.scalar(select(DevEmail.id)) is None  # nothing went to the development outbox
    sent = db.session.scalar(select(OutboundMessage).where(OutboundMessage.to_address == user.email))
    assert sent is not None and sent.status == "sent" and "/reset-password/" not in sent.body
    done = client.post(link.group(1), data={"password": "brand new words", "confirm": "brand new words"})
    assert done.status_code == 303
    db.session.refresh(user)
    assert user.check_password("brand new words")


def test_with_the_mail_server_down_the_email_waits_for_a_retry_with_its_link(
    client: FlaskClient, smtp_server: FakeSmtp, make_user: Callable[..., StaffUser]
) -> None:
    user = make_user("staff", email="kim@involve.test")
    smtp_server.stop()
    response = client.post("/forgot-password", data={"email": user.email})
    response.close()
    assert response.status_code == 200  # the person is told the same; the outbox will try again
    queued = db.session.scalar(select(OutboundMessage).where(OutboundMessage.to_address == user.email))
    assert queued is not None and queued.status not in ("sent", "delivered")
    assert "/reset-password/" in queued.body
