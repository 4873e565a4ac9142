"""The outbox dispatcher: claim due messages atomically, send them, record what happened."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import Flask, current_app
from sqlalchemy import update

from app.extensions import db
from app.models import utcnow
from messaging.claims import claim, hold_for_quiet_hours, mark_stale_unknown, release
from messaging.models import OutboundMessage
from messaging.outcomes import record, reload
from messaging.pacing import Pacer, sleep_until, sms_in_flight
from messaging.senders import NOT_SENT, Outgoing, SenderPool, Sent
from messaging.shared_pacing import SharedPacer
from messaging.suppression import suppressed_addresses
from messaging.transports import email_transport, sms_transport

if TYPE_CHECKING:
    from messaging.api import NewMessage

EMAIL_BATCH = 20
# How many seconds of texts one commit checks and marks before they are handed to the senders.
GROUP_SECONDS = 0.1
SUPPRESSED = "address is on the suppression list"


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


def _mark_attempt(rows: list[OutboundMessage]) -> None:
    """Record, durably, that these messages are about to be handed to the provider."""
    _mark_attempt_ids([row.id for row in rows])


def _mark_attempt_ids(ids: list[int]) -> None:
    """Mark these messages' provider calls as begun, in one statement, and commit."""
    if ids:
        db.session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id.in_(ids))
            .values(attempt_started_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    db.session.commit()


def _suppress_claimed(row: OutboundMessage, report: DispatchReport) -> None:
    """Mark one claimed message as suppressed instead of sending it (the caller commits)."""
    row.status, row.claim_token = "suppressed", None
    row.error_message = SUPPRESSED
    report.suppressed += 1


def _suppress_ids(ids: list[int], report: DispatchReport) -> None:
    """Mark claimed texts as suppressed instead of sending them, in one statement (the caller commits)."""
    if ids:
        db.session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id.in_(ids))
            .values(status="suppressed", claim_token=None, error_message=SUPPRESSED)
            .execution_options(synchronize_session=False)
        )
        report.suppressed += len(ids)


def _drop_suppressed(
    rows: list[OutboundMessage], report: DispatchReport, *, commit: bool = True
) -> list[OutboundMessage]:
    """Mark claimed messages to suppressed addresses as such; return the rest."""
    if not rows:
        return rows
    # Checked again when sending: a STOP or an unsubscribe may have come in since it was queued.
    blocked = suppressed_addresses(rows[0].channel, [row.to_address for row in rows])
    keep = []
    for row in rows:
        if row.to_address in blocked:
            _suppress_claimed(row, report)
        else:
            keep.append(row)
    if commit:
        db.session.commit()
    return keep


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
    for row in reload(list(in_flight.values())).values():
        # Its request left and no answer came before the stop: it may have gone, so never resend it.
        row.status, row.claim_token = "unknown", None
        row.error_message = "the dispatcher stopped before the provider answered; not resent"
        report.unknown += 1
    in_flight.clear()
    db.session.commit()


