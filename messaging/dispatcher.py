"""The outbox dispatcher: claim due messages atomically, send them, record what happened."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import Flask, current_app
from sqlalchemy import select, update

from app.extensions import db
from app.models import utcnow
from messaging.models import InboundMessage, OutboundMessage
from messaging.outcomes import record
from messaging.pacing import Pacer, parse_quiet_hours, quiet_until, sleep_until, sms_in_flight
from messaging.senders import NOT_SENT, Outgoing, SenderPool, Sent
from messaging.shared_pacing import SharedPacer
from messaging.suppression import is_suppressed, suppressed_addresses
from messaging.transports import email_transport, sms_transport

if TYPE_CHECKING:
    from messaging.api import NewMessage

EMAIL_BATCH = 20


@dataclass
class DispatchReport:
    """What one dispatch run did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    suppressed: int = 0
    unknown: int = 0
    held: int = 0

    @property
    def total(self) -> int:
        """Return how many messages the run changed."""
        return self.sent + self.retried + self.failed + self.suppressed + self.unknown + self.held

    def add(self, outcome: str) -> None:
        """Count one recorded outcome."""
        name = {"sent": "sent", "delivered": "sent", "retry": "retried"}.get(outcome, outcome)
        setattr(self, name, getattr(self, name) + 1)


def _config_seconds(name: str, default: float) -> float:
    return float(current_app.config.get(name, default))


