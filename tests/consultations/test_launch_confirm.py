"""Launch and close ask once, saying what they will do; a bare POST changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import StaffUser
from consultations.surveys import views_confirm
from consultations.surveys.models import Consultation, Invitation
from consultations.surveys.views_confirm import duration_words, sending_seconds
from messaging.api import estimate_sending, progress_by_topic
from messaging.models import OutboundMessage
from tests.conftest import PASSWORD, LiveServer
from tests.consultations import factories as f
from tests.consultations.helpers import make_consultation


def audience() -> Consultation:
    for n in range(3):
        f.sms_customer(f"+4479111234{n:02d}", first_name="Ann")
    f.email_customer("bea@example.org", first_name="Bea")
    return make_consultation(closes_at=None)


def test_a_bare_launch_post_asks_first_and_sends_nothing(staff_client: FlaskClient, app: Flask) -> None:
    consultation = audience()
    asked = staff_client.post(f"/consultations/{consultation.id}/launch")
    assert asked.status_code == 303 and asked.headers["Location"].endswith(
        f"/consultations/{consultation.id}/launch"
    )
    assert db.session.scalar(select(Invitation)) is None
    page = staff_client.get(f"/consultations/{consultation.id}/launch").get_data(as_text=True)
    assert 'Text (SMS)</td><td class="num">3' in page and 'Email</td><td class="num">1' in page
    assert "Yes, send 4 invitations now" in page and "3 invitation texts at" in page
    assert "takes under a minute" in page
    done = staff_client.post(f"/consultations/{consultation.id}/launch", data={"confirm": "yes"})
    assert done.status_code == 303
    assert db.session.get(Consultation, consultation.id).status == "open"

    asked = staff_client.post(f"/consultations/{consultation.id}/close")
    assert asked.status_code == 303 and db.session.get(Consultation, consultation.id).status == "open"
    page = staff_client.get(f"/consultations/{consultation.id}/close").get_data(as_text=True)
    assert "4 conversations still open will end" in page
    staff_client.post(f"/consultations/{consultation.id}/close", data={"confirm": "yes"})
    assert db.session.get(Consultation, consultation.id).status == "closed"


def test_sending_time_follows_the_rate() -> None:
    assert sending_seconds(1262, 10) == 127 and duration_words(127) == "about 2 minutes"
    assert sending_seconds(0, 10) == 0 and duration_words(30) == "under a minute"
    assert duration_words(sending_seconds(100_000, 10)) == "about 2.8 hours"


@pytest.mark.browser
def test_launch_in_chromium_shows_the_audience_cost_and_time_then_asks_once(
    page: Any, live_server: LiveServer, make_user: Callable[..., StaffUser]
) -> None:
    user = make_user("staff", email="officer@example.org")
    consultation = audience()
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/consultations/{consultation.id}")
    page.get_by_role("button", name="Launch now…").click()
    assert page.locator("#launch-total").inner_text() == "4"
    assert "3 invitation texts" in page.locator("#launch-cost").inner_text()
    assert "under a minute" in page.locator("#launch-duration").inner_text()
    db.session.expire_all()
    assert db.session.scalar(select(Invitation)) is None  # looking is not launching
    page.get_by_role("button", name="Yes, send 4 invitations now").click()
    page.wait_for_url(f"{live_server.url}/consultations/{consultation.id}")
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).status == "open"
    assert len(db.session.scalars(select(Invitation)).all()) == 4


def test_launch_page_shows_the_estimate_with_finish_time_and_quiet_hours_pauses(
    staff_client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    consultation = audience()
    # 20:58 GMT: three texts at one a minute run into quiet hours and finish the next morning.
    now = datetime(2026, 1, 12, 20, 58, tzinfo=UTC)
    app.config.update(SMS_RATE_PER_SECOND=1 / 60, SMS_QUIET_HOURS="21:00-09:00")
    monkeypatch.setattr(views_confirm, "utcnow", lambda: now)
    page = staff_client.get(f"/consultations/{consultation.id}/launch").get_data(as_text=True)
    estimate = estimate_sending(3, now, app.config)
    [(start, end)] = estimate.pauses
    assert (start.hour, end.hour, end.day) == (21, 9, 13)
    finish = estimate.finishes_at.strftime("%a %d %b %Y %H:%M")
    assert finish == "Tue 13 Jan 2026 09:01"
    assert f'<strong id="launch-finish">{finish}</strong> (UK time)' in page
    assert "Sending 3 texts at" in page
    assert f"from {start:%a %d %b %H:%M} to {end:%a %d %b %H:%M}" in page
    assert "from Mon 12 Jan 21:00 to Tue 13 Jan 09:00" in page


def test_launch_page_without_quiet_hours_lists_no_pauses(
    staff_client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    consultation = audience()
    now = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # 11:00 BST
    app.config.update(SMS_RATE_PER_SECOND=10, SMS_QUIET_HOURS="")
    monkeypatch.setattr(views_confirm, "utcnow", lambda: now)
    page = staff_client.get(f"/consultations/{consultation.id}/launch").get_data(as_text=True)
    estimate = estimate_sending(3, now, app.config)
    assert estimate.pauses == []
    assert f"{estimate.finishes_at:%a %d %b %Y %H:%M}" == "Mon 01 Jun 2026 11:00" in page
    assert 'id="launch-pauses"' not in page and "at 10 a second" in page


def test_consultation_page_shows_sending_progress_from_the_outbox(
    staff_client: FlaskClient, app: Flask
) -> None:
    consultation = audience()
    staff_client.post(f"/consultations/{consultation.id}/launch", data={"confirm": "yes"})
    consultation = db.session.get(Consultation, consultation.id)
    rows = db.session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.topic == consultation.topic)
        .order_by(OutboundMessage.id)
    ).all()
    assert len(rows) == 4
    # One of each stage the page reports; "undelivered" reads as failed.
    for row, status in zip(rows, ("sending", "delivered", "undelivered", "queued"), strict=True):
        row.status = status
    db.session.commit()
    progress = progress_by_topic(consultation.topic)
    assert progress == {"queued": 1, "sending": 1, "sent": 0, "delivered": 1, "failed": 1}
    page = staff_client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert 'id="sending-progress"' in page
    for name, count in progress.items():
        assert f'<td class="num" data-status="{name}">{count}</td>' in page
    assert '<th scope="col" class="num">Delivered</th>' in page


def test_draft_consultation_page_has_no_sending_progress(staff_client: FlaskClient, app: Flask) -> None:
    consultation = audience()
    page = staff_client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert 'id="sending-progress"' not in page
