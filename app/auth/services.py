"""Creating staff users and checking sign-ins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.auth.lockout import Limits, account_locked, charge, locks_begun, refund
from app.auth.models import LoginAttempt
from app.extensions import db
from app.models import StaffUser
from app.models.people import ROLES, waste_password_check


class UserError(ValueError):
    """A staff user cannot be created as asked."""


def create_user(email: str, role: str, password: str, name: str = "") -> StaffUser:
    """Add a staff user with a hashed password; the caller commits."""
    from email_validator import EmailNotValidError, validate_email  # loaded when first needed

    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise UserError(f"{email!r} is not an email address: {exc}") from exc
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise UserError("the password must be at least 8 characters")
    if db.session.scalar(select(StaffUser).where(StaffUser.email == email)):
        raise UserError(f"a staff user {email} already exists")
    user = StaffUser(email=email, role=role, name=name)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


LOCKED_MESSAGE = (
    "Too many failed attempts to sign in from here. Please wait {minutes} minutes and try again, "
    "or ask an admin to help."
)
MISMATCH_MESSAGE = "That email and password do not match an active account."


def authenticate(
    email: str,
    password: str,
    *,
    ip: str,
    now: datetime,
    limits: Limits,
) -> tuple[StaffUser | None, str | None]:
    """Check a sign-in; return the user or a message saying why not. Records the attempt."""
    email, ip = email.strip().lower(), ip[:64]
    # Charged before the hash is checked, so parallel guesses cannot slip past the count.
    spent = charge(email, ip, now=now, limits=limits)
    if spent is None:
        # The same words whichever limit was reached, for real and made-up emails alike.
        return None, LOCKED_MESSAGE.format(minutes=limits.window_minutes)
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
    if user is not None and user.password_hash:
        matches = user.check_password(password)
    else:
        waste_password_check(password)  # the same work as a real account: timing tells nothing
        matches = False
    ok = bool(user and user.active and matches)
    db.session.add(LoginAttempt(email=email, ip=ip, ok=ok, at=now))
    if not ok:
        if user is not None and user.active:
            begun = locks_begun(spent, limits)
            if begun:
                # One email per lock; messaging queues it in this transaction (app never imports it).
                scope = begun[-1]
                account_locked.send(user, ip=ip, at=now, until=spent.ends_at(scope), scope=scope)
        return None, MISMATCH_MESSAGE
    assert user is not None
    refund(spent)
    user.last_login_at = now
    return user, None
