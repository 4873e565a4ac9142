"""Probe: unsubscribe links are opaque (no readable address), unforgeable, dated, and old links still work."""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer

from app.extensions import db
from app.models import utcnow
from messaging.api import NewMessage, enqueue, is_suppressed
from messaging.models import OutboundMessage
from messaging.transports.email_build import build_message
from messaging.unsubscribe import SALT, read_token, token_for, unsubscribe_url

ADDRESS = "ann.hill@example.org"
TODAY = datetime.now(UTC).date()


def _decodings(token: str) -> list[bytes]:
    """Every way a reader might try to decode the token: base64 of each part, with any padding."""
    found = [token.encode()]
    for part in re.split(r"[.]", token):
        for pad in ("", "=", "=="):
            for decode in (base64.urlsafe_b64decode, base64.b64decode):
                with contextlib.suppress(binascii.Error, ValueError):
                    found.append(decode(part + pad))
    return found


def test_a_token_shows_nothing_of_the_address(app: Flask) -> None:
    token = token_for(ADDRESS)
    for blob in _decodings(token):
        # Pieces of three bytes or more: a single byte such as "@" turns up in random ciphertext on
        # some days (the token changes daily), while a readable address would show all of these.
        for piece in ("ann", "hill", "example", "@ex", ".org"):
            assert piece.encode() not in blob.lower(), (piece, blob)
    # The same address the same day seals to the same token (body link and header agree); others differ.
    assert token_for(ADDRESS) == token and token_for("ann.hilm@example.org") != token
    assert token_for(ADDRESS, today=TODAY - timedelta(days=1)) != token
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)


def test_the_header_and_the_page_carry_no_readable_address(app: Flask, client: FlaskClient) -> None:
    message = NewMessage(to=ADDRESS, body="Hello", subject="Survey", list_unsubscribe=True)
    row = enqueue("email", message, now=utcnow())
    db.session.commit()
    assert isinstance(row, OutboundMessage)
    built = build_message(row)
    header = built.extra_headers["List-Unsubscribe"]
    assert built.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = re.fullmatch(r"<http://involve\.test/u/([\w-]+)>", header)
    assert token is not None
    for blob in _decodings(token.group(1)):
        assert b"ann" not in blob.lower()
    page = client.get(f"/u/{token.group(1)}")
    assert page.status_code == 200 and ADDRESS not in page.get_data(as_text=True)
    assert client.post(f"/u/{token.group(1)}").status_code == 200
    assert is_suppressed("email", ADDRESS)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character changed
        lambda t: t[:-4],  # cut short
        lambda t: "A" + t,  # shifted
        lambda t: t + "%00",
        lambda t: "x",
        lambda t: "-" * 300,
    ],
)
def test_a_forged_or_garbled_token_is_a_clear_page(app: Flask, client: FlaskClient, mangle) -> None:
    token = mangle(token_for(ADDRESS))
    assert read_token(token).email is None
    for method in (client.get, client.post):
        response = method(f"/u/{token}")
        assert response.status_code == 404
        assert "We do not recognise this link" in response.get_data(as_text=True)
    assert not is_suppressed("email", ADDRESS)


def test_a_token_from_another_secret_is_refused(app: Flask, client: FlaskClient) -> None:
    token = token_for(ADDRESS)
    app.config["SECRET_KEY"] = "a different secret"
    assert client.get(f"/u/{token}").status_code == 404
    # ...unless the old secret is kept as a fallback while keys are rotated.
    app.config["SECRET_KEY_FALLBACKS"] = ["test-secret"]
    assert read_token(token).email == ADDRESS


@pytest.mark.parametrize("app_config", [{"UNSUBSCRIBE_TOKEN_DAYS": 30}])
def test_an_old_token_expires_with_a_page_that_says_what_to_do(app: Flask, client: FlaskClient) -> None:
    fresh = token_for(ADDRESS, today=TODAY - timedelta(days=29))
    assert read_token(fresh).email == ADDRESS
    stale = token_for(ADDRESS, today=TODAY - timedelta(days=32))
    assert read_token(stale).expired and read_token(stale).email is None
    for method in (client.get, client.post):
        response = method(f"/u/{stale}")
        assert response.status_code == 410
        text = response.get_data(as_text=True)
        assert "This unsubscribe link has expired" in text and "reply to any of our" in text
    assert not is_suppressed("email", ADDRESS)


def test_links_sent_before_tokens_were_sealed_still_unsubscribe(app: Flask, client: FlaskClient) -> None:
    legacy = URLSafeSerializer("test-secret", salt=SALT).dumps(ADDRESS)
    assert "." in legacy
    assert client.get(f"/u/{legacy}").status_code == 200
    assert client.post(f"/u/{legacy}", data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert is_suppressed("email", ADDRESS)
    forged = URLSafeSerializer("not our secret", salt=SALT).dumps("bob@example.org")
    assert client.post(f"/u/{forged}").status_code == 404
    assert not is_suppressed("email", "bob@example.org")


def test_new_links_are_the_sealed_kind(app: Flask) -> None:
    token = unsubscribe_url(ADDRESS).rsplit("/u/", 1)[1]
    assert "." not in token and read_token(token).email == ADDRESS
