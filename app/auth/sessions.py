"""Staff sessions that can be ended: a per-user version, an idle timeout and an absolute lifetime."""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import datetime
from typing import Any

from app.models import StaffUser

VERSION, SINCE, SEEN = "_sv", "_since", "_seen"
# Refresh the idle clock at most this often, so a busy page does not rewrite the cookie each time.
TOUCH_SECONDS = 60


def start(session: MutableMapping[str, Any], user: StaffUser, *, now: datetime) -> None:
    """Stamp a fresh sign-in into the session."""
    session[VERSION] = user.session_version or 0
    session[SINCE] = session[SEEN] = int(now.timestamp())


def still_valid(
    session: MutableMapping[str, Any],
    user: StaffUser,
    *,
    now: datetime,
    idle_minutes: float,
    max_hours: float,
) -> bool:
    """Return True when the session belongs to the user's current version and has not timed out."""
    version, since, seen = session.get(VERSION), session.get(SINCE), session.get(SEEN)
    if not isinstance(version, int) or not isinstance(since, int) or not isinstance(seen, int):
        return False  # a cookie from before sessions were versioned, or a forged one
    stamp = int(now.timestamp())
    if version != (user.session_version or 0):
        return False
    if idle_minutes > 0 and stamp - seen > idle_minutes * 60:
        return False
    if max_hours > 0 and stamp - since > max_hours * 3600:
        return False
    if stamp - seen >= TOUCH_SECONDS:
        session[SEEN] = stamp
    return True


def forget(session: MutableMapping[str, Any]) -> None:
    """Drop the session stamps (after sign-out)."""
    for key in (VERSION, SINCE, SEEN):
        session.pop(key, None)