def _send_sms(
    rows: list[OutboundMessage],
    now: datetime,
    started: float,
    report: DispatchReport,
    more: Callable[[], list[OutboundMessage]] = list,
) -> None:
    """Send claimed texts with several requests in flight, at the paced rate, then what ``more`` claims."""
    transport = sms_transport()
    pacer = current_pacer()
    stopping: threading.Event = current_app.extensions["involve_stopping"]
    rate = float(current_app.config.get("SMS_RATE_PER_SECOND", 10))
    pause = _config_seconds("MESSAGING_THROTTLE_PAUSE_SECONDS", 1.0)
    claimed_ids: list[int] = []
    texts: list[Outgoing] = []
    addresses: dict[int, str] = {}
    checked = 0  # texts[:checked] were checked for suppression by their claim, a moment ago
    # A tenth of a second of texts is checked and marked per commit, not one text per commit:
    # one process can then keep up with 100 texts a second, and a crash strands at most those
    # in flight plus this group (RELIABILITY.md).
    group = max(1, int(rate * GROUP_SECONDS))

    def take(claimed: list[OutboundMessage]) -> int:
        nonlocal checked
        checked = len(texts) + min(group, len(claimed))
        for row in claimed:
            # Plain values, and no reference to the rows kept: the session holds clean rows weakly,
            # and every commit expires each row it holds, so a run that kept a minute of texts
            # would spend its time expiring them.
            claimed_ids.append(row.id)
            texts.append(Outgoing(row.id, row.channel, row.to_address, row.body))
            addresses[row.id] = row.to_address
        return len(claimed)

    take(rows)
    in_flight: dict[Future[Sent], int] = {}
    throttled = False
    submitted: set[int] = set()
    # Addresses a provider answer suppressed during this run (a 21610): later texts to them stop.
    refused: set[str] = set()
    workers = sms_workers(rate)

    def settle(done: set[Future[Sent]]) -> None:
        nonlocal throttled
        answered: list[tuple[int, Sent]] = []
        for future in done:
            message_id = in_flight.pop(future)
            answered.append((message_id, future.result()))
        rows = reload([message_id for message_id, _ in answered])
        for message_id, (result, slot) in answered:
            if result is NOT_SENT:
                _requeue(rows[message_id])
                continue
            throttled = throttled or result.throttle
            if result.suppress_reason:
                refused.add(addresses[message_id])
            # The moment the request left, on the run's clock: what pacing controls and tests measure.
            sent_at = now + timedelta(seconds=slot - started)
            report.add(record(rows[message_id], result, now=now, sent_at=sent_at, fresh=True))

    admit = (lambda slot: pacer.admit(rate, slot)) if transport.paced else (lambda slot: time.monotonic())
    pool = SenderPool(workers, transport, admit, stopping, lambda: pacer.pause(pause))
    halted = lambda: pool.halt.is_set() or stopping.is_set()  # noqa: E731
    try:
        first = 0
        while not stopping.is_set():
            # The next claim is taken while the last texts are still in flight: waiting for their
            # answers first would leave the provider idle for its latency every claim. (Passed
            # straight on, so no name here keeps the claimed rows alive.)
            if first >= len(texts) and not take(more()):
                break
            batch = texts[first : first + group]
            first += len(batch)
            settle({f for f in in_flight if f.done()})
            # Re-checked just before the group goes: a STOP may just have landed. (A group its
            # claim checked a moment ago needs no second look.)
            recheck = [t.to_address for t in batch[max(0, checked - first + len(batch)) :]]
            blocked = suppressed_addresses("sms", recheck) if recheck else set()
            _suppress_ids([text.id for text in batch if text.to_address in blocked], report)
            batch = [text for text in batch if text.to_address not in blocked]
            # Committed before the requests (with the results recorded so far): a crash after this
            # leaves these texts "unknown", never resent.
            _mark_attempt_ids([text.id for text in batch])
            throttled = False
            for text in batch:
                if stopping.is_set():
                    break
                if len(in_flight) >= workers:
                    settle(wait(in_flight, return_when=FIRST_COMPLETED).done)
                # A text to someone with another in flight waits for its answer: a 21610 suppresses them.
                same = {f for f, m in in_flight.items() if addresses[m] == text.to_address}
                if same:
                    settle(wait(same).done)
                if text.to_address in refused:
                    _suppress_ids([text.id], report)
                    continue
                # The slot is taken after the commit, so a slow commit does not make it late.
                slot = pacer.reserve(rate) if transport.paced else time.monotonic()
                sleep_until(slot - pacer.lead)
                in_flight[pool.submit(text, slot)] = text.id
                submitted.add(text.id)
        _finish(in_flight, settle, halted, report)
    except BaseException:
        # A stop signal or a database error: record what is in flight, start nothing new.
        pool.halt.set()
        try:
            _finish(in_flight, settle, halted, report)
        finally:
            # Never handed to a sender thread, so certainly not sent: back in the queue.
            release([row_id for row_id in claimed_ids if row_id not in submitted])
        raise
    finally:
        pool.shutdown(join=False)
        pacer.release()
    if stopping.is_set():
        # Claimed but never handed over before the stop: back in the queue for the next run.
        release([row_id for row_id in claimed_ids if row_id not in submitted])


def _send_email(rows: list[OutboundMessage], now: datetime, started: float, report: DispatchReport) -> None:
    ids = [row.id for row in rows]
    _mark_attempt(rows)
    try:
        results = email_transport().send_batch(rows)
    except Exception:
        # The transport sorts each message's own failures; this is the connection or a bug: retry all.
        release(ids)
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
    # Five seconds of texts per claim; the next is claimed while the last of these are in flight.
    sessions = max(1, int(current_app.config.get("MAIL_SESSIONS", 1) or 1))
    size = max(1, int(rate * 5)) if channel == "sms" else EMAIL_BATCH * sessions
    stopping: threading.Event = current_app.extensions["involve_stopping"]

    def more() -> list[OutboundMessage]:
        nonlocal budget
        while budget > 0 and not stopping.is_set():
            claimed = claim(channel, now, min(size, budget), ids)
            if not claimed:
                # Nothing due, or another dispatcher took it first: either way, nothing left for us.
                return []
            budget -= len(claimed)
            # Texts: committed with the first attempt mark, so the rows are read once, not again.
            rows = _drop_suppressed(claimed, report, commit=channel != "sms")
            if rows:
                return rows
        return []

    if channel == "sms":
        _send_sms([], now, started, report, more)
        return
    while rows := more():
        _send_email(rows, now, started, report)


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
