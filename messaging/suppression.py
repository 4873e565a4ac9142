"""The per-channel suppression list: who must never be sent to, and why."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select, update

from app.extensions import db
from app.models import Customer
from messaging.channels import channel as describe
from messaging.models import Suppression

CHUNK = 500


def normalise(channel: str, address: str) -> str:
    """Return the form an address is stored and compared in."""
    return describe(channel).normalise(address)


def suppressed_addresses(channel: str, addresses: Iterable[str]) -> set[str]:
    """Return the given addresses that are suppressed on ``channel`` (in their given form)."""
    wanted: dict[str, list[str]] = {}
    for address in addresses:
        wanted.setdefault(normalise(channel, address), []).append(address)
    keys = list(wanted)
    found: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        rows = db.session.scalars(
            select(Suppression.address).where(Suppression.channel == channel, Suppression.address.in_(chunk))
        )
        for row in rows:
            found.update(wanted[row])
    return found


def is_suppressed(channel: str, address: str) -> bool:
    """Return True when ``address`` must not be sent to on ``channel``."""
    return bool(suppressed_addresses(channel, [address]))


def suppress(channel: str, address: str, reason: str, *, now: datetime, opt_out: bool = False) -> bool:
    """Add an address to the suppression list; mark matching customers opted out when asked."""
    key = normalise(channel, address)
    if not key:
        return False
    added = False
    if not is_suppressed(channel, key):
        # A savepoint: a concurrent request may add the same row first (unique channel+address).
        from sqlalchemy.exc import IntegrityError

        try:
            with db.session.begin_nested():
                db.session.add(Suppression(channel=channel, address=key, reason=reason, created_at=now))
            added = True
        except IntegrityError:
            added = False
    if opt_out:
        column = describe(channel).opted_out_column()
        match = describe(channel).address_sql() == key
        db.session.execute(
            update(Customer)
            .where(match, column.is_(None))
            .values({column: now})
            .execution_options(synchronize_session=False)
        )
    return added


def lift(channel: str, address: str, *, now: datetime) -> bool:
    """Remove an address from the suppression list and clear the customers' opt-out."""
    key = normalise(channel, address)
    removed = db.session.execute(
        delete(Suppression).where(Suppression.channel == channel, Suppression.address == key)
    ).rowcount
    column = describe(channel).opted_out_column()
    match = describe(channel).address_sql() == key
    db.session.execute(
        update(Customer).where(match).values({column: None}).execution_options(synchronize_session=False)
    )
    return bool(removed)
