"""Inbound texts: store once, offer each to the handler chain, leave the unclaimed for staff."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Connection, String, bindparam, cast, insert, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models import Customer
from app.prepared import Prepared
from messaging.api import QUEUE_COLUMNS, NewMessage, enqueue, queue_checked, queued_values
from messaging.handlers import (
    CHANNEL_KEYWORDS,
    Batch,
    InboundReply,
    InboundText,
    register_inbound_handler,
    run_chain,
)
from messaging.models import InboundMessage, OutboundMessage, Suppression
from messaging.suppression import is_suppressed, lift, normalise, suppress

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
START_WORDS = {"START", "UNSTOP"}
HELP_WORDS = {"HELP", "INFO"}
MAX_BODY = 5000
STOP_REPLY = "You have been unsubscribed and will get no more texts from us. Reply START to resubscribe."
START_REPLY = "You have been resubscribed to texts from us. Reply STOP to unsubscribe."
log = logging.getLogger(__name__)

_inbound = InboundMessage.__table__
# The statements every text runs are built once and run with bound values: composing them per
# text cost more than running them.
# Whether this MessageSid was stored before, and whose number sent it, in one indexed read.
_LOOKUP = Prepared(
    select(
        select(_inbound.c.id)
        .where(_inbound.c.message_sid == bindparam("sid"))
        .scalar_subquery()
        .label("seen"),
        select(Customer.id)
        .where(Customer.phone == bindparam("sender"), Customer.erased_at.is_(None))
        .order_by(Customer.id)
        .limit(1)
        .scalar_subquery()
        .label("customer_id"),
        # Whether a reply may be sent to the number, read here so nothing is read after the writes.
        select(Suppression.id)
        .where(Suppression.channel == "sms", Suppression.address == bindparam("address"))
        .limit(1)
        .scalar_subquery()
        .label("suppressed"),
    )
)


@dataclass(slots=True)
class Received:
    """An inbound text on its way in: what handlers read, then the row it is stored as.

    A plain object, not an ORM instance: the text is written by one Core statement, and building
    a mapped instance per text cost more than the statement.
    """

    message_sid: str
    from_number: str
    to_number: str
    body: str
    received_at: datetime
    customer_id: int | None
    handled_by: str | None = None
    id: int | None = None
    # When the handler chain saw it: None while a stored text waits for the clock (messaging.pending).
    handled_at: datetime | None = None
    opt_out_type: str = ""

    @classmethod
    def arriving(
        cls,
        message_sid: str,
        from_number: str,
        to_number: str,
        body: str,
        now: datetime,
        *,
        customer_id: int | None = None,
        opt_out_type: str = "",
    ) -> Received:
        """A text as Twilio sent it: numbers trimmed, the body and OptOutType cut to their columns."""
        return cls(
            message_sid,
            from_number.strip(),
            to_number.strip(),
            (body or "")[:MAX_BODY],
            now,
            customer_id,
            opt_out_type=opt_out_type[:20],
        )


@dataclass(frozen=True)
class Handled:
    """What handling a text decided: who claimed it and the reply to queue once it is stored."""

    handled_by: str | None = None
    reply: str | None = None
    topic: str = ""
    activity_id: int | None = None
    # Texts a later handler sends after the claim (a survey asking its question again).
    follow_ups: tuple[InboundReply, ...] = field(default=())


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


@lru_cache(maxsize=4)
def _insert_statement(dialect: str) -> Prepared:
    """Build, once per dialect, the insert that a repeated MessageSid turns into nothing."""
    return Prepared(_insert(dialect))


def _insert(dialect: str) -> Any:
    """Build the insert of one inbound text (a fresh statement each call)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(_inbound)
        .values(
            message_sid=bindparam("sid"),
            from_number=bindparam("sender"),
            to_number=bindparam("recipient"),
            body=bindparam("text"),
            received_at=bindparam("at", type_=_inbound.c.received_at.type),
            customer_id=bindparam("customer"),
            handled_by=bindparam("by"),
            handled_at=bindparam("handled", type_=_inbound.c.handled_at.type),
            opt_out_type=bindparam("opt_out"),
        )
        # A repeat (a retry or a concurrent delivery) inserts nothing and raises nothing.
        .on_conflict_do_nothing(index_elements=["message_sid"])
        .returning(_inbound.c.id)
    )


