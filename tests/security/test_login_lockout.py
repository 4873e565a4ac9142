"""Probe: sign-in limits hold under parallel guesses, and a stranger cannot lock a colleague out."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import app.models.people as people
from app.auth.lockout import PAIR, bucket_key
from app.auth.models import LoginCounter
from app.auth.services import LOCKED_MESSAGE
from app.extensions import db
from app.models import StaffUser, utcnow
from app.web.filters import london
from messaging.api import OutboundMessage, dispatch_due
from tests.conftest import PASSWORD
from tests.fakes.smtp import FakeSmtp

OWNER_ADDRESS, STRANGER, NEW_PLACE = "198.51.100.5", "203.0.113.66", "192.0.2.44"


def _count_hashing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = people.password_matches

    def counted(stored_hash: str, password: str) -> bool:
        calls.append(stored_hash)
        return real(stored_hash, password)

    monkeypatch.setattr(people, "password_matches", counted)
    return calls


def _sign_in(client: FlaskClient, email: str, password: str, ip: str) -> int:
    data = {"email": email, "password": password}
    # A fresh app context, as each real request has: the test's own would carry a signed-in user along.
    with client.application.app_context():
        return client.post("/login", data=data, environ_base={"REMOTE_ADDR": ip}).status_code


def _notices() -> list[OutboundMessage]:
    db.session.rollback()  # see what other connections committed
    query = select(OutboundMessage).where(OutboundMessage.purpose == "login-locked")
    return list(db.session.scalars(query.order_by(OutboundMessage.id)))


def _race(app: Flask, email: str, ip: str, count: int) -> list[int]:
    """Send ``count`` wrong-password sign-ins at once, each from its own test client and thread."""
    statuses: list[int] = []
    start = threading.Barrier(count)

    def attempt() -> None:
        client = app.test_client()
        start.wait()
        statuses.append(_sign_in(client, email, "a wrong guess", ip))

    threads = [threading.Thread(target=attempt) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return statuses


def test_forty_parallel_guesses_get_only_the_limit_checked(
    app: Flask, make_user: Callable[..., StaffUser], monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_user("staff")
    db.session.rollback()
    calls = _count_hashing(monkeypatch)
    statuses = _race(app, user.email, STRANGER, 40)
    # Exactly the limit (5) paid for a hash check; the other 35 were refused before it.
    assert len(calls) == 5, len(calls)
    assert sorted(statuses) == [401] * 5 + [429] * 35
    assert len(_notices()) == 1  # one lock, one email


def test_parallel_guesses_at_an_unknown_email_are_counted_the_same(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_hashing(monkeypatch)
    statuses = _race(app, "nobody@involve.test", STRANGER, 40)
    assert len(calls) == 5 and sorted(statuses) == [401] * 5 + [429] * 35
    assert _notices() == []  # nobody to tell


@pytest.fixture
def app_config(smtp_config: dict[str, Any]) -> dict[str, Any]:
    """Real flask-mail to a loopback SMTP server, so the lock notice is seen to leave."""
    return smtp_config


def test_a_stranger_locks_only_their_own_address_and_the_owner_is_told(
    app: Flask, client: FlaskClient, make_user: Callable[..., StaffUser], smtp_server: FakeSmtp
) -> None:
    user = make_user("staff")
    for _ in range(5):
        assert _sign_in(client, user.email, "a wrong guess", STRANGER) == 401
    # The stranger's address is locked, even against the right password...
    with app.app_context():
        refused = client.post(
            "/login", data={"email": user.email, "password": PASSWORD}, environ_base={"REMOTE_ADDR": STRANGER}
        )
    assert refused.status_code == 429
    text = refused.get_data(as_text=True)
    # The same plain words as for any other limit, naming neither the address nor the account.
    assert LOCKED_MESSAGE.format(minutes=15) in text and STRANGER not in text
    # ...but the owner, anywhere else, signs in with it.
    assert _sign_in(app.test_client(), user.email, PASSWORD, OWNER_ADDRESS) == 303
    assert _sign_in(app.test_client(), user.email, PASSWORD, NEW_PLACE) == 303
    # Further guesses from the locked address send no second email.
    for _ in range(3):
        assert _sign_in(client, user.email, "another guess", STRANGER) == 429
    notices = _notices()
    assert len(notices) == 1 and notices[0].to_address == user.email
    dispatch_due(now=utcnow())
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert mail["To"] == user.email and "sign-in paused" in mail["Subject"]
    # The time the lock ends is the end of the window the first of the five guesses opened.
    window = db.session.get(LoginCounter, bucket_key(PAIR, user.email, STRANGER))
    assert window is not None and window.count == 5
    ends = london(datetime.fromtimestamp(window.expires_at, tz=UTC), "%H:%M")
    assert STRANGER in body and "(UK time)" in body and f"paused until {ends}" in body
    assert "a wrong guess" not in body and PASSWORD not in body and "$" not in body


@pytest.mark.parametrize("app_config", [{"LOGIN_MAX_FAILURES_PER_ACCOUNT": 4}])
def test_the_account_ceiling_spares_the_owners_usual_address(
    app: Flask, make_user: Callable[..., StaffUser]
) -> None:
    user = make_user("staff")
    assert _sign_in(app.test_client(), user.email, PASSWORD, OWNER_ADDRESS) == 303
    # Guesses from many addresses, one each: far below the per-address limits, but they add up.
    for n in range(4):
        assert _sign_in(app.test_client(), user.email, "a wrong guess", f"203.0.113.{n + 1}") == 401
    assert _sign_in(app.test_client(), user.email, PASSWORD, NEW_PLACE) == 429
    assert _sign_in(app.test_client(), user.email, PASSWORD, OWNER_ADDRESS) == 303
    notices = _notices()
    assert len(notices) == 1 and "places you usually use" in notices[0].body


@pytest.mark.parametrize("app_config", [{"LOGIN_MAX_FAILURES_PER_IP": 6}])
def test_one_address_guessing_across_accounts_is_stopped(
    app: Flask, client: FlaskClient, make_user: Callable[..., StaffUser]
) -> None:
    user = make_user("staff")
    for n in range(6):
        assert _sign_in(client, f"guess{n}@involve.test", "password1", STRANGER) == 401
    assert _sign_in(client, user.email, PASSWORD, STRANGER) == 429
    assert _sign_in(client, user.email, PASSWORD, OWNER_ADDRESS) == 303
    assert _notices() == []  # spraying locks an address, not an account


def test_a_right_password_gives_its_charge_back(
    app: Flask, client: FlaskClient, make_user: Callable[..., StaffUser]
) -> None:
    user = make_user("staff")
    for _round in range(3):
        for _ in range(4):
            assert _sign_in(client, user.email, "a wrong guess", OWNER_ADDRESS) == 401
        assert _sign_in(client, user.email, PASSWORD, OWNER_ADDRESS) == 303
        client.post("/logout")
    assert _notices() == []
