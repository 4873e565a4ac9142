"""Twilio's signature check and the signing token used when no Twilio account is configured."""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, Request
from twilio.request_validator import RequestValidator


def signing_token(app: Flask) -> str:
    """Return the token webhooks are signed with.

    With Twilio configured it is TWILIO_AUTH_TOKEN. In simulator mode there is no account, so a
    development token derived from SECRET_KEY is used: only code that knows the app's secret (the
    simulator page, the tests' signing helper) can produce a valid signature.
    """
    token = app.config.get("TWILIO_AUTH_TOKEN") or ""
    if token:
        return token
    return hmac.new(
        str(app.config["SECRET_KEY"]).encode(), b"involve-dev-twilio-token", hashlib.sha256
    ).hexdigest()


def public_url(app: Flask, request: Request) -> str:
    """Return the URL Twilio called, as the outside world spells it (PUBLIC_BASE_URL, path, query)."""
    url = app.config["PUBLIC_BASE_URL"].rstrip("/") + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    return url


def signature_ok(app: Flask, request: Request) -> bool:
    """Return True when the request carries a valid X-Twilio-Signature."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    return RequestValidator(signing_token(app)).validate(public_url(app, request), request.form, signature)
