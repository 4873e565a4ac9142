"""Per-address limits on public pages, counted in the database that every worker shares.

Flask-Limiter decides what to count; the counters live in ``rate_limit_counters`` through a small
storage backend for the ``limits`` library (scheme ``involve+db://``), so gunicorn's workers and
several web machines see one count. ``memory://`` works too, for a single process.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter, RequestLimit
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits.storage import Storage
from sqlalchemy import case, delete, func, select
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.models.ratelimit import RateLimitCounter

DEFAULTS = {
    "RATELIMIT_STORAGE_URI": "involve+db://",
    # Every public form post from one address: a person never needs more; a script is held back.
    "PUBLIC_POST_LIMIT": "6 per minute; 30 per hour",
    # Customer references that did not match: a few a minute (slowed), then none for the hour (refused).
    "PUBLIC_LOOKUP_LIMIT": "3 per minute; 10 per hour",
    # One-click unsubscribes come from mail providers' servers, many people behind one address.
    "UNSUBSCRIBE_POST_LIMIT": "120 per minute",
}
TABLE = RateLimitCounter.__table__
LOOKUP_FAILED = "involve.lookup_failed"


class DatabaseStorage(Storage):
    """Fixed-window counters in our own database, on a connection apart from the request's session."""

    STORAGE_SCHEME = ["involve+db"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def _upsert(self) -> Any:
        if db.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add ``amount`` to the key's window, starting a new window when the old one expired."""
        now = time.time()
        stmt = self._upsert()(TABLE).values(key=key, count=amount, expires_at=now + expiry)
        expired = TABLE.c.expires_at <= now
        stmt = stmt.on_conflict_do_update(
            index_elements=[TABLE.c.key],
            set_={
                "count": case((expired, amount), else_=TABLE.c.count + amount),
                "expires_at": case((expired, now + expiry), else_=TABLE.c.expires_at),
            },
        ).returning(TABLE.c.count)
        with db.engine.begin() as conn:
            count = int(conn.execute(stmt).scalar_one())
            if random.random() < 0.02:  # now and then, drop long-expired windows
                conn.execute(delete(TABLE).where(TABLE.c.expires_at < now - 3600))
        return count

    def get(self, key: str) -> int:
        """Return the key's count in its live window (0 when none)."""
        with db.engine.connect() as conn:
            value = conn.execute(
                select(TABLE.c.count).where(TABLE.c.key == key, TABLE.c.expires_at > time.time())
            ).scalar()
        return int(value or 0)

    def get_expiry(self, key: str) -> float:
        """Return when the key's window ends (epoch seconds)."""
        with db.engine.connect() as conn:
            value = conn.execute(select(TABLE.c.expires_at).where(TABLE.c.key == key)).scalar()
        return float(value) if value is not None and value > time.time() else time.time()

    def check(self) -> bool:
        """Return True when the database answers."""
        try:
            with db.engine.connect() as conn:
                conn.execute(select(func.count()).select_from(TABLE))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter; return how many there were."""
        with db.engine.begin() as conn:
            return int(conn.execute(delete(TABLE)).rowcount or 0)

    def clear(self, key: str) -> None:
        """Forget one key's counter."""
        with db.engine.begin() as conn:
            conn.execute(delete(TABLE).where(TABLE.c.key == key))


limiter = Limiter(key_func=get_remote_address, headers_enabled=True)


def _setting(name: str) -> Callable[[], str]:
    return lambda: str(current_app.config[name])


def public_post_limit() -> Any:
    """Limit every public form post from one address (shared by all public pages)."""
    return limiter.shared_limit(_setting("PUBLIC_POST_LIMIT"), scope="public-post", methods=["POST"])


def lookup_limit() -> Any:
    """Limit failed customer look-ups from one address; only a marked failure counts."""
    return limiter.shared_limit(
        _setting("PUBLIC_LOOKUP_LIMIT"),
        scope="public-lookup",
        methods=["POST"],
        deduct_when=lambda _response: bool(request.environ.get(LOOKUP_FAILED)),
    )


def unsubscribe_limit() -> Any:
    """A looser limit for one-click unsubscribes."""
    return limiter.shared_limit(_setting("UNSUBSCRIBE_POST_LIMIT"), scope="unsubscribe", methods=["POST"])


def lookup_failed() -> None:
    """Count this request as a failed customer look-up against the address's limit."""
    # On the request, not on g: an app context (and its g) may outlive one request.
    request.environ[LOOKUP_FAILED] = True


def _too_many(error: RateLimitExceeded) -> ResponseReturnValue:
    limit: RequestLimit | None = getattr(limiter, "current_limit", None)
    wait = max(1, int(limit.reset_at - time.time())) if limit else 60
    minutes = max(1, round(wait / 60))
    return (
        render_template("errors/too_many.html", minutes=minutes, path=request.path),
        429,
        {"Retry-After": str(wait)},
    )


def init_app(app: Flask) -> None:
    """Bind the limiter to the app with its storage and the plain page shown when a limit is hit."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    limiter.init_app(app)
    app.extensions.setdefault("involve_unlimited_prefixes", [])
    app.register_error_handler(RateLimitExceeded, _too_many)


@limiter.request_filter
def _unlimited() -> bool:
    # Paths whose callers prove who they are (Twilio's signed webhooks) carry no per-address limit;
    # skipping them here saves resolving every limit on the busiest route.
    prefixes = current_app.extensions.get("involve_unlimited_prefixes") or ()
    return request.path.startswith(tuple(prefixes)) if prefixes else False


def unlimited(app: Flask, prefix: str) -> None:
    """Skip every rate limit on paths under ``prefix`` (their callers are verified another way)."""
    app.extensions.setdefault("involve_unlimited_prefixes", []).append(prefix)
