"""Forgotten passwords: the same answer for any address, signed links that expire and work once."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from email import message_from_string, policy
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.auth import reset
from app.auth.reset import ResetLinkError
from app.extensions import db
from app.models import AuditEvent, StaffUser, utcnow
from messaging.api import DevEmail, OutboundMessage
from tests.conftest import PASSWORD, signed_in

MakeUser = Callable[..., StaffUser]
SECRET = "test-secret"


def _forgot(client: FlaskClient, email: str) -> Any:
    """Ask for a link; closing the response runs the work done after the answer."""
    response = client.post("/forgot-password", data={"email": email})
    response.close()
    return response


def _link_for(email: str) -> str:
    """Read the link from the newest email the development outbox kept for ``email``, as a mailbox would."""
    raw = db.session.scalar(
        select(DevEmail.raw).where(DevEmail.to_address == email).order_by(DevEmail.id.desc())
    )
    assert raw is not None
    text = message_from_string(raw, policy=policy.default).get_body(preferencelist=("plain",))
    assert text is not None
    found = re.search(r"http://involve\.test(/reset-password/[\w.-]+)", text.get_content())
    assert found is not None
    return found.group(1)


def _emails() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboundMessage)) or 0


def test_a_known_address_gets_an_email_with_a_working_link(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    user = make_user("staff", email="kim@involve.test")
    response = _forgot(client, "  Kim@Involve.test ")
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    sent = db.session.scalar(select(OutboundMessage).where(OutboundMessage.to_address == user.email))
    assert sent is not None and sent.status == "delivered" and sent.subject == "Reset your Involve password"
    link = _link_for(user.email)  # through the dev outbox, as sent
    # The outbox row forgets the live link once it has gone, so nobody can use it from there.
    assert "/reset-password/" not in sent.body and "not kept" in sent.body
    page = client.get(link)
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    done = client.post(link, data={"password": "brand new words", "confirm": "brand new words"})
    assert done.status_code == 303 and done.headers["Location"].endswith("/login")
    db.session.refresh(user)
    assert user.check_password("brand new words") and not user.check_password(PASSWORD)
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["auth.password_reset_requested", "staff.password_reset"]


def test_an_unknown_address_gets_the_same_answer_and_no_email(
    client: FlaskClient, make_user: MakeUser
) -> None:
    make_user("staff", email="kim@involve.test")
    known = _forgot(client, "kim@involve.test")
    before = _emails()
    unknown = _forgot(client, "nobody@involve.test")
    assert unknown.status_code == known.status_code == 200
    assert unknown.get_data(as_text=True) == known.get_data(as_text=True)
    assert _emails() == before == 1


def test_a_switched_off_login_gets_no_email(client: FlaskClient, make_user: MakeUser) -> None:
    user = make_user("staff")
    user.active = False
    db.session.commit()
    assert _forgot(client, user.email).status_code == 200
    assert _emails() == 0


def test_a_link_works_once(client: FlaskClient, make_user: MakeUser) -> None:
    user = make_user("staff")
    _forgot(client, user.email)
    link = _link_for(user.email)
    assert (
        client.post(link, data={"password": "first new pass", "confirm": "first new pass"}).status_code == 303
    )
    again = client.post(link, data={"password": "second new pass", "confirm": "second new pass"})
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password("first new pass")


def test_a_newer_password_kills_older_links(app: Flask, make_user: MakeUser) -> None:
    user = make_user("staff")
    token = reset.make_token(user, secret=SECRET, now=utcnow())
    user.set_password("changed by an admin")
    with pytest.raises(ResetLinkError) as caught:
        reset.check_token(token, secret=SECRET, now=utcnow(), minutes=60)
    assert caught.value.reason == "used"


def test_a_link_expires_after_the_setting(app: Flask, client: FlaskClient, make_user: MakeUser) -> None:
    user = make_user("staff")
    issued = utcnow() - timedelta(minutes=61)
    token = reset.make_token(user, secret=SECRET, now=issued)
    assert reset.check_token(token, secret=SECRET, now=issued + timedelta(minutes=59), minutes=60) == user
    with pytest.raises(ResetLinkError) as caught:
        reset.check_token(token, secret=SECRET, now=utcnow(), minutes=60)
    assert caught.value.reason == "expired"
    page = client.get(f"/reset-password/{token}")
    assert page.status_code == 400 and "This link has expired" in page.get_data(as_text=True)
    posted = client.post(f"/reset-password/{token}", data={"password": "new enough", "confirm": "new enough"})
    assert posted.status_code == 400
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("app_config", [{"PASSWORD_RESET_MINUTES": 5}])
def test_the_lifetime_is_a_setting(app: Flask, client: FlaskClient, make_user: MakeUser) -> None:
    user = make_user("staff")
    token = reset.make_token(user, secret=SECRET, now=utcnow() - timedelta(minutes=6))
    assert "expired" in client.get(f"/reset-password/{token}").get_data(as_text=True)
    fresh = reset.make_token(user, secret=SECRET, now=utcnow() - timedelta(minutes=4))
    assert client.get(f"/reset-password/{fresh}").status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "eyJ1IjoxfQ.garbage",
        "a" * 5000,
        "%00",
        "eyJ1IjoxLCJ0IjoxLCJmIjoiIn0.AAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ],
)
def test_a_garbled_link_is_explained(client: FlaskClient, token: str) -> None:
    page = client.get(f"/reset-password/{token}")
    assert page.status_code in (400, 404)
    if page.status_code == 400:
        assert "This link is not right" in page.get_data(as_text=True)


def test_a_link_signed_with_another_key_is_refused(app: Flask, make_user: MakeUser) -> None:
    user = make_user("staff")
    forged = reset.make_token(user, secret="someone else's key", now=utcnow())
    with pytest.raises(ResetLinkError) as caught:
        reset.check_token(forged, secret=SECRET, now=utcnow(), minutes=60)
    assert caught.value.reason == "garbled"


def test_the_new_password_follows_the_length_rules(client: FlaskClient, make_user: MakeUser) -> None:
    user = make_user("staff")
    _forgot(client, user.email)
    link = _link_for(user.email)
    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 422 and "at least 8" in short.get_data(as_text=True)
    mismatch = client.post(link, data={"password": "long enough", "confirm": "other words"})
    assert mismatch.status_code == 422 and "do not match" in mismatch.get_data(as_text=True)
    assert client.get(link).status_code == 200  # a refused attempt does not use the link up


def test_a_reset_ends_every_open_session(app: Flask, client: FlaskClient, make_user: MakeUser) -> None:
    user = make_user("staff")
    elsewhere = signed_in(app, user)
    g.pop("_login_user", None)
    assert elsewhere.get("/").status_code == 200
    _forgot(client, user.email)
    client.post(_link_for(user.email), data={"password": "brand new words", "confirm": "brand new words"})
    g.pop("_login_user", None)
    assert elsewhere.get("/").status_code == 302


def test_the_email_cannot_carry_extra_headers(app: Flask, make_user: MakeUser) -> None:
    user = make_user("staff")
    user.name = "Kim\r\nBcc: victim@example.org"
    message = reset.reset_email(user, "http://involve.test/reset-password/x", 60, "Derwent\nLiving")
    assert "\r" not in message.subject and "\n" not in message.subject
    assert "Kim Bcc: victim@example.org" in message.body  # folded into the greeting, never a header


@pytest.mark.parametrize("app_config", [{"PASSWORD_RESET_EMAIL_LIMIT": "2 per hour"}])
def test_requests_for_one_address_are_limited(client: FlaskClient, make_user: MakeUser) -> None:
    user = make_user("staff")
    assert [_forgot(client, user.email).status_code for _ in range(3)] == [200, 200, 429]
    assert _emails() == 2
    # Another address is counted apart, and an unknown one is limited the same way (nothing to learn).
    assert _forgot(client, "other@involve.test").status_code == 200


@pytest.mark.parametrize("app_config", [{"PASSWORD_RESET_LIMIT": "3 per hour"}])
def test_requests_from_one_network_address_are_limited(client: FlaskClient) -> None:
    codes = [_forgot(client, f"person{n}@involve.test").status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]


def test_a_blank_or_odd_address_is_asked_again(client: FlaskClient) -> None:
    blank = client.post("/forgot-password", data={"email": ""})
    assert blank.status_code == 422 and "Enter your email address" in blank.get_data(as_text=True)
    assert client.post("/forgot-password", data={"email": "x" * 300}).status_code == 422


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_the_forms_need_the_csrf_token(app: Flask, client: FlaskClient, make_user: MakeUser) -> None:
    user = make_user("staff")
    assert _forgot(client, user.email).status_code == 400
    assert _emails() == 0
    token = reset.make_token(user, secret=SECRET, now=utcnow())
    refused = client.post(
        f"/reset-password/{token}", data={"password": "new enough", "confirm": "new enough"}
    )
    assert refused.status_code == 400
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_the_login_page_offers_the_link(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert '<a href="/forgot-password">Forgot your password?</a>' in page


def test_the_lookup_and_email_happen_after_the_answer_is_sent(
    client: FlaskClient, make_user: MakeUser
) -> None:
    user = make_user("staff")
    response = client.post("/forgot-password", data={"email": user.email})
    # Until the answer has gone nothing is looked up or written, so known and unknown take as long.
    assert response.status_code == 200 and _emails() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    response.close()
    assert _emails() == 1
