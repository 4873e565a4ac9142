"""Several texts in flight at the paced rate, with the real twilio client against a slow fake."""

from __future__ import annotations

import collections
import threading
import time
from typing import Any

import pytest
from sqlalchemy import select

from app.extensions import db
from messaging.api import NewMessage, dispatch_due, enqueue_many
from messaging.models import OutboundMessage
from messaging.pacing import Pacer
from tests.messaging.conftest import NOON

RATE = 20


@pytest.fixture
def app_config(twilio_config: dict[str, Any]) -> dict[str, Any]:
    return {**twilio_config, "SMS_RATE_PER_SECOND": RATE, "MESSAGING_THROTTLE_PAUSE_SECONDS": 0.5}


def queue(count: int) -> list[OutboundMessage]:
    result = enqueue_many(
        "sms",
        [NewMessage(to=f"+4479112{i:05d}", body=f"Text {i}") for i in range(count)],
        now=NOON,
        returning=True,
    )
    db.session.commit()
    return result.messages


def test_slow_provider_keeps_several_requests_in_flight_at_the_rate(app, twilio_api) -> None:
    queue(20)
    for i in range(20):
        # The 8th text is refused for good (invalid number): it fails alone.
        twilio_api.answer(400, code=21211, delay=0.3) if i == 7 else twilio_api.answer(201, delay=0.3)
    report = dispatch_due(now=NOON)
    assert (report.sent, report.failed) == (19, 1)
    arrivals = [r.at for r in twilio_api.messages()]
    # Paced: no one-second window holds more requests than the rate ...
    assert max(sum(1 for t in arrivals if a <= t < a + 1) for a in arrivals) <= RATE
    # (the first request may leave late while its thread builds a client)
    assert arrivals[-1] - arrivals[2] >= 12 / RATE
    # ... and not waiting for each answer: a 0.3 s answer overlaps the next five requests.
    assert max(sum(1 for t in arrivals if a <= t < a + 0.3) for a in arrivals) >= 4
    per_number = collections.Counter(r.form["To"] for r in twilio_api.messages())
    assert set(per_number.values()) == {1}
    statuses = collections.Counter(db.session.scalars(select(OutboundMessage.status)))
    assert statuses == {"sent": 19, "failed": 1}
    failed = db.session.scalars(select(OutboundMessage).where(OutboundMessage.status == "failed")).one()
    assert failed.error_code == "21211"


def test_throttle_pauses_every_sender_and_sends_the_rest_once(app, twilio_api) -> None:
    queue(10)
    twilio_api.answer(201)
    twilio_api.answer(429, code=20429)
    report = dispatch_due(now=NOON)
    arrivals = twilio_api.messages()
    # After the 429 the dispatcher paused as a whole before the next request left.
    throttled_at = arrivals[1].at
    later = sorted(r.at for r in arrivals[2:])
    # The one slot already handed out may still go; nothing after it until the pause ends.
    assert len(later) >= 2 and later[1] - throttled_at >= 0.45
    assert report.retried >= 1 and report.sent + report.retried == 10
    counts = collections.Counter(r.form["To"] for r in arrivals)
    assert set(counts.values()) == {1}


def busiest_second(times: list[float]) -> int:
    return max(sum(1 for t in times if a <= t < a + 1) for a in times)


def test_no_one_second_window_of_arrivals_exceeds_the_rate(app, twilio_api) -> None:
    count = RATE * 3
    queue(count)
    for _ in range(count):
        twilio_api.answer(201, delay=0.3)
    report = dispatch_due(now=NOON)
    assert report.sent == count
    arrivals = [r.at for r in twilio_api.messages()]
    assert len(arrivals) == count
    # Measured where the provider sees it: the fake's own arrival clock, every window start.
    assert busiest_second(arrivals) <= RATE
    # Still close to the rate: three seconds of texts took little more than three seconds.
    assert max(arrivals) - min(arrivals) < (count / RATE) * 1.4


def test_senders_released_together_never_put_more_than_the_rate_into_a_second() -> None:
    pacer = Pacer()
    rate, threads = 10, 35
    starts: list[float] = []
    lock = threading.Lock()
    gate = threading.Barrier(threads)

    def sender() -> None:
        # Every thread asks at the same instant: the bunching that a pacer alone let through.
        gate.wait()
        started = pacer.admit(rate)
        assert started <= time.monotonic()
        with lock:
            starts.append(started)

    workers = [threading.Thread(target=sender) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(starts) == threads
    assert busiest_second(starts) == rate
    # The first ten go at once; the rest follow a window later each, not all at the end.
    ordered = sorted(starts)
    assert ordered[rate - 1] - ordered[0] < 0.2
    assert 1.0 <= ordered[rate] - ordered[0] < 1.3
    assert ordered[-1] - ordered[0] < 3.5