def mark_stale_unknown(now: datetime) -> int:
    """Settle messages left "sending" past the timeout by a crashed sender; return how many became unknown.

    A message whose provider call had started may have gone out, so it becomes "unknown" and is never
    resent; one that was claimed but never attempted certainly did not, so it goes back in the queue.
    """
    cutoff = now - timedelta(seconds=_config_seconds("MESSAGING_SENDING_TIMEOUT_SECONDS", 900))
    stale = (OutboundMessage.status == "sending", OutboundMessage.claimed_at < cutoff)
    db.session.execute(
        update(OutboundMessage)
        .where(*stale, OutboundMessage.attempt_started_at.is_(None))
        .values(status="queued", claim_token=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    result = db.session.execute(
        update(OutboundMessage)
        .where(*stale, OutboundMessage.attempt_started_at.is_not(None))
        .values(
            status="unknown",
            claim_token=None,
            error_message="claimed for sending but never recorded (the sender stopped); not resent",
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _mark_attempt(rows: list[OutboundMessage]) -> None:
    """Record, durably, that these messages are about to be handed to the provider."""
    started = utcnow()
    for row in rows:
        row.attempt_started_at = started
    db.session.commit()


def hold_for_quiet_hours(now: datetime) -> int:
    """Push due texts to the end of quiet hours, except replies within a live conversation."""
    until = quiet_until(parse_quiet_hours(current_app.config.get("SMS_QUIET_HOURS", "")), now)
    if until is None:
        return 0
    # Someone who texted us in the last while is waiting for an answer; do not make them wait.
    since = now - timedelta(minutes=_config_seconds("MESSAGING_CONVERSATION_MINUTES", 60))
    talking = select(InboundMessage.from_number).where(InboundMessage.received_at >= since)
    result = db.session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.channel == "sms",
            OutboundMessage.status == "queued",
            OutboundMessage.next_attempt_at <= now,
            OutboundMessage.to_address.not_in(talking),
        )
        .values(next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def claim(channel: str, now: datetime, size: int, ids: list[int] | None = None) -> list[OutboundMessage]:
    """Atomically move due queued messages to "sending" under a fresh token and commit the claim."""
    query = select(OutboundMessage.id).where(
        OutboundMessage.channel == channel, OutboundMessage.status == "queued"
    )
    if ids is None:
        query = query.where(OutboundMessage.next_attempt_at <= now)
    else:
        query = query.where(OutboundMessage.id.in_(ids))
    query = query.order_by(OutboundMessage.next_attempt_at, OutboundMessage.id).limit(size)
    # Dispatchers in other processes pass over the rows this one has locked rather than wait for them.
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    found = list(db.session.scalars(query))
    if not found:
        db.session.commit()
        return []
    token = uuid.uuid4().hex
    # The status test in the WHERE clause is the claim: a second dispatcher's UPDATE matches nothing.
    db.session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id.in_(found), OutboundMessage.status == "queued")
        .values(status="sending", claim_token=token, claimed_at=now, attempt_started_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(db.session.scalars(select(OutboundMessage).where(OutboundMessage.claim_token == token)))


def _drop_suppressed(rows: list[OutboundMessage], report: DispatchReport) -> list[OutboundMessage]:
    """Mark claimed messages to suppressed addresses as such; return the rest."""
    if not rows:
        return rows
    # Checked again when sending: a STOP or an unsubscribe may have come in since it was queued.
    blocked = suppressed_addresses(rows[0].channel, [row.to_address for row in rows])
    keep = []
    for row in rows:
        if row.to_address in blocked:
            row.status, row.claim_token = "suppressed", None
            row.error_message = "address is on the suppression list"
            report.suppressed += 1
        else:
            keep.append(row)
    db.session.commit()
    return keep


def _release(ids: list[int], *, attempted_too: bool = False) -> None:
    """Put claimed but unattempted messages back in the queue (after an unexpected error)."""
    db.session.rollback()
    if ids:
        where = [OutboundMessage.id.in_(ids), OutboundMessage.status == "sending"]
        if not attempted_too:
            where.append(OutboundMessage.attempt_started_at.is_(None))
        db.session.execute(
            update(OutboundMessage)
            .where(*where)
            .values(status="queued", claim_token=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


def sms_workers(rate: float) -> int:
    """Return how many texts may be in flight (the Twilio client's connection pool has as many)."""
    return sms_in_flight({**current_app.config, "SMS_RATE_PER_SECOND": rate})


def current_pacer() -> Pacer | SharedPacer:
    """Return the SMS rate limiter: in PostgreSQL when it is the database (every process shares it)."""
    extensions = current_app.extensions
    if db.engine.dialect.name != "postgresql":
        return extensions["involve_pacer"]
    shared = extensions.get("involve_shared_pacer")
    if shared is None:
        shared = extensions["involve_shared_pacer"] = SharedPacer(db.engine, "sms")
    return shared


def stop_sending(app: Flask) -> None:
    """Ask every dispatch run of this process to stop: calls under way finish, nothing new starts."""
    app.extensions["involve_stopping"].set()


def _requeue(row: OutboundMessage) -> None:
    """Put a text its sender gave up before calling the provider back in the queue."""
    row.status, row.claim_token, row.attempt_started_at = "queued", None, None


def _finish(
    in_flight: dict[Future[Sent], int],
    settle: Callable[[set[Future[Sent]]], None],
    halted: Callable[[], bool],
    report: DispatchReport,
    rows: dict[int, OutboundMessage],
) -> None:
    """Record the texts in flight; once stopping, wait at most STOP_GRACE_SECONDS for their answers."""
    deadline: float | None = None
    while in_flight:
        if deadline is None and halted():
            deadline = time.monotonic() + _config_seconds("MESSAGING_STOP_GRACE_SECONDS", 5)
        timeout = 0.5 if deadline is None else max(0.0, deadline - time.monotonic())
        settle(wait(in_flight, timeout=timeout, return_when=FIRST_COMPLETED).done)
        db.session.commit()
        if deadline is not None and time.monotonic() >= deadline:
            break
    for message_id in in_flight.values():
        # Its request left and no answer came before the stop: it may have gone, so never resend it.
        row = rows[message_id]
        row.status, row.claim_token = "unknown", None
        row.error_message = "the dispatcher stopped before the provider answered; not resent"
        report.unknown += 1
    in_flight.clear()
    db.session.commit()


def _send_sms(rows: list[OutboundMessage], now: datetime, started: float, report: DispatchReport) -> None:
    """Send claimed texts with several requests in flight, at the paced rate."""
    transport = sms_transport()
    pacer = current_pacer()
    stopping: threading.Event = current_app.extensions["involve_stopping"]
    rate = float(current_app.config.get("SMS_RATE_PER_SECOND", 10))
    pause = _config_seconds("MESSAGING_THROTTLE_PAUSE_SECONDS", 1.0)
    by_id = {row.id: row for row in rows}
    addresses = {row.id: row.to_address for row in rows}
    in_flight: dict[Future[Sent], int] = {}
    throttled = False
    submitted: set[int] = set()
    workers = sms_workers(rate)

    def settle(done: set[Future[Sent]]) -> None:
        nonlocal throttled
        for future in done:
            message_id = in_flight.pop(future)
            result, slot = future.result()
            if result is NOT_SENT:
                _requeue(by_id[message_id])
                continue
            throttled = throttled or result.throttle
            # The moment the request left, on the run's clock: what pacing controls and tests measure.
            sent_at = now + timedelta(seconds=slot - started)
            report.add(record(by_id[message_id], result, now=now, sent_at=sent_at))

    admit = (lambda slot: pacer.admit(rate, slot)) if transport.paced else (lambda slot: time.monotonic())
    pool = SenderPool(workers, transport, admit, stopping, lambda: pacer.pause(pause))
    halted = lambda: pool.halt.is_set() or stopping.is_set()  # noqa: E731
    try:
        for index, row in enumerate(rows):
            if stopping.is_set():
                break
            settle({f for f in in_flight if f.done()})
            if throttled:
                # The sender that heard "slow down" has paused every sender (on PostgreSQL, in every process).
                db.session.commit()
                throttled = False
            if len(in_flight) >= workers:
                settle(wait(in_flight, return_when=FIRST_COMPLETED).done)
            # A text to someone with another in flight waits for its answer: a 21610 suppresses them.
            same = {f for f, m in in_flight.items() if addresses[m] == row.to_address}
            if same:
                settle(wait(same).done)
            # Re-checked per text: a STOP (or a 21610 for an earlier text in this batch) may just have landed.
            if index and is_suppressed("sms", row.to_address):
                _drop_suppressed([row], report)
                continue
            text = Outgoing(row.id, row.channel, row.to_address, row.body)
            # Committed before the request: a crash after this leaves the text "unknown", never resent.
            _mark_attempt([row])
            # The slot is taken after the commit, so a slow commit does not make it late.
            slot = pacer.reserve(rate) if transport.paced else time.monotonic()
            sleep_until(slot - pacer.lead)
            in_flight[pool.submit(text, slot)] = text.id
            submitted.add(text.id)
        _finish(in_flight, settle, halted, report, by_id)
    except BaseException:
        # A stop signal or a database error: record what is in flight, start nothing new.
        pool.halt.set()
        try:
            _finish(in_flight, settle, halted, report, by_id)
        finally:
            # Never handed to a sender thread, so certainly not sent: back in the queue.
            _release([row_id for row_id in by_id if row_id not in submitted], attempted_too=True)
        raise
    finally:
        pool.shutdown(join=False)
        pacer.release()
    if stopping.is_set():
        # Claimed but never handed over before the stop: back in the queue for the next run.
        _release([row_id for row_id in by_id if row_id not in submitted], attempted_too=True)


def _send_email(rows: list[OutboundMessage], now: datetime, started: float, report: DispatchReport) -> None:
    ids = [row.id for row in rows]
    _mark_attempt(rows)
    try:
        results = email_transport().send_batch(rows)
    except Exception:
        # The transport sorts each message's own failures; this is the connection or a bug: retry all.
        _release(ids, attempted_too=True)
        raise
    sent_at = now + timedelta(seconds=time.monotonic() - started)
    for row in rows:
        if row.id in results:
            report.add(record(row, results[row.id], now=now, sent_at=sent_at))
        else:
            row.status, row.claim_token = "queued", None
    db.session.commit()


def _run(
    channel: str,
    now: datetime,
    budget: int,
    report: DispatchReport,
    ids: list[int] | None = None,
    started: float | None = None,
) -> None:
    # The run's clock: ``now`` is this monotonic instant (taken as close to the caller's now as can be).
    started = time.monotonic() if started is None else started
    rate = float(current_app.config.get("SMS_RATE_PER_SECOND", 10))
    # Small claims keep few messages "sending" at a time: a crash strands at most one batch.
    # Five seconds of texts per claim: the wait for the last answers of a claim costs little of the rate.
    size = max(1, int(rate * 5)) if channel == "sms" else EMAIL_BATCH
    stopping: threading.Event = current_app.extensions["involve_stopping"]
    while budget > 0 and not stopping.is_set():
        claimed = claim(channel, now, min(size, budget), ids)
        if not claimed:
            # Nothing due, or another dispatcher took it first: either way, nothing left for us.
            break
        budget -= len(claimed)
        rows = _drop_suppressed(claimed, report)
        if rows:
            (_send_sms if channel == "sms" else _send_email)(rows, now, started, report)


def dispatch_due(*, now: datetime, limit: int = 500) -> DispatchReport:
    """Send due messages (up to ``limit`` per channel); commits as it goes, so call it after committing."""
    started = time.monotonic()
    report = DispatchReport()
    db.session.commit()
    report.unknown += mark_stale_unknown(now)
    report.held += hold_for_quiet_hours(now)
    db.session.commit()
    for channel in ("sms", "email"):
        _run(channel, now, limit, report, started=started)
    return report


def send_now(channel: str, message: NewMessage, *, now: datetime) -> OutboundMessage:
    """Queue one message and send it at once (a staff test-send; quiet hours do not apply)."""
    from messaging.api import _row, enqueue

    queued = enqueue(channel, message, now=now)
    if queued is None:
        row = _row(channel, message, now, current_app.config.get("SMS_PRICE_PER_SEGMENT", 0))
        queued = OutboundMessage(
            **{**row, "status": "suppressed", "error_message": "address is on the suppression list"}
        )
        db.session.add(queued)
        db.session.commit()
        return queued
    db.session.commit()
    _run(channel, now, 1, DispatchReport(), ids=[queued.id])
    db.session.refresh(queued)
    return queued
