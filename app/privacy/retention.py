"""The retention purge: message bodies and free-text answers older than RETENTION_DAYS are blanked."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete

from app.auth.models import LoginAttempt
from app.extensions import db
from app.privacy.registry import places

DEFAULT_DAYS = 730


class RetentionError(ValueError):
    """The retention setting cannot be used; the message names it."""


def retention_days(config: dict[str, object] | None = None) -> int:
    """Return RETENTION_DAYS from the settings, refusing values that would purge everything."""
    raw = (config if config is not None else current_app.config).get("RETENTION_DAYS", DEFAULT_DAYS)
    try:
        days = int(str(raw))
    except ValueError as exc:
        raise RetentionError(f"RETENTION_DAYS must be a whole number of days, not {raw!r}") from exc
    if days < 1:
        raise RetentionError(f"RETENTION_DAYS must be at least 1, not {days}")
    return days


def purge_expired(now: datetime, days: int) -> dict[str, int]:
    """Blank personal free text written more than ``days`` before ``now``; flushes, returns counts."""
    cutoff = now - timedelta(days=days)
    done = {place.name: place.purge(cutoff) for place in places()}
    # Sign-in attempts hold staff emails and addresses; the throttle only looks back minutes.
    done["login_attempts"] = db.session.execute(
        delete(LoginAttempt).where(LoginAttempt.at < cutoff).execution_options(synchronize_session=False)
    ).rowcount
    db.session.flush()
    return done
