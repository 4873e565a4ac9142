"""Twilio answering 429, then 500, then slowly, and the SMTP server down for a while.

The scheduler process sends (retry base 1 s so the test is short). Every text and email must be
delivered exactly once afterwards, and the records must show the backoff: more attempts, and each
retry scheduled further out than the one before.
"""

from __future__ import annotations

import collections
import time
from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from messaging.api import NewMessage, enqueue_many
from messaging.models import OutboundMessage
from tests.conftest import free_port
from tests.fakes.smtp import FakeSmtp
from tests.fakes.twilio_api import FakeTwilioApi
from tests.reliability.conftest import Processes, app_with, message_id, wait_until

pytestmark = pytest.mark.slow

TEXTS, EMAILS = 30, 20
RETRY = {
    "MESSAGING_DISPATCH_SECONDS": 1,
    "MESSAGING_RETRY_BASE_SECONDS": 1,
    "MESSAGING_MAX_ATTEMPTS": 10,
    # Every sender pauses together after a 429 or 5xx; short here so the test stays short.
    "MESSAGING_THROTTLE_PAUSE_SECONDS": 0.1,
}


def queue_messages() -> None:
    now = utcnow()
    enqueue_many("sms", [NewMessage(to=f"+4479113{i:05d}", body=f"Text {i}") for i in range(TEXTS)], now=now)
    enqueue_many(
        "email",
        [
            NewMessage(to=f"resident{i}@example.org", subject=f"Email {i}", body="Hello")
            for i in range(EMAILS)
        ],
        now=now,
    )
    db.session.commit()


def snapshot(seen: dict[tuple[int, int], datetime]) -> collections.Counter[str]:
    """Note each (message, attempts) -> next_attempt_at the records show; return the status counts."""
    db.session.expire_all()
    rows = db.session.execute(
        select(
            OutboundMessage.id,
            OutboundMessage.status,
            OutboundMessage.attempts,
            OutboundMessage.next_attempt_at,
        )
    ).all()
    for row in rows:
        if row.status == "queued" and row.attempts:
            seen.setdefault((row.id, row.attempts), row.next_attempt_at)
    return collections.Counter(row.status for row in rows)


def email_attempts(seen: dict[tuple[int, int], datetime]) -> int:
    """Return the fewest failed attempts any email has had (0 until every email has failed once)."""
    snapshot(seen)
    attempts = db.session.scalars(
        select(OutboundMessage.attempts).where(OutboundMessage.channel == "email")
    ).all()
    return min(attempts) if attempts else 0


def test_everything_is_delivered_after_provider_outages(
    app: Flask, procs: Processes, twilio_api: FakeTwilioApi, figures: object
) -> None:
    queue_messages()
    for _ in range(TEXTS):
        twilio_api.answer(429, code=20429)
    for _ in range(TEXTS):
        twilio_api.answer(500)
    for _ in range(5):
        twilio_api.answer(201, delay=1.0)
    smtp = FakeSmtp(free_port())  # not started: connections are refused
    env = {
        **procs.env,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "MAIL_DEFAULT_SENDER": "involve@example.org",
    }
    seen: dict[tuple[int, int], datetime] = {}
    started = time.monotonic()
    procs.flask("scheduler", app=app_with(MAIL_TIMEOUT=5, **RETRY), env=env)
    try:
        # SMTP stays down until every email has been refused three times.
        wait_until(lambda: email_attempts(seen) >= 3, 60, "three refused attempts per email", step=0.05)
        down = time.monotonic() - started
        smtp.start()
        wait_until(lambda: snapshot(seen).get("sent") == TEXTS + EMAILS, 60, "every message to be sent")
    finally:
        smtp.stop()
    elapsed = time.monotonic() - started

    db.session.expire_all()
    rows = {m.id: m for m in db.session.scalars(select(OutboundMessage))}
    texts = [m for m in rows.values() if m.channel == "sms"]
    emails = [m for m in rows.values() if m.channel == "email"]
    # Twilio: each text failed twice (429, 500), then was accepted exactly once.
    requests = twilio_api.messages()
    per_message = collections.Counter(message_id(r.form) for r in requests)
    accepted = collections.Counter(message_id(r.form) for r in requests[2 * TEXTS :])
    assert set(per_message) == {m.id for m in texts} and set(accepted.values()) == {1}
    assert all(m.attempts == 3 == per_message[m.id] and m.provider_id for m in texts)
    # SMTP: every email arrived once, after several refused connections.
    delivered = collections.Counter(str(message["To"]) for message in smtp.messages)
    assert delivered == {m.to_address: 1 for m in emails}
    assert min(m.attempts for m in emails) >= 3

    # Backoff in the records: each retry is scheduled further out than the previous one.
    gaps: dict[int, list[float]] = collections.defaultdict(list)
    for (mid, attempts), when in sorted(seen.items()):
        later = seen.get((mid, attempts + 1))
        if later is not None:
            gap = (later - when).total_seconds()
            # attempt n+1 runs no earlier than the time set after attempt n, then waits >= 0.5 x 2^n s.
            assert gap >= 0.5 * 2**attempts - 0.05, (mid, attempts, gap)
            gaps[attempts].append(gap)
    assert gaps[1], "no message was seen retrying twice"
    spacing = ", ".join(
        f"attempt {n + 2} due {min(g):.1f}-{max(g):.1f}s after attempt {n + 1}"
        for n, g in sorted(gaps.items())
    )
    figures(  # type: ignore[operator]
        f"{db.engine.dialect.name}: {TEXTS} texts through {2 * TEXTS} Twilio errors (429, 500) + 5 slow answers, "
        f"{EMAILS} emails through {down:.0f}s of SMTP refusals; all delivered once in {elapsed:.1f}s; "
        f"email attempts {min(m.attempts for m in emails)}-{max(m.attempts for m in emails)}; "
        f"next-retry spacing {spacing}"
    )
