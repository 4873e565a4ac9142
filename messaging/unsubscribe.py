"""Email unsubscribe tokens: signed, so they cannot be guessed or forged, and need no storage."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

from app.links import external_url

SALT = "involve-unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(email: str) -> str:
    """Return the unsubscribe token of an email address."""
    return str(_serializer().dumps(email.strip().lower()))


def email_for(token: str) -> str | None:
    """Return the address a token was made for, or None when it is unknown or garbled."""
    try:
        value = _serializer().loads(token)
    except (BadData, UnicodeError, ValueError):
        return None
    return value if isinstance(value, str) and "@" in value else None


def unsubscribe_url(email: str) -> str:
    """Return the public unsubscribe link (PUBLIC_BASE_URL/u/<token>) of an email address."""
    return external_url("messaging.unsubscribe", token=token_for(email))
