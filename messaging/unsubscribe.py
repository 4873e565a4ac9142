"""Email unsubscribe tokens: opaque, unforgeable, dated, and needing no storage.

A token is the address and the day it was issued, sealed with AES-SIV under a key drawn from
SECRET_KEY: nothing in the link reads as the address, a changed byte fails the seal, and the
same address on the same day seals to the same token, so an email's body link and its
``List-Unsubscribe`` header agree. Tokens older than UNSUBSCRIBE_TOKEN_DAYS are refused with a
page that says how to stop the emails anyway. Links sent before tokens were sealed (readable
itsdangerous signatures, which hold a dot) still work: the mail they came in is already out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

SALT = "involve-unsubscribe"
CONTEXT = b"involve-unsubscribe-v2"
DEFAULT_DAYS = 400
EPOCH = date(2000, 1, 1)


@dataclass(frozen=True)
class TokenReading:
    """What a token says: the address, or why there is none."""

    email: str | None
    expired: bool = False


def _secrets() -> list[str]:
    """Return SECRET_KEY, then any SECRET_KEY_FALLBACKS, so links outlive a key rotation."""
    config = current_app.config
    return [str(config["SECRET_KEY"]), *(str(key) for key in config.get("SECRET_KEY_FALLBACKS") or [])]


def _sealer(secret: str) -> AESSIV:
    # 64 bytes: AES-256 in SIV mode, a key of its own, never the session-signing key itself.
    return AESSIV(hmac.new(secret.encode(), CONTEXT, hashlib.sha512).digest())


def _days(today: date | None) -> int:
    return ((today or datetime.now(UTC).date()) - EPOCH).days


def token_for(email: str, *, today: date | None = None) -> str:
    """Return the unsubscribe token of an email address, dated ``today``."""
    day = _days(today)
    sealed = _sealer(_secrets()[0]).encrypt(
        day.to_bytes(4, "big") + email.strip().lower().encode(), [CONTEXT]
    )
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()


def _legacy(token: str) -> str | None:
    for secret in _secrets():
        try:
            value = URLSafeSerializer(secret, salt=SALT).loads(token)
        except (BadData, UnicodeError, ValueError):
            continue
        if isinstance(value, str) and "@" in value:
            return value
    return None


def read_token(token: str, *, today: date | None = None) -> TokenReading:
    """Return the address a token was made for, or say it is unknown or has expired."""
    if "." in token:
        return TokenReading(_legacy(token))
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return TokenReading(None)
    if base64.urlsafe_b64encode(sealed).rstrip(b"=").decode() != token:
        return TokenReading(None)  # only the one spelling we issue: spare bits in the last character
    for secret in _secrets():
        try:
            plain = _sealer(secret).decrypt(sealed, [CONTEXT])
        except (InvalidTag, ValueError):
            continue
        issued, email = int.from_bytes(plain[:4], "big"), plain[4:].decode("utf-8", "replace")
        limit = int(current_app.config.get("UNSUBSCRIBE_TOKEN_DAYS") or DEFAULT_DAYS)
        if _days(today) - issued > limit:
            return TokenReading(None, expired=True)
        return TokenReading(email if "@" in email else None)
    return TokenReading(None)


def email_for(token: str) -> str | None:
    """Return the address a token was made for, or None when it is unknown, garbled or expired."""
    return read_token(token).email


def unsubscribe_url(email: str) -> str:
    """Return PUBLIC_BASE_URL + /u/<token> for an email address."""
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/u/{token_for(email)}"


def masked(email: str) -> str:
    """Show an address as a••••@example.org, enough for its owner to know it and no more."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}{'•' * max(3, len(local) - 1)}@{domain}"
