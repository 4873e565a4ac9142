"""Two dispatcher processes on PostgreSQL share the queue and one send rate.

The `flask scheduler` clock and an extra `flask messaging dispatch --loop` both send, each set to
the account's whole rate. Without the limiter in PostgreSQL they would send at twice the rate; with
it no one-second window holds more than the rate, and no text is sent twice.
"""

from __future__ import annotations

import collections
import time

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from messaging.api import NewMessage, enqueue_many
from messaging.models import OutboundMessage
from tests.fakes.fixtures import TWILIO_FROM
from tests.fakes.twilio_api import FakeTwilioApi
from tests.reliability.conftest import Processes, app_with, message_id, wait_until

pytestmark = pytest.mark.slow

TEXTS, RATE, LATENCY = 240, 20, 0.3
SECOND_FROM = "+441332000222"


def busiest_second(times: list[float]) -> int:
    times, best, start = sorted(times), 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


@pytest.mark.pg_run  # several dispatchers need PostgreSQL (SQLite has one writer)
def test_two_dispatchers_share_the_queue_and_the_rate(
    app: Flask, procs: Processes, twilio_api: FakeTwilioApi, figures: object
) -> None:
    enqueue_many(
        "sms", [NewMessage(to=f"+4479117{i:05d}", body=f"Text {i}") for i in range(TEXTS)], now=utcnow()
    )
    db.session.commit()
    for _ in range(TEXTS):
        twilio_api.answer(201, delay=LATENCY)
    env = {**procs.env, "SMS_RATE_PER_SECOND": str(RATE)}
    # Each process texts from its own number, so the fake can tell who sent what.
    procs.flask("scheduler", app=app_with(MESSAGING_DISPATCH_SECONDS=1), env=env)
    procs.flask("messaging", "dispatch", "--loop", env={**env, "TWILIO_FROM_NUMBER": SECOND_FROM})
    started = time.monotonic()
    wait_until(lambda: len(twilio_api.messages()) >= TEXTS, TEXTS / RATE * 3 + 30, "every text to be sent")
    time.sleep(LATENCY * 3)
    procs.stop_all()
    elapsed = time.monotonic() - started

    requests = twilio_api.messages()
    per_message = collections.Counter(message_id(r.form) for r in requests)
    by_sender = collections.Counter(r.form["From"] for r in requests)
    arrivals = [r.at for r in requests]
    db.session.expire_all()
    rows = db.session.execute(select(OutboundMessage.status, OutboundMessage.sent_at)).all()
    starts = [row.sent_at.timestamp() for row in rows if row.sent_at is not None]
    statuses = collections.Counter(row.status for row in rows)

    span = max(arrivals) - min(arrivals)
    achieved = (len(arrivals) - 1) / span
    figures(  # type: ignore[operator]
        f"postgresql: {TEXTS} texts, 2 dispatchers (scheduler sent {by_sender[TWILIO_FROM]}, "
        f"dispatch --loop {by_sender[SECOND_FROM]}) each set to {RATE}/s, Twilio fake {LATENCY}s; "
        f"achieved {achieved:.1f}/s = {achieved / RATE:.2f} of the rate; busiest 1-s window "
        f"{busiest_second(starts)} recorded starts, {busiest_second(arrivals)} at the fake; "
        f"{sum(n - 1 for n in per_message.values())} sent twice; {elapsed:.1f}s"
    )

    assert len(per_message) == TEXTS and set(per_message.values()) == {1}, "a text was sent twice"
    assert statuses == {"sent": TEXTS}
    assert len(by_sender) == 2 and min(by_sender.values()) >= TEXTS // 10, by_sender
    # The starts each process recorded, on one timeline: never more than the rate in a second.
    assert busiest_second(starts) <= RATE
    # Where Twilio sees them: the same, give or take the time a request takes to arrive (tens of
    # milliseconds on a busy 2-core machine); two unshared limiters would put twice the rate there.
    assert busiest_second(arrivals) <= RATE * 1.25
    assert achieved >= 0.8 * RATE
