"""Small staff-facing services: reply to a number."""

from __future__ import annotations

from datetime import datetime

from app.contact import ContactError, normalise_phone
from messaging.api import NewMessage, enqueue
from messaging.inbound import find_customer
from messaging.models import OutboundMessage


def e164(raw: str) -> str:
    """Return a UK or international phone number in E.164, or raise ValueError with a clear message."""
    number = normalise_phone(raw)
    if number is None:
        raise ContactError("Write the number to text.")
    return number


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