@lru_cache(maxsize=1)
def _store_with_reply_statement() -> Prepared:
    """Build, once, the PostgreSQL statement that stores the text and queues its one reply.

    One round trip instead of two: the reply's row is selected from the text's insert, so a
    repeated MessageSid (nothing inserted) queues nothing either.
    """
    # Built afresh rather than from the prepared insert, whose columns Prepared has worked out.
    stored = _insert("postgresql").cte("stored")
    columns = [name for name in QUEUE_COLUMNS if name != "ref"]
    outbound = OutboundMessage.__table__
    values = [bindparam(f"v_{name}", type_=outbound.c[name].type) for name in columns]
    ref = (literal("inbound:") + cast(stored.c.id, String)).label("ref")
    return Prepared(
        insert(outbound)
        .from_select([*columns, "ref"], select(*values, ref).select_from(stored))
        .add_cte(stored)
        .returning(outbound.c.ref)
    )


def _text_params(inbound: Received) -> dict[str, Any]:
    """The values the text's insert is run with."""
    return {
        "sid": inbound.message_sid,
        "sender": inbound.from_number,
        "recipient": inbound.to_number,
        "text": inbound.body,
        "at": inbound.received_at,
        "customer": inbound.customer_id,
        "by": inbound.handled_by,
        "handled": inbound.handled_at,
        "opt_out": inbound.opt_out_type,
    }


def _store_with_reply(inbound: Received, reply: Handled, now: datetime) -> bool:
    """Store the text and queue its reply in one statement; False when its MessageSid is already stored."""
    message = _reply_message(inbound, reply)
    params = {**queued_values("sms", message, now=now), **_text_params(inbound)}
    row = _store_with_reply_statement().run(db.session.connection(), params).first()
    if row is None:
        return False
    inbound.id = int(row.ref.removeprefix("inbound:"))
    return True


def store_inbound(inbound: Received) -> bool:
    """Insert the text and set its id (flush only); False when its MessageSid is already stored."""
    return insert_text(db.session.connection(), inbound)


def insert_text(connection: Connection, inbound: Received) -> bool:
    """Insert the text on ``connection`` and set its id; False when its MessageSid is already stored."""
    row = _insert_statement(connection.dialect.name).run(connection, _text_params(inbound)).first()
    if row is None:
        return False
    inbound.id = row.id
    return True


def _queue(
    inbound: Received,
    reply: InboundReply | Handled,
    now: datetime,
    suppressed: bool | None,
    batch: Batch | None = None,
) -> str | None:
    """Queue one reply through the outbox, so it is paced, costed and recorded like any other text.

    ``suppressed`` is what the first read found, or None when handling may have changed it.
    """
    if not reply.reply:
        return None
    message = _reply_message(inbound, reply)
    if suppressed is None:
        queued = enqueue("sms", message, now=now) is not None
    else:
        queued = queue_checked("sms", message, now=now, suppressed=suppressed, batch=batch)
    return reply.reply if queued else None


def _reply_message(inbound: Received, reply: InboundReply | Handled) -> NewMessage:
    """The outbox message answering ``inbound`` (its ref names the text once the text has an id)."""
    return NewMessage(
        to=inbound.from_number,
        body=reply.reply or "",
        customer_id=inbound.customer_id,
        activity_id=reply.activity_id,
        topic=reply.topic,
        ref=f"inbound:{inbound.id}",
        purpose="reply",
    )


def queue_replies(
    inbound: Received, handled: Handled, now: datetime, suppressed: bool | None, batch: Batch | None = None
) -> list[str]:
    """Queue the claim's reply, then the follow-ups, in the order the customer should read them.

    ``suppressed`` is whether the sender's number was suppressed when read, or None to read it again.
    """
    # Channel keywords (STOP/START) change the suppression list: check it again after them.
    known = None if (handled.handled_by or "").startswith("keyword:") else suppressed
    queued = [_queue(inbound, item, now, known, batch) for item in (handled, *handled.follow_ups)]
    return [text for text in queued if text]


