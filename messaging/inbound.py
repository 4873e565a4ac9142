"""Inbound texts: store once, act on channel keywords, hand the rest on, leave the unclaimed for staff."""

from __future__ import annotations

import re
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import make_transient_to_detached

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


def store_inbound(
    from_number: str, to_number: str, body: str, message_sid: str, *, now: datetime
) -> InboundMessage | None:
    """Insert the text (flush only); None when this MessageSid was seen before (a retry or a race)."""
    table = InboundMessage.__table__
    customer = (
        select(Customer.id)
        .where(Customer.phone == from_number, Customer.erased_at.is_(None))
        .order_by(Customer.id)
        .limit(1)
        .scalar_subquery()
    )
    values = {
        "message_sid": message_sid,
        "from_number": from_number,
        "to_number": to_number,
        "body": body[:MAX_BODY],
        "received_at": now,
    }
    # One statement: link the customer, insert, and let the unique MessageSid turn a repeat
    # (a retry or a concurrent request) into nothing, with no savepoint or error to catch.
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(table)
        .values(**values, customer_id=customer)
        .on_conflict_do_nothing(index_elements=["message_sid"])
        .returning(table.c.id, table.c.customer_id)
    )
    row = db.session.execute(stmt).first()
    if row is None:
        return None
    inbound = InboundMessage(id=row.id, customer_id=row.customer_id, handled_by=None, read_at=None, **values)
    make_transient_to_detached(inbound)
    db.session.add(inbound)
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
    """Store and handle one inbound text (flush only; the caller commits); return the replies queued."""
    inbound = store_inbound(from_number.strip(), to_number.strip(), body or "", message_sid, now=now)
    if inbound is None:
        return []
    return handle_inbound(inbound, now=now, opt_out_type=opt_out_type)


def handle_inbound(inbound: InboundMessage, *, now: datetime, opt_out_type: str = "") -> list[str]:
    """Act on a stored text: channel keywords first, then the receivers; return the replies queued."""
    word = keyword(inbound.body)
    opt_out_type = (opt_out_type or "").strip().upper()
    if opt_out_type == "STOP" or word in STOP_WORDS:
        inbound.handled_by = "keyword:stop"
        suppress("sms", inbound.from_number, "opt-out:STOP", now=now, opt_out=True)
        # Twilio answers STOP itself on its own numbers; we send nothing to a number that opted out.
        return []
    # "YES" is also a survey answer: it opts back in only a number that is opted out.
    if (
        opt_out_type == "START"
        or word in START_WORDS
        or (word == "YES" and is_suppressed("sms", inbound.from_number))
    ):
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
