"""Scaling out: the rate shared in PostgreSQL, a prompt stop, and a connection per text in flight."""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, select

from app.extensions import db
from messaging.api import NewMessage, dispatch_due, enqueue_many
from messaging.models import OutboundMessage
from messaging.pacing import sms_in_flight
from messaging.shared_pacing import SharedPacer
from messaging.transports import sms_transport
from tests.fakes.twilio_api import FakeTwilioApi
from tests.messaging.conftest import NOON

RATE = 20


@pytest.fixture
def app_config(twilio_config: dict[str, Any]) -> dict[str, Any]:
    return {**twilio_config, "SMS_RATE_PER_SECOND": RATE, "MESSAGING_STOP_GRACE_SECONDS": 3}


def busiest_second(times: list[float]) -> int:
    return max(sum(1 for t in times if a <= t < a + 1) for a in times)


def queue(count: int) -> None:
    enqueue_many("sms", [NewMessage(to=f"+4479114{i:05d}", body=f"Text {i}") for i in range(count)], now=NOON)
    db.session.commit()


def statuses() -> collections.Counter[str]:
    db.session.expire_all()
    return collections.Counter(db.session.scalars(select(OutboundMessage.status)))


def test_the_twilio_client_keeps_a_connection_per_text_in_flight(app: Flask) -> None:
    adapter = sms_transport().client.http_client.session.get_adapter("https://api.twilio.com")
    assert adapter._pool_maxsize == sms_in_flight(app.config) == 20  # 20/s x 0.5 s x 2
    app.config["SMS_MAX_IN_FLIGHT"] = 7
    assert sms_in_flight(app.config) == 7


def test_a_stop_records_the_texts_in_flight_and_leaves_the_rest_queued(
    app: Flask, twilio_api: FakeTwilioApi
) -> None:
    queue(60)
    for _ in range(60):
        twilio_api.answer(201, delay=0.3)
    done = threading.Event()

    def run() -> None:
        with app.app_context():
            dispatch_due(now=NOON)
            db.session.remove()
        done.set()

    worker = threading.Thread(target=run)
    worker.start()
    while len(twilio_api.messages()) < 10:
        time.sleep(0.02)
    stopped = time.monotonic()
    app.extensions["involve_stopping"].set()
    assert done.wait(10), "the dispatch run did not stop"
    took = time.monotonic() - stopped
    worker.join()
    reached = collections.Counter(r.form["To"] for r in twilio_api.messages())
    counts = statuses()
    # Every request that left was answered and recorded; nothing else was sent or is stuck.
    assert set(reached.values()) == {1}
    assert counts["sent"] == len(reached) < 60
    assert counts["queued"] == 60 - len(reached)
    assert set(counts) == {"sent", "queued"}
    assert took < 2.0
    queued = db.session.scalars(select(OutboundMessage).where(OutboundMessage.status == "queued")).all()
    assert all(m.attempt_started_at is None and m.claim_token is None for m in queued)


@pytest.fixture
def two_processes(app: Flask) -> Iterator[list[SharedPacer]]:
    """Two limiters on their own engines, as two dispatcher processes would hold them."""
    url = db.engine.url.render_as_string(hide_password=False)
    engines = [create_engine(url) for _ in range(2)]
    yield [SharedPacer(engine) for engine in engines]
    for engine in engines:
        engine.dispose()


@pytest.mark.pg_run  # the shared limiter lives in PostgreSQL; SQLite has one dispatcher
def test_two_limiters_hold_one_rate_between_them(two_processes: list[SharedPacer]) -> None:
    starts: list[float] = []
    lock = threading.Lock()
    until = time.monotonic() + 3.0

    def sender(pacer: SharedPacer) -> None:
        while time.monotonic() < until:
            started = pacer.admit(RATE, pacer.reserve(RATE))
            with lock:
                starts.append(started)

    threads = [threading.Thread(target=sender, args=(p,)) for p in two_processes for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Twelve senders in two "processes", all eager: together they still never pass the rate.
    assert busiest_second(starts) <= RATE
    assert len(starts) >= 0.85 * RATE * 3


@pytest.mark.pg_run  # the shared limiter lives in PostgreSQL; SQLite has one dispatcher
def test_a_pause_in_one_process_holds_the_other(two_processes: list[SharedPacer]) -> None:
    first, second = two_processes
    first.reserve(RATE)
    asked = time.monotonic()
    first.pause(0.6)
    assert second.reserve(RATE) - asked >= 0.55


@pytest.mark.pg_run  # the shared limiter lives in PostgreSQL; SQLite has one dispatcher
def test_unused_slots_are_given_back(two_processes: list[SharedPacer]) -> None:
    first, second = two_processes
    first.reserve(RATE)  # reserves a run of 4 slots and uses one
    first.release()
    asked = time.monotonic()
    # Without the give-back the other process would wait for three slots nobody uses.
    assert second.reserve(RATE) - asked < 0.1
