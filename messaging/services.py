"""Small staff-facing services: reply to a number."""

from __future__ import annotations

from datetime import datetime

import phonenumbers

from messaging.api import NewMessage, enqueue
from messaging.inbound import find_customer
from messaging.models import OutboundMessage


def e164(raw: str) -> str:
    """Return a UK or international phone number in E.164, or raise ValueError with a clear message."""
    try:
        parsed = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{raw!r} is not a phone number") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"{raw!r} is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def reply_to_number(number: str, body: str, *, now: datetime) -> OutboundMessage | None:
    """Queue a text from staff to a number (flush only); None when the number opted out."""
    if not body:
        raise ValueError("Write a message to send.")
    to = e164(number)
    customer = find_customer(to)
    return enqueue(
        "sms",
        NewMessage(to=to, body=body, customer_id=customer.id if customer else None, purpose="staff-reply"),
        now=now,
    )
