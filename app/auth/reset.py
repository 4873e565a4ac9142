"""Forgotten passwords: signed, expiring, single-use reset links, sent through the app's email path."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from app.auth.accounts import check_password_rules
from app.extensions import db
from app.models import StaffUser
from app.models.audit import record

SALT = "involve.password-reset"
SENDER_KEY = "involve_staff_email"
# Sends one email to a member of staff: (to, subject, body, now). Registered by the messaging package.
EmailSender = Callable[[str, str, str, datetime], None]


class ResetLinkError(ValueError):
    """A reset link cannot be used; ``reason`` is "expired", "used" or "garbled"."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ResetEmail:
    """One reset email, ready to send."""

    to: str
    subject: str
    body: str


def register_email_sender(app: Flask, sender: EmailSender) -> None:
    """Name the function that sends staff emails (the messaging package registers its outbox)."""
    app.extensions[SENDER_KEY] = sender


def email_sender(app: Flask | None = None) -> EmailSender | None:
    """Return the registered staff email sender, or None when no email channel is installed."""
    return (app or current_app).extensions.get(SENDER_KEY)


def _fingerprint(password_hash: str, secret: str) -> str:
    # A new password has a new salted hash, so a link stops working once it has been used.
    return hmac.new(secret.encode(), password_hash.encode(), hashlib.sha256).hexdigest()[:24]


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=SALT)


def make_token(user: StaffUser, *, secret: str, now: datetime) -> str:
    """Return a signed token for ``user`` issued at ``now``."""
    payload = {"u": user.id, "t": int(now.timestamp()), "f": _fingerprint(user.password_hash or "", secret)}
    return str(_serializer(secret).dumps(payload))


def check_token(token: str, *, secret: str, now: datetime, minutes: float) -> StaffUser:
    """Return the user a token belongs to; raise ResetLinkError when it is garbled, expired or used."""
    try:
        payload: Any = _serializer(secret).loads(token)
        user_id, issued, fingerprint = int(payload["u"]), int(payload["t"]), str(payload["f"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise ResetLinkError(
            "garbled", "This link is not complete or has been changed. Copy the whole link from the email."
        ) from None
    if now.timestamp() - issued > minutes * 60 or issued > now.timestamp() + 60:
        raise ResetLinkError("expired", f"This link has expired: links work for {minutes:g} minutes.")
    user = db.session.get(StaffUser, user_id)
    if (
        user is None
        or not user.active
        or not hmac.compare_digest(fingerprint, _fingerprint(user.password_hash or "", secret))
    ):
        # Used, superseded by a newer password, or the account was switched off: all look alike.
        raise ResetLinkError("used", "This link has already been used, or the password was changed since.")
    return user


def reset_email(
    user: StaffUser, link: str, minutes: float, organisation: str, asked_by: str = "Someone"
) -> ResetEmail:
    """Write the reset email; the subject is fixed text, so no header can be injected."""
    greeting = " ".join((user.name or "").split())  # no line breaks from a stored name
    body = (
        f"Hello{' ' + greeting if greeting else ''},\n\n"
        f"{asked_by} asked to reset the password of your {organisation} Involve account ({user.email}).\n"
        f"To choose a new password, open this link within {minutes:g} minutes:\n\n{link}\n\n"
        "The link works once. If you did not ask, ignore this email: your password stays as it is.\n"
    )
    return ResetEmail(to=user.email, subject="Reset your Involve password", body=body)


def _link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/reset-password/{token}"


def prepare_reset(
    email: str, *, secret: str, now: datetime, minutes: float, base_url: str, organisation: str
) -> ResetEmail | None:
    """Build the reset email for an active account with ``email``; None when there is none.

    An unknown address costs the same work (a signed token and an email written), so the caller's
    answer and timing say nothing about which addresses have accounts.
    """
    address = (email or "").strip().lower()[:254]
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == address)) if address else None
    known = user is not None and user.active
    target = user if known else StaffUser(id=0, email=address or "nobody@invalid", password_hash="")
    assert target is not None
    message = reset_email(
        target, _link(base_url, make_token(target, secret=secret, now=now)), minutes, organisation
    )
    if not known:
        return None
    record(
        "auth.password_reset_requested",
        actor=None,
        target_type="staff_user",
        target_id=target.id,
        detail={"email": target.email},
        now=now,
    )
    return message


def link_email_for(
    user: StaffUser,
    *,
    actor: Any,
    secret: str,
    now: datetime,
    minutes: float,
    base_url: str,
    organisation: str,
) -> ResetEmail:
    """Build a reset email an admin sends to ``user``, and audit it; the caller commits and sends."""
    token = make_token(user, secret=secret, now=now)
    message = reset_email(user, _link(base_url, token), minutes, organisation, asked_by="An administrator")
    record(
        "staff.reset_link_sent",
        actor=actor,
        target_type="staff_user",
        target_id=user.id,
        detail={"email": user.email},
        now=now,
    )
    return message


def complete_reset(token: str, password: str, *, secret: str, now: datetime, minutes: float) -> StaffUser:
    """Set a new password through a reset link; every session of the user ends; the caller commits."""
    user = check_token(token, secret=secret, now=now, minutes=minutes)
    check_password_rules(password)
    user.set_password(password)  # a new hash (the link dies) and a new session version
    record(
        "staff.password_reset",
        actor=user,
        target_type="staff_user",
        target_id=user.id,
        detail={"email": user.email, "method": "emailed link"},
        now=now,
    )
    db.session.flush()
    return user
