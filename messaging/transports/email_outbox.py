"""The development email outbox: messages are stored, whole, and shown on a staff page."""

from __future__ import annotations

from app.extensions import db
from messaging.models import DevEmail, OutboundMessage
from messaging.transports import SendResult
from messaging.transports.email_build import buildable


class OutboxEmail:
    """Keep each email in the dev_emails table instead of sending it."""

    name = "outbox"

    def send_batch(self, messages: list[OutboundMessage]) -> dict[int, SendResult]:
        """Store each message as the raw text it would have been sent as."""
        results: dict[int, SendResult] = {}
        for message in messages:
            built = buildable(message)
            if isinstance(built, SendResult):
                results[message.id] = built
                continue
            raw = built.as_string()
            db.session.add(
                DevEmail(
                    outbound_id=message.id, to_address=message.to_address, subject=message.subject, raw=raw
                )
            )
            results[message.id] = SendResult("delivered", provider_id=f"outbox-{message.id}")
        return results
