"""Link tokens: random, and stored only as a digest so a leaked table opens no link."""

from __future__ import annotations

import hashlib
import secrets


def new_token(nbytes: int = 32) -> tuple[str, str]:
    """Return a fresh URL-safe token and the SHA-256 hex digest that is stored instead."""
    token = secrets.token_urlsafe(nbytes)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    """Return the stored form of a link token."""
    return hashlib.sha256(token.encode()).hexdigest()
