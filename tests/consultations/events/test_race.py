"""The race for the last place: many bookers at once, real threads, exactly one gets it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from app.extensions import db
from consultations.events.models import Booking, Event
from consultations.events.services import BookingRequest, book
from tests.conftest import _create_pg_database, make_app
from tests.consultations.events.conftest import NOW

BOOKERS = 12


def _race(app: Flask, event_id: int, waitlist: bool) -> list[str]:
    """Start BOOKERS threads at the same moment, each booking one place in its own transaction."""
    barrier = threading.Barrier(BOOKERS)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        with app.app_context():
            try:
                event = db.session.get(Event, event_id)
                req = BookingRequest(customer=None, name=f"Booker {n}", email=f"b{n}@example.org", places=1)
                barrier.wait(10)
                outcome = book(event, req, now=NOW)
                db.session.commit()
                with lock:
                    results.append(outcome.status)
            except BaseException as exc:  # reported below; a thread cannot fail the test itself
                with lock:
                    errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(BOOKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def _one_place_left(make_event, waitlist: bool) -> Event:
    event = make_event(capacity=3, waitlist=waitlist)
    db.session.execute(update(Event).where(Event.id == event.id).values(places_taken=2))
    db.session.commit()
    return event


@pytest.mark.parametrize("waitlist", [False, True])
def test_exactly_one_booker_gets_the_last_place(app, make_event, waitlist):
    event = _one_place_left(make_event, waitlist)
    results = _race(app, event.id, waitlist)
    assert results.count("booked") == 1
    assert results.count("waiting" if waitlist else "full") == BOOKERS - 1
    db.session.expire_all()
    assert db.session.get(Event, event.id).places_taken == 3
    booked = db.session.scalar(
        select(func.count()).where(Booking.event_id == event.id, Booking.status == "booked")
    )
    assert booked == 1


@pytest.mark.pg
def test_last_place_race_on_postgresql(pg_url, tmp_path: Path):
    """Run the race on a fresh PostgreSQL database, whatever database this run uses."""
    url, drop = _create_pg_database(pg_url)
    try:
        pg_app = make_app(url, tmp_path, SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True})
        with pg_app.app_context():
            db.create_all()
            try:
                from consultations.events.definitions import save_definition

                event, _ = save_definition(
                    {"slug": "race", "title": "Race", "activity": "Race night", "starts_at": "2030-07-01T18:00",
                     "ends_at": "2030-07-01T20:00", "capacity": 1, "waitlist": False},
                    now=NOW,
                )  # fmt: skip
                db.session.commit()
                results = _race(pg_app, event.id, waitlist=False)
                assert results.count("booked") == 1 and results.count("full") == BOOKERS - 1
                db.session.expire_all()
                assert db.session.get(Event, event.id).places_taken == 1
            finally:
                db.session.remove()
                db.engine.dispose()
    finally:
        drop()
