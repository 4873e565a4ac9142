"""Emails to staff about their own login, queued in the outbox like every other message."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.auth.lockout import ACCOUNT, account_locked
from app.web.filters import london
from messaging.api import NewMessage, enqueue

WHEN = "%d %B %Y at %H:%M"


def lock_notice(email: str, *, ip: str, at: datetime, until: datetime, scope: str) -> NewMessage:
    """Build the email telling an account's owner that sign-in was paused after failed attempts."""
    where = f"from the address {ip}" if ip else "from an address we could not see"
    if scope == ACCOUNT:
        what = (
            f"Sign-in to your account from new places is paused until {london(until, '%H:%M')} (UK time). "
            "You can still sign in from the places you usually use."
        )
    else:
        what = (
            f"Sign-in {where} is paused until {london(until, '%H:%M')} (UK time). "
            "You can still sign in from anywhere else."
        )
    body = (
        f"Someone gave the wrong password for your Involve login ({email}) several times; "
        f"the last try was {where} on {london(at, WHEN)} (UK time).\n\n"
        f"{what}\n\n"
        "Your password has not been changed. If this was you, wait and try again. If it was not, "
        "please tell an admin, and change your password once you are signed in.\n"
    )
    return NewMessage(
        to=email,
        subject="Involve: sign-in paused after failed attempts",
        body=body,
        topic="staff-login",
        purpose="login-locked",
    )


def tell_owner_of_lock(user: Any, *, ip: str, at: datetime, until: datetime, scope: str, **_: Any) -> None:
    """Queue the lock notice for the account's owner in the sign-in's own transaction."""
    enqueue("email", lock_notice(user.email, ip=ip, at=at, until=until, scope=scope), now=at)


def init_app() -> None:
    """Listen for locked sign-ins (the signal lives in app.auth, which never imports messaging)."""
    account_locked.connect(tell_owner_of_lock)
