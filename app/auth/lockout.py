"""Failed sign-ins counted atomically in the database, per account and address, per address, per account.

An attempt is charged to its buckets *before* the password is checked, in one short transaction
of its own that every worker sees at once: a bucket that is full refuses the charge, so forty
parallel guesses get exactly the limit checked against the hash, never more. A right password
gives the charge back. Failures from one address lock only that address's use of the account;
an address guessing across many accounts, and an account guessed at from many addresses, have
looser limits of their own.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from blinker import Namespace
from sqlalchemy import case, delete, exists, select, update

from app.auth.models import LoginAttempt, LoginCounter
from app.extensions import db

TABLE = LoginCounter.__table__
PAIR, ADDRESS, ACCOUNT = "pair", "address", "account"
# An address the account signed in from this recently is the owner's: the account-wide ceiling,
# which strangers can fill from anywhere, never shuts the owner out there.
USUAL_ADDRESS_DAYS = 90

signals = Namespace()
# Sent once when an account's sign-in is locked: sender is the StaffUser; ip, at, until, scope.
account_locked = signals.signal("involve.account-locked")


@dataclass(frozen=True)
class Limits:
    """How many failures each bucket takes in one window."""

    per_pair: int
    per_address: int
    per_account: int
    window_minutes: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        """Read the LOGIN_* settings."""
        return cls(
            per_pair=int(config["LOGIN_MAX_FAILURES"]),
            per_address=int(config["LOGIN_MAX_FAILURES_PER_IP"]),
            per_account=int(config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
            window_minutes=int(config["LOGIN_LOCK_MINUTES"]),
        )


class _Full(Exception):
    """A bucket had no room for the attempt."""


@dataclass(frozen=True)
class Charge:
    """The buckets one attempt was charged to, and each one's count after the charge."""

    counts: dict[str, int]
    keys: dict[str, str]
    ends: dict[str, float]  # when each bucket's window ends, epoch seconds

    def ends_at(self, kind: str) -> datetime:
        """Return when a bucket's window (and any lock in it) ends."""
        return datetime.fromtimestamp(self.ends[kind], tz=UTC)


def bucket_key(kind: str, email: str, ip: str) -> str:
    """Return the counter key of a bucket; emails and addresses are hashed, never stored here."""
    parts = {PAIR: f"{email}\x1f{ip}", ADDRESS: ip, ACCOUNT: email}[kind]
    return f"{kind}:{hashlib.sha256(parts.encode()).hexdigest()[:64]}"


def _insert() -> Any:
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def _charge_one(conn: Any, key: str, limit: int, now: float, window: float) -> tuple[int, float] | None:
    """Add one to a bucket unless it is full; return its new count and window end, or None when full."""
    expired = TABLE.c.expires_at <= now
    stmt = _insert()(TABLE).values(key=key, count=1, expires_at=now + window)
    # The conflict clause runs under the row's lock (PostgreSQL) or the one writer (SQLite), so
    # the test against the limit and the increment are one step: two requests cannot both pass.
    stmt = stmt.on_conflict_do_update(
        index_elements=[TABLE.c.key],
        set_={
            "count": case((expired, 1), else_=TABLE.c.count + 1),
            "expires_at": case((expired, now + window), else_=TABLE.c.expires_at),
        },
        where=expired | (TABLE.c.count < limit),
    ).returning(TABLE.c.count, TABLE.c.expires_at)
    row = conn.execute(stmt).first()
    return None if row is None else (int(row[0]), float(row[1]))


def _usual_address(conn: Any, email: str, ip: str, now: datetime) -> bool:
    """True when the account signed in successfully from ``ip`` within USUAL_ADDRESS_DAYS."""
    if not ip:
        return False
    since = now - timedelta(days=USUAL_ADDRESS_DAYS)
    attempts = LoginAttempt.__table__.c
    found = exists().where(
        attempts.email == email, attempts.ip == ip, attempts.ok.is_(True), attempts.at >= since
    )
    return bool(conn.execute(select(found)).scalar())


def charge(email: str, ip: str, *, now: datetime, limits: Limits) -> Charge | None:
    """Charge one attempt to each of its buckets, all or none; None when any bucket is full."""
    stamp, window = now.timestamp(), limits.window_minutes * 60.0
    # An unknown address is no bucket: lumping such requests together would lock everyone out.
    # Buckets are taken in one fixed order of kinds, so attempts sharing some never wait in a cycle.
    order = [(ADDRESS, limits.per_address)] if ip else []
    order += [(PAIR, limits.per_pair), (ACCOUNT, limits.per_account)]
    counts: dict[str, int] = {}
    keys: dict[str, str] = {}
    ends: dict[str, float] = {}
    try:
        # A connection of its own, committed before the password is checked, so every worker sees
        # the charge at once. Its first statement writes, so on SQLite it holds the one write lock
        # from the first count to the commit. (The caller's session must not hold that lock.)
        with db.engine.begin() as conn:
            for kind, limit in order:
                # The same query for every email, real or not, so the answer's timing tells nothing.
                if kind == ACCOUNT and _usual_address(conn, email, ip, now):
                    continue
                keys[kind] = bucket_key(kind, email, ip)
                charged = _charge_one(conn, keys[kind], limit, stamp, window)
                if charged is None:
                    raise _Full(kind)  # rolls back the buckets already charged
                counts[kind], ends[kind] = charged
            if random.random() < 0.02:  # now and then, drop long-expired windows
                conn.execute(delete(TABLE).where(TABLE.c.expires_at < stamp - 3600))
    except _Full:
        return None
    return Charge(counts=counts, keys=keys, ends=ends)


def refund(spent: Charge) -> None:
    """Give back a charge after a right password: the pair starts afresh, the others lose one (flush only)."""
    db.session.execute(delete(LoginCounter).where(LoginCounter.key == spent.keys[PAIR]))
    others = [key for kind, key in spent.keys.items() if kind != PAIR]
    if others:
        db.session.execute(
            update(LoginCounter)
            .where(LoginCounter.key.in_(others), LoginCounter.count > 0)
            .values(count=LoginCounter.count - 1)
        )


def locks_begun(spent: Charge, limits: Limits) -> list[str]:
    """Return the account buckets this failed attempt has just filled, the wider last (each fills once a window)."""
    full = {PAIR: limits.per_pair, ACCOUNT: limits.per_account}
    return [kind for kind, limit in full.items() if spent.counts.get(kind) == limit]
