"""Record what a provider said about a claimed message: sent, retry later, failed or unknown."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy import select

from app import ledger
from app.extensions import db
from app.models import Cost
from app.periods import LONDON
from messaging.models import OutboundMessage
from messaging.suppression import suppress
from messaging.transports import SendResult

# How far along a message is; a status only ever moves to a higher rank.
RANK = {
    "queued": 0,
    "sending": 0,
    "unknown": 0,
    "sent": 1,
    "delivered": 2,
    "undelivered": 2,
    "failed": 2,
    "suppressed": 2,
}


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter: base * 2^(attempts-1), capped, scaled by 0.5-1.0."""
    base = float(current_app.config.get("MESSAGING_RETRY_BASE_SECONDS", 30))
    cap = float(current_app.config.get("MESSAGING_RETRY_MAX_SECONDS", 3600))
    return min(cap, base * 2 ** max(attempts - 1, 0)) * random.uniform(0.5, 1.0)


def move_status(message: OutboundMessage, status: str) -> bool:
    """Move ``message`` to ``status`` unless that would go backwards; return True when it moved."""
    current = RANK.get(message.status, 0)
    if message.status == status or (current > 0 and RANK.get(status, 0) <= current):
        return False
    message.status = status
    return True


def add_sms_cost(message: OutboundMessage) -> None:
    """Add the message's SMS charge to its activity's costs, exactly once (source_key sms:<id>)."""
    if message.channel != "sms" or not message.activity_id or not message.estimated_cost:
        return
    sent = message.sent_at or message.created_at
    values = {
        "activity_id": message.activity_id,
        "date": sent.astimezone(LONDON).date(),
        "amount": Decimal(message.estimated_cost).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        "description": f"SMS {message.ref or message.purpose or message.id} ({message.segments} segment(s))",
        "kind": "sms",
    }
    # One statement, no read first: the dispatcher records texts by the hundred a second.
    ledger.add_once(Cost, f"sms:{message.id}", values, now=sent)


def reload(ids: list[int]) -> dict[int, OutboundMessage]:
    """Read these messages afresh in one query (status callbacks may have moved them), by id."""
    if not ids:
        return {}
    query = select(OutboundMessage).where(OutboundMessage.id.in_(ids))
    return {row.id: row for row in db.session.scalars(query.execution_options(populate_existing=True))}


def record(
    message: OutboundMessage, result: SendResult, *, now: datetime, sent_at: datetime, fresh: bool = False
) -> str:
    """Apply a send result to a claimed message (the caller commits); return the outcome kept.

    ``fresh`` says the caller has just reloaded the row (several at once, see ``reload``).
    """
    # A status callback may have landed between the claim and now: never overwrite it.
    if not fresh:
        db.session.refresh(message)
    message.claim_token = None
    message.attempts += 1
    message.error_code, message.error_message = result.error_code, result.error_message
    if result.outcome in ("sent", "delivered"):
        message.provider_id = message.provider_id or result.provider_id
        message.sent_at = sent_at
        if move_status(message, result.outcome) and result.outcome == "delivered":
            message.delivered_at = sent_at
        add_sms_cost(message)
        return result.outcome
    if result.outcome == "retry":
        limit = int(current_app.config.get("MESSAGING_MAX_ATTEMPTS", 5))
        if message.attempts >= limit:
            message.status = "failed"
            message.error_message = f"gave up after {message.attempts} attempts: {result.error_message}"
            return "failed"
        message.status = "queued"
        message.next_attempt_at = now + timedelta(seconds=backoff_seconds(message.attempts))
        return "retry"
    if result.outcome == "failed":
        message.status = "failed"
        if result.suppress_reason:
            suppress(
                message.channel,
                message.to_address,
                f"{result.suppress_reason}:{result.error_code}"
                if result.error_code
                else result.suppress_reason,
                now=now,
                opt_out=result.suppress_reason == "opt-out",
            )
        return "failed"
    message.status = "unknown"
    return "unknown"
