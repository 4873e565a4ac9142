"""Staff account administration: create, change role, set a password, switch on and off (all audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.auth.services import UserError, create_user
from app.extensions import db
from app.models import StaffUser
from app.models.audit import record
from app.models.people import ROLES

PASSWORD_MIN, PASSWORD_MAX = 8, 1000


class AccountError(ValueError):
    """A staff account cannot be changed as asked; the message says why, in plain English."""


def check_password_rules(password: str) -> None:
    """Refuse a password that is too short or too long (the same rules as at creation)."""
    if len(password) < PASSWORD_MIN:
        raise AccountError(f"Use at least {PASSWORD_MIN} characters for the password.")
    if len(password) > PASSWORD_MAX:
        raise AccountError(f"Use at most {PASSWORD_MAX} characters for the password.")


def list_accounts() -> list[StaffUser]:
    """Return every staff account, active ones first, by email."""
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.active.desc(), StaffUser.email)))


def _audit(action: str, user: StaffUser, actor: Any, now: datetime, **detail: Any) -> None:
    record(
        action,
        actor=actor,
        target_type="staff_user",
        target_id=user.id,
        detail={"email": user.email, **detail},
        now=now,
    )


def _other_active_admins(user: StaffUser) -> int:
    """Count active admins other than ``user``, locking their rows so two demotions cannot race."""
    ids = select(StaffUser.id).where(
        StaffUser.role == "admin", StaffUser.active.is_(True), StaffUser.id != user.id
    )
    if db.engine.dialect.name == "postgresql":
        ids = ids.with_for_update()
    return len(db.session.scalars(ids).all())


def _guard_admin_loss(user: StaffUser, actor: Any, doing: str) -> None:
    """Refuse to take away the actor's own access or the last active admin."""
    if getattr(actor, "id", None) == user.id:
        raise AccountError(f"You cannot {doing} your own account; ask another admin.")
    if user.role == "admin" and user.active and _other_active_admins(user) == 0:
        raise AccountError(f"{user.email} is the last active admin: make someone else an admin first.")


def create_account(
    email: str, role: str, password: str, name: str, *, actor: Any, now: datetime
) -> StaffUser:
    """Create a staff account and audit it; the caller commits."""
    check_password_rules(password)
    try:
        user = create_user(email, role, password, name=name)
    except UserError as exc:
        text = str(exc)
        raise AccountError(text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")) from exc
    _audit("staff.create", user, actor, now, role=user.role)
    return user


def change_role(user: StaffUser, role: str, *, actor: Any, now: datetime) -> bool:
    """Give ``user`` another role and end their sessions; return False when nothing changed."""
    if role not in ROLES:
        raise AccountError(f"Choose a role from the list: {', '.join(ROLES)}.")
    if role == user.role:
        return False
    if user.role == "admin":
        _guard_admin_loss(user, actor, "demote")
    previous, user.role = user.role, role
    # Pages already open were rendered for the old role; a fresh sign-in picks up the new one.
    user.end_sessions()
    _audit("staff.role", user, actor, now, **{"from": previous, "to": role})
    db.session.flush()
    return True


def set_temporary_password(user: StaffUser, password: str, *, actor: Any, now: datetime) -> None:
    """Set a password the admin passes on by hand; every open session of ``user`` ends."""
    check_password_rules(password)
    user.set_password(password)  # bumps the session version
    _audit("staff.password_reset", user, actor, now, method="temporary password")
    db.session.flush()


def set_active(user: StaffUser, active: bool, *, actor: Any, now: datetime) -> bool:
    """Switch an account on or off; return False when it already was. Switching off ends its sessions."""
    if user.active == active:
        return False
    if not active:
        _guard_admin_loss(user, actor, "switch off")
    user.active = active
    # Ended on both switches: switching back on must not revive cookies issued before.
    user.end_sessions()
    _audit("staff.enable" if active else "staff.disable", user, actor, now)
    db.session.flush()
    return True
