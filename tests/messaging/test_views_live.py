"""In Chromium, the simulator's conversation and the inbox show new texts without a reload."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import StaffUser
from app.models.base import utcnow
from messaging.api import NewMessage, enqueue
from messaging.models import InboundMessage
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
PHONE = "+447911123456"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"LIVE_REFRESH_SECONDS": 0.3}


def _sign_in(page: Any, base: str, user: StaffUser) -> None:
    page.goto(base + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(base + "/")


def test_new_texts_appear_by_themselves(
    live_server: Any, page: Any, make_user: Callable[..., StaffUser]
) -> None:
    now = utcnow()
    enqueue("sms", NewMessage(to=PHONE, body="How was the meeting?"), now=now)
    db.session.commit()
    _sign_in(page, live_server.url, make_user("staff"))
    page.goto(live_server.url + "/messaging/dev/sms?number=%2B447911123456")
    thread = page.locator("#sms-thread")
    expect(thread).to_contain_text("How was the meeting?")
    expect(thread).not_to_contain_text("Too long")
    db.session.add(
        InboundMessage(
            message_sid="SMlive1", from_number=PHONE, body="Too long", received_at=now + timedelta(seconds=1)
        )
    )
    db.session.commit()
    expect(thread).to_contain_text("Too long")

    page.goto(live_server.url + "/messaging/inbox")
    listed = page.locator("#inbox-list")
    expect(listed).to_contain_text("Too long")
    # Someone typing a reply keeps what they typed: the list waits until the field is empty again.
    page.locator("#inbox-list textarea").first.fill("Sorry to hear that")
    db.session.add(
        InboundMessage(
            message_sid="SMlive2",
            from_number="+447911123457",
            body="Boiler broken",
            received_at=now + timedelta(seconds=2),
        )
    )
    db.session.commit()
    page.wait_for_timeout(1000)
    expect(listed).not_to_contain_text("Boiler broken")
    expect(page.locator("#inbox-list textarea").first).to_have_value("Sorry to hear that")
    page.locator("#inbox-list textarea").first.fill("")
    page.locator("h1").click()  # the focus leaves the list
    expect(listed).to_contain_text("Boiler broken")
