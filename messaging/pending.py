"""Texts the webhook stored and the clock handles: in arrival order, a batch per transaction.

Twilio's webhook only checks the signature and stores the text (one insert, one commit), so it
answers Twilio at once whatever handling the text needs. The clock's ``inbound`` sweeper then
offers the stored texts to the handler chain oldest first, one process at a time (the clock is
single), so a customer's texts are handled in the order they were sent. A batch shares one
transaction, its reads of who sent what and whether they may be answered, and one write marking
its texts handled: the cost of a commit and of SQLite's page cache refilled after another
connection's commit is paid once per batch, not once per text. A text whose handling fails is
handled again alone, and left in the staff inbox if it fails there too; it never blocks the rest.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Connection, Integer, bindparam, select, update

from app.extensions import db
from app.models import Customer
from app.models.base import utcnow
from app.prepared import Prepared
from messaging.handlers import Batch, InboundText, StaleBatch, prefetch_batch
from messaging.inbound import Handled, Received, handle_inbound, insert_text, queue_replies
from messaging.models import InboundMessage
from messaging.suppression import suppressed_addresses
from messaging.webhooks import writer_lock

log = logging.getLogger(__name__)
_inbound = InboundMessage.__table__
# Texts per transaction: enough to pay a commit once for many, small enough that a webhook
# waiting for SQLite's writer lock waits a few tens of milliseconds at most.
BATCH = 100
# A sweep hands the clock back after this long, so its other jobs are never held up by a burst.
SWEEP_SECONDS = 20.0
# The clock's sweep looks for new texts this often, and ends once none has come for SWEEP_IDLE
# seconds: within its one-second interval, so the next sweep starts straight after.
IDLE_POLL = 0.02
SWEEP_IDLE = 0.8
_PENDING_COLUMNS = (
    _inbound.c.id,
    _inbound.c.message_sid,
    _inbound.c.from_number,
    _inbound.c.to_number,
    _inbound.c.body,
    _inbound.c.received_at,
    _inbound.c.opt_out_type,
)
# SQLite: the batch's first write. It takes the writer lock, so what the batch then reads stays
# true until it commits, and it tells when another handler (a second clock) took some of the texts.
# SQLite hands out ids in commit order, so the range holds the batch's texts and no others.
_CLAIM = Prepared(
    update(_inbound)
    .where(
        _inbound.c.id >= bindparam("first"),
        _inbound.c.id <= bindparam("last"),
        _inbound.c.handled_at.is_(None),
    )
    .values(handled_at=bindparam("at", type_=_inbound.c.handled_at.type))
)
_MARK = Prepared(
    update(_inbound)
    .where(_inbound.c.id == bindparam("row"))
    .values(
        handled_at=bindparam("at", type_=_inbound.c.handled_at.type),
        handled_by=bindparam("by"),
        customer_id=bindparam("customer"),
    )
)


@lru_cache(maxsize=4)
def _pending_statement(dialect: str) -> Prepared:
    """Build, once per dialect, the read of the oldest texts still to handle."""
    pending = (
        select(*_PENDING_COLUMNS)
        .where(_inbound.c.handled_at.is_(None))
        .order_by(_inbound.c.id)
        .limit(bindparam("limit", type_=Integer()))
    )
    if dialect == "postgresql":
        # Another handler mid-batch (a second clock during a hand-over) keeps its texts.
        pending = pending.with_for_update(skip_locked=True)
    return Prepared(pending)


def store_text(
    connection: Connection,
    *,
    from_number: str,
    to_number: str,
    body: str,
    message_sid: str,
    now: datetime,
    opt_out_type: str = "",
) -> bool:
    """Store one inbound text for the clock to handle, in the caller's transaction; False for a repeated MessageSid."""
    text = Received.arriving(message_sid, from_number, to_number, body, now, opt_out_type=opt_out_type)
    return insert_text(connection, text)


