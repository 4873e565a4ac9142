"""Inbound texts: store once, act on channel keywords, hand the rest on, leave the unclaimed for staff."""

from __future__ import annotations

import re
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Customer
from messaging.api import NewMessage, enqueue
from messaging.models import InboundMessage
from messaging.signals import InboundReply, sms_received
from messaging.suppression import is_suppressed, lift, suppress

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
START_WORDS = {"START", "UNSTOP"}
HELP_WORDS = {"HELP", "INFO"}
MAX_BODY = 5000
STOP_REPLY = "You have been unsubscribed and will get no more texts from us. Reply START to resubscribe."
START_REPLY = "You have been resubscribed to texts from us. Reply STOP to unsubscribe."


def keyword(body: str) -> str:
    """Return the whole message as a keyword candidate: trimmed, upper case, trailing punctuation gone."""
    return re.sub(r"[\s.!?,;:]+$", "", (body or "").strip()).upper()


def find_customer(phone: str) -> Customer | None:
    """Return the register entry with this phone number, if any."""
    return db.session.scalar(
        select(Customer)
        .where(Customer.phone == phone, Customer.erased_at.is_(None))
        .order_by(Customer.id)
        .limit(1)
    )


def _store(
    from_number: str, to_number: str, body: str, message_sid: str, now: datetime
) -> InboundMessage | None:
    """Insert the text; None when this MessageSid was seen before (a retry or a race)."""
    if db.session.scalar(select(InboundMessage.id).where(InboundMessage.message_sid == message_sid)):
        return None
    customer = find_customer(from_number)
    inbound = InboundMessage(
        message_sid=message_sid,
        from_number=from_number,
        to_number=to_number,
        body=body[:MAX_BODY],
        received_at=now,
        customer_id=customer.id if customer else None,
    )
    try:
        # A savepoint, so a concurrent insert of the same MessageSid loses cleanly.
        with db.session.begin_nested():
            db.session.add(inbound)
    except IntegrityError:
        return None
    return inbound


def _reply(
    inbound: InboundMessage, text: str, now: datetime, topic: str = "", activity_id: int | None = None
) -> list[str]:
    """Queue a reply through the outbox, so it is paced, costed and recorded like any other text."""
    queued = enqueue(
        "sms",
        NewMessage(
            to=inbound.from_number,
            body=text,
            customer_id=inbound.customer_id,
            activity_id=activity_id,
            topic=topic,
            ref=f"inbound:{inbound.id}",
            purpose="reply",
        ),
        now=now,
    )
    return [text] if queued is not None else []


def receive_sms(
    from_number: str,
    to_number: str,
    body: str,
    message_sid: str,
    *,
    now: datetime,
    opt_out_type: str = "",
) -> list[str]:
    """Handle one inbound text (flush only; the caller commits); return the replies queued."""
    inbound = _store(from_number.strip(), to_number.strip(), body or "", message_sid, now)
    if inbound is None:
        return []
    word = keyword(inbound.body)
    opt_out_type = (opt_out_type or "").strip().upper()
    if opt_out_type == "STOP" or word in STOP_WORDS:
        inbound.handled_by = "keyword:stop"
        suppress("sms", inbound.from_number, "opt-out:STOP", now=now, opt_out=True)
        # Twilio answers STOP itself on its own numbers; we send nothing to a number that opted out.
        return []
    suppressed = is_suppressed("sms", inbound.from_number)
    # "YES" is also a survey answer: it opts back in only a number that is opted out.
    if opt_out_type == "START" or word in START_WORDS or (word == "YES" and suppressed):
        inbound.handled_by = "keyword:start"
        lift("sms", inbound.from_number, now=now)
        return _reply(inbound, START_REPLY, now)
    if opt_out_type == "HELP" or word in HELP_WORDS:
        inbound.handled_by = "keyword:help"
        return _reply(inbound, current_app.config["SMS_HELP_TEXT"], now)
    customer = db.session.get(Customer, inbound.customer_id) if inbound.customer_id else None
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for _receiver, result in sms_received.send(app, message=inbound, customer=customer, now=now):
        if isinstance(result, InboundReply):
            inbound.handled_by = result.handled_by
            if result.reply:
                return _reply(inbound, result.reply, now, result.topic, result.activity_id)
            return []
    return []
