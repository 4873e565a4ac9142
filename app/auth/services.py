"""Creating staff users and checking sign-ins."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

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


def _recent_failures(column: Any, value: str, now: datetime, lock_minutes: int) -> int:
    since = now - timedelta(minutes=lock_minutes)
    failures = db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(column == value, LoginAttempt.at >= since, LoginAttempt.ok.is_(False))
    )
    return failures or 0


def is_locked(email: str, now: datetime, max_failures: int, lock_minutes: int) -> bool:
    """True when ``email`` had too many failed sign-ins in the lock window."""
    return _recent_failures(LoginAttempt.email, email, now, lock_minutes) >= max_failures


def is_ip_locked(ip: str, now: datetime, max_failures: int, lock_minutes: int) -> bool:
    """True when ``ip`` had too many failed sign-ins, over any emails, in the lock window."""
    # An unknown address is no bucket: lumping every such request together would lock everyone out.
    if not ip:
        return False
    return _recent_failures(LoginAttempt.ip, ip[:64], now, lock_minutes) >= max_failures


def authenticate(
    email: str,
    password: str,
    *,
    ip: str,
    now: datetime,
    max_failures: int,
    lock_minutes: int,
    max_failures_per_ip: int,
) -> tuple[StaffUser | None, str | None]:
    """Check a sign-in; return the user or a message saying why not. Records the attempt."""
    email = email.strip().lower()
    # The address limit stops one machine trying a few passwords against many accounts.
    if is_locked(email, now, max_failures, lock_minutes) or is_ip_locked(
        ip, now, max_failures_per_ip, lock_minutes
    ):
        return None, f"Too many failed attempts. Try again in {lock_minutes} minutes."
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
    if user is not None and user.password_hash:
        matches = user.check_password(password)
    else:
        waste_password_check(password)  # the same work as a real account: timing tells nothing
        matches = False
    ok = bool(user and user.active and matches)
    db.session.add(LoginAttempt(email=email, ip=ip[:64], ok=ok, at=now))
    if not ok:
        return None, "That email and password do not match an active account."
    assert user is not None
    user.last_login_at = now
    return user, None