def handle_pending(
    now: datetime, *, batch: int = BATCH, seconds: float = SWEEP_SECONDS, idle: float = 0.0
) -> int:
    """Handle the stored texts oldest first, a batch per transaction; return how many were handled.

    With ``idle``, keep looking for new texts (every IDLE_POLL s) until none has come for that
    long, so a burst is answered as it arrives rather than at the clock's next tick.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    started = time.monotonic()
    quiet_since = started
    done = 0
    while True:
        handled, more = _handle_batch(app, now, batch)
        done += handled
        clock = time.monotonic()
        if clock - started >= seconds:
            return done
        if handled:
            quiet_since = clock
        if not more:
            if clock - quiet_since >= idle:
                return done
            time.sleep(IDLE_POLL)
        if idle:
            # The clock's sweep runs for a while: what it queues and marks carries the time it does so.
            now = utcnow()


def _handle_batch(app: Flask, now: datetime, limit: int) -> tuple[int, bool]:
    """Handle up to ``limit`` stored texts in one transaction; return how many, and whether more wait."""
    with writer_lock(app):
        connection = db.session.connection()
        rows = _pending_statement(connection.dialect.name).run(connection, {"limit": limit}).all()
        if not rows:
            db.session.rollback()
            return 0, False
        claim = {"first": rows[0].id, "last": rows[-1].id, "at": now}
        # PostgreSQL's read locked the rows already; its ids may also leave gaps that a text
        # committed later fills, which the range would take.
        if connection.dialect.name != "postgresql" and _CLAIM.run(connection, claim).rowcount != len(rows):
            # Another handler took some of these texts since they were read (or a text committed
            # late into the range): this sweep ends, and the next reads them afresh.
            db.session.rollback()
            return 0, False
        try:
            _handle_together(app, rows, now)
        except StaleBatch as stale:
            # A conversation moved since the batch read it (a sweeper, another clock): no harm done.
            log.info("a batch of %d inbound texts is handled again one at a time: %s", len(rows), stale)
            db.session.rollback()
        except Exception:
            log.warning(
                "a batch of %d inbound texts failed; handling them one at a time", len(rows), exc_info=True
            )
            db.session.rollback()
        else:
            db.session.commit()
            return len(rows), len(rows) == limit
    for row in rows:
        _handle_alone(app, row, now)
    return len(rows), len(rows) == limit


def _handle_together(app: Flask, rows: Sequence[Any], now: datetime) -> None:
    """Offer each text to the chain, queue its replies and record who claimed it.

    Handlers read what they can for the whole batch first (``prefetch``) and leave the writes
    they only check to its end; a write that finds the state moved raises StaleBatch, and the
    caller handles the texts again one at a time.
    """
    customers = _customers({row.from_number for row in rows})
    blocked = suppressed_addresses("sms", {row.from_number for row in rows})
    texts = [_received(row, customers.get(row.from_number)) for row in rows]
    batch = Batch()
    prefetch_batch(app, [InboundText(message=text, now=text.received_at) for text in texts], batch)
    # A channel keyword (STOP, START) changes whether its sender may be answered: read it again.
    changed: set[str] = set()
    marks = []
    senders = Counter(text.from_number for text in texts)
    for inbound in texts:
        sender = inbound.from_number
        # A sender's second text depends on what their first wrote: theirs are handled as they come.
        shared = batch if senders[sender] == 1 else None
        handled = handle_inbound(
            inbound, now=inbound.received_at, opt_out_type=inbound.opt_out_type, batch=shared
        )
        known = None if sender in changed else sender in blocked
        if (handled.handled_by or "").startswith("keyword:"):
            changed.add(sender)
        _finish(inbound, handled, now, known, shared)
        marks.append(_mark(inbound, now))
    connection = db.session.connection()
    batch.flush(connection)
    _MARK.run_many(connection, marks)


def _handle_alone(app: Flask, row: Any, now: datetime) -> None:
    """Handle one text in its own transaction; when handling fails, leave it unclaimed for staff."""
    with writer_lock(app):
        claim = {"first": row.id, "last": row.id, "at": now}
        if _CLAIM.run(db.session.connection(), claim).rowcount != 1:
            db.session.rollback()
            return
        inbound = _received(row, _customers({row.from_number}).get(row.from_number))
        try:
            handled = handle_inbound(inbound, now=row.received_at, opt_out_type=row.opt_out_type)
            _finish(inbound, handled, now, None)
        except Exception:
            log.exception("handling inbound text %s failed; it is left in the inbox", row.message_sid)
            db.session.rollback()
            inbound.handled_by = None
            # The rollback undid the claim too: claim it again, as handled by nobody.
            _CLAIM.run(db.session.connection(), claim)
        _MARK.run_many(db.session.connection(), [_mark(inbound, now)])
        db.session.commit()


def _received(row: Any, customer_id: int | None) -> Received:
    """The stored text as the handlers see it."""
    inbound = Received(
        row.message_sid, row.from_number, row.to_number, row.body, row.received_at, customer_id
    )
    inbound.id, inbound.opt_out_type = row.id, row.opt_out_type
    return inbound


def _finish(
    inbound: Received, handled: Handled, now: datetime, suppressed: bool | None, batch: Batch | None = None
) -> None:
    """Record who claimed the text and queue its replies."""
    inbound.handled_by = handled.handled_by
    queue_replies(inbound, handled, now, suppressed, batch)


def _mark(inbound: Received, now: datetime) -> dict[str, Any]:
    return {"row": inbound.id, "at": now, "by": inbound.handled_by, "customer": inbound.customer_id}


def _customers(phones: set[str]) -> dict[str, int]:
    """Return the register entry of each sending number that is on the register (the first, as a lookup would)."""
    found: dict[str, int] = {}
    listed = (
        select(Customer.phone, Customer.id)
        .where(Customer.phone.in_(phones), Customer.erased_at.is_(None))
        .order_by(Customer.id.desc())
    )
    for phone, customer_id in db.session.execute(listed):
        found[phone] = customer_id
    return found


def sweep(now: datetime) -> int:
    """The clock's ``inbound`` job: it stays on the lookout for most of its interval."""
    return handle_pending(now, idle=SWEEP_IDLE)
