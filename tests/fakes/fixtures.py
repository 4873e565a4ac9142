"""Pytest fixtures for the loopback fakes: the Twilio Messages API and an SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.smtp import FakeSmtp
from tests.fakes.twilio_api import FakeTwilioApi

TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "test-auth-token"
TWILIO_FROM = "+441332000111"


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioApi]:
    """A fake Twilio Messages API on loopback."""
    fake = FakeTwilioApi().start()
    yield fake
    fake.stop()


@pytest.fixture
def twilio_config(twilio_api: FakeTwilioApi) -> dict[str, Any]:
    """Settings that point the real twilio client at the fake (use in an ``app_config`` override)."""
    return {
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_FROM_NUMBER": TWILIO_FROM,
        "TWILIO_API_BASE_URL": twilio_api.url,
    }


@pytest.fixture
def smtp_server() -> Iterator[FakeSmtp]:
    """An aiosmtpd server on a free loopback port that records what it receives."""
    from tests.conftest import free_port

    server = FakeSmtp(free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def smtp_config(smtp_server: FakeSmtp) -> dict[str, Any]:
    """Settings that send email through the fake SMTP server (use in an ``app_config`` override)."""
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_DEFAULT_SENDER": "involve@derwent.test",
        "MAIL_TIMEOUT": 5,
    }
