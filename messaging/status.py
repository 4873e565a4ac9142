"""Delivery status callbacks: statuses only move forward; some errors suppress the number."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from messaging.models import OutboundMessage
from messaging.outcomes import add_sms_cost, move_status
from messaging.suppression import suppress

# Twilio's statuses, mapped onto ours; accepted/queued/sending at Twilio all mean "sent" to us.
TWILIO_STATUS = {
    "accepted": "sent",
    "scheduled": "sent",
    "queued": "sent",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}
# 30005 unknown destination, 30006 landline or unreachable carrier: texts will never arrive.
UNDELIVERABLE_CODES = {"30005", "30006"}


def find_message(provider_id: str, our_id: str = "") -> OutboundMessage | None:
    """Find the outbox row a callback speaks of, by MessageSid, else by our id in the callback URL."""
    message = None
    if provider_id:
        message = db.session.scalar(select(OutboundMessage).where(OutboundMessage.provider_id == provider_id))
    if message is None and our_id.isdigit():
        candidate = db.session.get(OutboundMessage, int(our_id))
        # Only trust the id for a row that has no provider id yet or the same one.
        if (
            candidate is not None
            and candidate.channel == "sms"
            and candidate.provider_id in (None, provider_id)
        ):
            message = candidate
    return message


def apply_status(
    provider_id: str, twilio_status: str, error_code: str, *, now: datetime, our_id: str = ""
) -> bool:
    """Apply one status callback (flush only); return True when the message changed."""
    message = find_message(provider_id, our_id)
    status = TWILIO_STATUS.get((twilio_status or "").strip().lower())
    if message is None or status is None:
        return False
    if provider_id and not message.provider_id:
        message.provider_id = provider_id
    moved = move_status(message, status)
    if moved:
        if status in ("sent", "delivered") and message.sent_at is None:
            message.sent_at = now
            add_sms_cost(message)
        if status == "delivered":
            message.delivered_at = now
        if error_code:
            message.error_code = error_code
    if error_code in UNDELIVERABLE_CODES:
        suppress("sms", message.to_address, f"undeliverable:{error_code}", now=now)
    db.session.flush()
    return moved
