"""Quiet hours in Europe/London, across midnight; replies in a live conversation are not held."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from app.config import SettingsError
from app.extensions import db
from messaging.api import NewMessage, dispatch_due, enqueue
from messaging.inbound import receive_sms
from messaging.models import OutboundMessage
from messaging.pacing import parse_quiet_hours, quiet_until


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SMS_QUIET_HOURS": "21:00-09:00"}


WINDOW = parse_quiet_hours("21:00-09:00")


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (datetime(2011, 6, 1, 20, 30, tzinfo=UTC), datetime(2011, 6, 2, 8, 0, tzinfo=UTC)),  # 21:30 BST
        (datetime(2011, 6, 2, 7, 59, tzinfo=UTC), datetime(2011, 6, 2, 8, 0, tzinfo=UTC)),  # 08:59 BST
        (datetime(2011, 6, 2, 8, 0, tzinfo=UTC), None),  # 09:00 BST
        (datetime(2011, 12, 1, 20, 59, tzinfo=UTC), None),  # 20:59 GMT
        (datetime(2011, 12, 1, 23, 0, tzinfo=UTC), datetime(2011, 12, 2, 9, 0, tzinfo=UTC)),
        (
            datetime(2011, 3, 26, 22, 0, tzinfo=UTC),
            datetime(2011, 3, 27, 8, 0, tzinfo=UTC),
        ),  # clocks go forward
    ],
)
def test_quiet_until(now: datetime, until: datetime | None) -> None:
    assert quiet_until(WINDOW, now) == until


def test_empty_and_daytime_windows() -> None:
    assert parse_quiet_hours("") is None
    lunch = parse_quiet_hours("12:00-13:00")
    assert quiet_until(lunch, datetime(2011, 12, 1, 12, 30, tzinfo=UTC)) == datetime(
        2011, 12, 1, 13, 0, tzinfo=UTC
    )
    assert quiet_until(lunch, datetime(2011, 12, 1, 13, 0, tzinfo=UTC)) is None


def test_malformed_setting_fails_at_start(database_url, tmp_path) -> None:
    from tests.conftest import make_app

    with pytest.raises(SettingsError, match="SMS_QUIET_HOURS"):
        make_app(database_url, tmp_path, SMS_QUIET_HOURS="late")


def test_texts_are_held_until_morning_and_email_is_not(app) -> None:
    night = datetime(2011, 6, 1, 21, 0, tzinfo=UTC)  # 22:00 BST
    text = enqueue("sms", NewMessage(to="+447911123456", body="Survey"), now=night)
    enqueue("email", NewMessage(to="ann@example.org", body="Survey", subject="s"), now=night)
    db.session.commit()
    report = dispatch_due(now=night)
    assert (report.held, report.sent) == (1, 1)
    db.session.refresh(text)
    assert text.status == "queued" and text.next_attempt_at == datetime(2011, 6, 2, 8, 0, tzinfo=UTC)
    assert dispatch_due(now=datetime(2011, 6, 2, 7, 59, tzinfo=UTC)).sent == 0
    assert dispatch_due(now=datetime(2011, 6, 2, 8, 0, tzinfo=UTC)).sent == 1


def test_reply_to_someone_who_just_texted_is_not_held(app) -> None:
    night = datetime(2011, 6, 1, 21, 0, tzinfo=UTC)
    receive_sms("+447911123456", "+447000000001", "HELP", "SMnight", now=night)
    db.session.commit()
    assert dispatch_due(now=night).sent == 1
    assert db.session.query(OutboundMessage).count() == 1
