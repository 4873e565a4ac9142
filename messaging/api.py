"""The public face of messaging: queue messages, check the suppression list, dispatch the outbox."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, insert

from app.extensions import db
from app.prepared import Prepared
from messaging.attachments import Attachment, check, to_stored
from messaging.channels import Channel, channel, channels
from messaging.dispatcher import DispatchReport, dispatch_due, send_now
from messaging.estimate import SendingEstimate, estimate_sending, progress_by_topic
from messaging.handlers import Batch
from messaging.models import DevEmail, InboundMessage, OutboundMessage, Suppression
from messaging.sms_text import analyse, with_opt_out
from messaging.suppression import is_suppressed, normalise, suppressed_addresses
from messaging.transports import email_transport
from messaging.unsubscribe import unsubscribe_url

# Other packages use messaging only through this module, messaging.handlers and messaging.scheduler
# (tests/app/test_layering.py): the tables they read and the few services they call are named here.
__all__ = [
    "CHANNELS",
    "Attachment",
    "Channel",
    "DevEmail",
    "DispatchReport",
    "EnqueueResult",
    "InboundMessage",
    "NewMessage",
    "OutboundMessage",
    "SendingEstimate",
    "Suppression",
    "analyse",
    "channel",
    "channels",
    "dispatch_due",
    "email_transport",
    "enqueue",
    "enqueue_many",
    "estimate_sending",
    "is_suppressed",
    "progress_by_topic",
    "receive_sms",
    "send_now",
    "suppressed_addresses",
    "unsubscribe_url",
    "with_opt_out",
]

CHANNELS = ("sms", "email")


@dataclass(frozen=True)
class NewMessage:
    """A message a caller wants sent."""

    to: str
    body: str
    subject: str = ""
    html: str | None = None
    customer_id: int | None = None
    activity_id: int | None = None
    topic: str = ""
    ref: str = ""
    purpose: str = ""
    send_after: datetime | None = None
    list_unsubscribe: bool = False
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class EnqueueResult:
    """What enqueue_many did."""

    queued: int
    suppressed: int
    messages: list[OutboundMessage] = field(default_factory=list)


def _row(
    channel: str, message: NewMessage, now: datetime, price: Decimal, shape: Any = analyse
) -> dict[str, Any]:
    """Build the column values of one outbox row."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}: use 'sms' or 'email'")
    to = normalise(channel, message.to)
    if not to:
        raise ValueError(f"a {channel} message needs an address to send to")
    if message.attachments and channel != "email":
        raise ValueError("only emails can carry attachments")
    segments, encoding, cost = 0, "", Decimal(0)
    if channel == "sms":
        shaped = shape(message.body)
        segments, encoding = shaped.segments, shaped.encoding
        cost = Decimal(segments) * price
    return {
        "channel": channel,
        "to_address": to,
        "body": message.body,
        "subject": message.subject,
        "html": message.html,
        "list_unsubscribe": message.list_unsubscribe,
        "attachments": to_stored(check(message.attachments)) if message.attachments else None,
        "status": "queued",
        "topic": message.topic,
        "ref": message.ref,
        "purpose": message.purpose,
        "customer_id": message.customer_id,
        "activity_id": message.activity_id,
        "segments": segments,
        "encoding": encoding,
        "estimated_cost": cost,
        "attempts": 0,
        "next_attempt_at": max(message.send_after, now) if message.send_after else now,
        "created_at": now,
    }


def _price() -> Decimal:
    return Decimal(str(current_app.config.get("SMS_PRICE_PER_SEGMENT", "0")))


def enqueue(channel: str, message: NewMessage, *, now: datetime) -> OutboundMessage | None:
    """Queue one message in the caller's transaction (flush only); None when suppressed."""
    row = _row(channel, message, now, _price())
    if is_suppressed(channel, row["to_address"]):
        return None
    outbound = OutboundMessage(**row)
    db.session.add(outbound)
    db.session.flush()
    return outbound


# The columns _row fills, in one prepared insert for the single replies the webhook queues.
_ROW_COLUMNS = (
    "channel",
    "to_address",
    "body",
    "subject",
    "html",
    "list_unsubscribe",
    "attachments",
    "status",
    "topic",
    "ref",
    "purpose",
    "customer_id",
    "activity_id",
    "segments",
    "encoding",
    "estimated_cost",
    "attempts",
    "next_attempt_at",
    "created_at",
)
_outbound = OutboundMessage.__table__
_QUEUE_ONE = Prepared(
    insert(_outbound).values(
        {name: bindparam(f"v_{name}", type_=_outbound.c[name].type) for name in _ROW_COLUMNS}
    )
)
# Replies repeat a few texts (the questions, the thanks): their segment count is worked out once.
_shape = lru_cache(maxsize=1024)(analyse)


def queued_values(channel: str, message: NewMessage, *, now: datetime) -> dict[str, Any]:
    """Return one outbox row as the bound values of ``QUEUE_COLUMNS`` (``v_<column>``), for a
    statement that writes it together with another row (messaging.inbound on PostgreSQL)."""
    row = _row(channel, message, now, _price(), shape=_shape)
    return {f"v_{name}": row[name] for name in _ROW_COLUMNS}


QUEUE_COLUMNS = _ROW_COLUMNS


def queue_checked(
    channel: str, message: NewMessage, *, now: datetime, suppressed: bool, batch: Batch | None = None
) -> bool:
    """Queue one message whose suppression the caller read in this transaction; False when suppressed.

    One prepared insert and no ORM object: most texts customers send are answered. In a batch of
    texts handled together the insert is left to the end of the batch, one for all its replies.
    """
    if suppressed:
        return False
    row = _row(channel, message, now, _price(), shape=_shape)
    values = {f"v_{name}": row[name] for name in _ROW_COLUMNS}
    if batch is not None:
        batch.defer(_QUEUE_ONE, values)
    else:
        _QUEUE_ONE.run(db.session.connection(), values)
    return True


def enqueue_many(
    channel: str, messages: Iterable[NewMessage], *, now: datetime, returning: bool = False
) -> EnqueueResult:
    """Bulk-queue messages with one suppression lookup and a bulk INSERT (flush only)."""
    price = _price()
    rows = [_row(channel, message, now, price) for message in messages]
    blocked = suppressed_addresses(channel, {row["to_address"] for row in rows})
    keep = [row for row in rows if row["to_address"] not in blocked]
    suppressed = len(rows) - len(keep)
    if not keep:
        return EnqueueResult(queued=0, suppressed=suppressed, messages=[])
    db.session.flush()
    if returning:
        created = list(db.session.scalars(insert(OutboundMessage).returning(OutboundMessage), keep))
        return EnqueueResult(queued=len(created), suppressed=suppressed, messages=created)
    db.session.execute(insert(OutboundMessage), keep)
    return EnqueueResult(queued=len(keep), suppressed=suppressed, messages=[])


def receive_sms(from_number: str, to_number: str, body: str, message_sid: str, **kwargs: Any) -> list[str]:
    """Handle and store one inbound text as the webhook does (the demo loader and simulator use it)."""
    # Imported here: messaging.inbound queues its replies through this module.
    from messaging.inbound import receive_sms as receive

    return receive(from_number, to_number, body, message_sid, **kwargs)
