"""The dispatcher killed with SIGKILL mid-batch, twice, then restarted: no text twice, none lost.

A slow Twilio fake (0.1 s a request) keeps every batch in flight long enough to be cut. The first
sender is `flask messaging dispatch`, the second the `flask scheduler` clock, the last a dispatch
run that finishes the queue. Each message must end "sent" or "unknown" (caught mid-call by a sender
that died: it may have gone, so it is never resent; claimed but never attempted ones go back in the
queue), and the fake must have seen it at most once.
"""

from __future__ import annotations

import collections
import os
import signal
import time

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models.base import utcnow
from messaging.api import NewMessage, enqueue_many
from messaging.models import OutboundMessage
from tests.fakes.twilio_api import FakeTwilioApi
from tests.reliability.conftest import Processes, app_with, message_id, wait_until

pytestmark = pytest.mark.slow

TEXTS = 80


def requests_per_message(twilio_api: FakeTwilioApi) -> collections.Counter[int | None]:
    return collections.Counter(message_id(r.form) for r in twilio_api.messages())


def test_dispatcher_killed_mid_batch_sends_nothing_twice(
    app: Flask, procs: Processes, twilio_api: FakeTwilioApi, figures: object
) -> None:
    enqueue_many(
        "sms",
        [NewMessage(to=f"+4479112{i:05d}", body=f"Text {i}", topic="crash-test") for i in range(TEXTS)],
        now=utcnow(),
    )
    db.session.commit()
    for _ in range(TEXTS * 2):
        twilio_api.answer(201, delay=0.1)
    # Batches of 10 (the claim size follows the rate), so a kill strands part of a batch.
    env = {**procs.env, "SMS_RATE_PER_SECOND": "10"}

    first = procs.flask("messaging", "dispatch", env=env)
    wait_until(lambda: len(twilio_api.messages()) >= 15, 30, "the first dispatcher to send 15 texts")
    first.kill()
    after_first = len(twilio_api.messages())

    second = procs.flask("scheduler", app=app_with(MESSAGING_DISPATCH_SECONDS=1), env=env)
    wait_until(lambda: len(twilio_api.messages()) >= after_first + 20, 30, "the scheduler to send 20 more")
    second.kill()
    stranded = status_counts().get("sending", 0)
    assert stranded > 0, "the kills should have left claimed messages behind"
    # Only a text whose provider call had begun may have gone out; each kill cuts at most the texts
    # in flight (the sender pool: 10 at 10 texts/s, in practice rate x latency = 1 or 2).
    in_flight = db.session.scalar(
        select(func.count())
        .select_from(OutboundMessage)
        .where(OutboundMessage.status == "sending", OutboundMessage.attempt_started_at.is_not(None))
    )
    assert in_flight <= 2 * 10

    # Restarted with a short "sending" timeout, so the stranded claims are settled in this run.
    time.sleep(1.5)
    out = procs.run_flask("messaging", "dispatch", app=app_with(MESSAGING_SENDING_TIMEOUT_SECONDS=1), env=env)
    assert out.startswith("sent ")

    db.session.expire_all()
    counts = requests_per_message(twilio_api)
    rows = db.session.execute(
        select(OutboundMessage.id, OutboundMessage.status, OutboundMessage.attempts)
    ).all()
    assert len(rows) == TEXTS and None not in counts
    assert max(counts.values()) == 1, f"sent twice: {[m for m, n in counts.items() if n > 1]}"
    statuses = collections.Counter(row.status for row in rows)
    assert set(statuses) <= {"sent", "unknown"}, statuses
    for row in rows:
        if row.status == "sent":
            assert counts[row.id] == 1 and row.attempts == 1
    unknown = [row.id for row in rows if row.status == "unknown"]
    unknown_requested = sum(1 for m in unknown if counts.get(m))
    # Only the texts caught mid-call became "unknown"; claimed texts never attempted went out once.
    assert len(unknown) == in_flight
    figures(  # type: ignore[operator]
        f"{db.engine.dialect.name}: {TEXTS} texts, 2 SIGKILLs mid-batch stranding {stranded} claims; "
        f"{statuses['sent']} sent once, {len(unknown)} unknown ({unknown_requested} reached the provider, "
        f"{len(unknown) - unknown_requested} never did); 0 sent twice, 0 lost"
    )


def status_counts() -> collections.Counter[str]:
    db.session.expire_all()
    return collections.Counter(db.session.scalars(select(OutboundMessage.status)))


def test_scheduler_stopped_with_sigint_stops_promptly(
    app: Flask, procs: Processes, twilio_api: FakeTwilioApi, figures: object
) -> None:
    texts = 20
    enqueue_many(
        "sms",
        [NewMessage(to=f"+4479116{i:05d}", body=f"Text {i}", topic="stop-test") for i in range(texts)],
        now=utcnow(),
    )
    db.session.commit()
    for _ in range(texts):
        twilio_api.answer(201, delay=0.1)
    env = {**procs.env, "SMS_RATE_PER_SECOND": "10"}
    scheduler = procs.flask("scheduler", env=env)
    wait_until(lambda: len(twilio_api.messages()) >= 3, 30, "the scheduler to start sending")
    # What systemd sends with KillSignal=SIGINT (docs/systemd/involve-scheduler.service).
    interrupted = time.monotonic()
    os.killpg(scheduler.pid, signal.SIGINT)
    assert scheduler.wait(60) == 0
    took = time.monotonic() - interrupted
    statuses = status_counts()
    counts = requests_per_message(twilio_api)
    assert "sending" not in statuses and "unknown" not in statuses, statuses
    assert set(counts.values()) == {1} and statuses["sent"] == len(counts)
    # Texts not yet started wait in the queue for the next run; the ones in flight were recorded.
    assert statuses["sent"] + statuses["queued"] == texts
    # Prompt: the calls in flight finish, nothing new starts (the rest of the run would take 2 s or more).
    assert took < 5, f"the scheduler took {took:.1f}s to stop"
    figures(  # type: ignore[operator]
        f"{db.engine.dialect.name}: SIGINT mid-run: stopped in {took:.1f}s; {statuses['sent']} of {texts} "
        f"sent once, {statuses['queued']} back in the queue, none left sending or unknown"
    )