def receive_sms(
    from_number: str,
    to_number: str,
    body: str,
    message_sid: str,
    *,
    now: datetime,
    opt_out_type: str = "",
) -> list[str]:
    """Handle and store one inbound text in the caller's transaction (it commits); return the replies queued.

    The text is handled first and stored last, with who claimed it: on SQLite the write lock is
    then held only from the first write to the commit, not while receivers read. A repeated
    MessageSid (a retry) is answered by a read and changes nothing. When handling fails, or a
    concurrent delivery of the same text stored it first, the transaction is rolled back; after
    a failure the text is then stored unclaimed, so it reaches the staff inbox all the same.
    """
    from_number, to_number = from_number.strip(), to_number.strip()
    lookup = {"sid": message_sid, "sender": from_number, "address": normalise("sms", from_number)}
    seen, customer_id, suppressed = _LOOKUP.run(db.session.connection(), lookup).one()
    if seen is not None:
        return []
    inbound = Received.arriving(
        message_sid, from_number, to_number, body, now, customer_id=customer_id, opt_out_type=opt_out_type
    )
    inbound.handled_at = now
    try:
        handled = handle_inbound(inbound, now=now, opt_out_type=opt_out_type)
    except Exception:
        log.exception("handling inbound text %s failed; it is left in the inbox", message_sid)
        db.session.rollback()
        handled = Handled()
    inbound.handled_by = handled.handled_by
    if _one_reply_known(handled, suppressed is not None):
        # The usual answer to a survey reply: on PostgreSQL the text and the reply in one statement.
        if not _store_with_reply(inbound, handled, now):
            db.session.rollback()
            return []
        return [handled.reply or ""]
    if not store_inbound(inbound):
        # Stored by a concurrent delivery of the same text since the lookup: undo this handling.
        db.session.rollback()
        return []
    return queue_replies(inbound, handled, now, suppressed is not None)


def _one_reply_known(handled: Handled, suppressed: bool) -> bool:
    """True on PostgreSQL when exactly one reply goes to a number the first read found not suppressed."""
    return (
        bool(handled.reply)
        and not handled.follow_ups
        and not suppressed
        and not (handled.handled_by or "").startswith("keyword:")
        and db.session.get_bind().dialect.name == "postgresql"
    )


def handle_inbound(
    inbound: Received, *, now: datetime, opt_out_type: str = "", batch: Batch | None = None
) -> Handled:
    """Offer a text to the handler chain (in ``batch`` when the clock handles several together);
    return who claimed it, the reply and any follow-ups."""
    customer_id = inbound.customer_id
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    text = InboundText(
        message=inbound,
        now=now,
        opt_out_type=opt_out_type,
        load_customer=lambda: db.session.get(Customer, customer_id) if customer_id else None,
        batch=batch,
    )
    outcome = run_chain(app, text)
    claim = outcome.claim
    if claim is None:
        return Handled()
    return Handled(claim.handled_by, claim.reply, claim.topic, claim.activity_id, outcome.follow_ups)


def channel_keywords(text: InboundText) -> InboundReply | None:
    """Claim STOP, START and HELP (the whole message, or Twilio's OptOutType) before anything else."""
    word = keyword(text.body)
    opt_out_type = (text.opt_out_type or "").strip().upper()
    sender = text.sender
    if opt_out_type == "STOP" or word in STOP_WORDS:
        suppress("sms", sender, "opt-out:STOP", now=text.now, opt_out=True)
        # Twilio answers STOP itself on its own numbers; we send nothing to a number that opted out.
        return InboundReply("keyword:stop")
    # "YES" is also a survey answer: it opts back in only a number that is opted out.
    if opt_out_type == "START" or word in START_WORDS or (word == "YES" and is_suppressed("sms", sender)):
        lift("sms", sender, now=text.now)
        return InboundReply("keyword:start", START_REPLY)
    if opt_out_type == "HELP" or word in HELP_WORDS:
        return InboundReply("keyword:help", current_app.config["SMS_HELP_TEXT"])
    return None


def init_app(app: Flask) -> None:
    """Put the channel keywords first in the app's handler chain."""
    register_inbound_handler(app, "channel-keywords", channel_keywords, CHANNEL_KEYWORDS)
