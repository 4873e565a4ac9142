"""The queue's claims: take due messages atomically, give back what was not sent, settle what a crash left."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from app.extensions import db
from messaging.models import InboundMessage, OutboundMessage
from messaging.pacing import parse_quiet_hours, quiet_until


def _config_seconds(name: str, default: float) -> float:
    return float(current_app.config.get(name, default))


def mark_stale_unknown(now: datetime) -> int:
    """Settle messages left "sending" past the timeout by a crashed sender; return how many became unknown.

    A message whose provider call had started may have gone out, so it becomes "unknown" and is never
    resent; one that was claimed but never attempted certainly did not, so it goes back in the queue.
    """
    cutoff = now - timedelta(seconds=_config_seconds("MESSAGING_SENDING_TIMEOUT_SECONDS", 900))
    stale = (OutboundMessage.status == "sending", OutboundMessage.claimed_at < cutoff)
    db.session.execute(
        update(OutboundMessage)
        .where(*stale, OutboundMessage.attempt_started_at.is_(None))
        .values(status="queued", claim_token=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    result = db.session.execute(
        update(OutboundMessage)
        .where(*stale, OutboundMessage.attempt_started_at.is_not(None))
        .values(
            status="unknown",
            claim_token=None,
            error_message="claimed for sending but never recorded (the sender stopped); not resent",
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def hold_for_quiet_hours(now: datetime) -> int:
    """Push due texts to the end of quiet hours, except replies within a live conversation."""
    until = quiet_until(parse_quiet_hours(current_app.config.get("SMS_QUIET_HOURS", "")), now)
    if until is None:
        return 0
    # Someone who texted us in the last while is waiting for an answer; do not make them wait.
    since = now - timedelta(minutes=_config_seconds("MESSAGING_CONVERSATION_MINUTES", 60))
    talking = select(InboundMessage.from_number).where(InboundMessage.received_at >= since)
    result = db.session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.channel == "sms",
            OutboundMessage.status == "queued",
            OutboundMessage.next_attempt_at <= now,
            OutboundMessage.to_address.not_in(talking),
        )
        .values(next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def claim(channel: str, now: datetime, size: int, ids: list[int] | None = None) -> list[OutboundMessage]:
    """Atomically move due queued messages to "sending" under a fresh token and commit the claim."""
    query = select(OutboundMessage.id).where(
        OutboundMessage.channel == channel, OutboundMessage.status == "queued"
    )
    if ids is None:
        query = query.where(OutboundMessage.next_attempt_at <= now)
    else:
        query = query.where(OutboundMessage.id.in_(ids))
    query = query.order_by(OutboundMessage.next_attempt_at, OutboundMessage.id).limit(size)
    # Dispatchers in other processes pass over the rows this one has locked rather than wait for them.
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    found = list(db.session.scalars(query))
    if not found:
        db.session.commit()
        return []
    token = uuid.uuid4().hex
    # The status test in the WHERE clause is the claim: a second dispatcher's UPDATE matches nothing.
    db.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id.in_(found), OutboundMessage.status == "queued")
        .values(status="sending", claim_token=token, claimed_at=now, attempt_started_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(db.session.scalars(select(OutboundMessage).where(OutboundMessage.claim_token == token)))


def release(ids: list[int]) -> None:
    """Put claimed messages that were never handed to the provider back in the queue.

    The caller knows they were not: marked or not, no request for them left (a stop or an error).
    """
    db.session.rollback()
    if ids:
        db.session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id.in_(ids), OutboundMessage.status == "sending")
            .values(status="queued", claim_token=None, attempt_started_at=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
