"""Per-address limits counted in the database: atomic, and shared by every worker on it."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from limits import parse
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import select

from app.extensions import db
from app.models import RateLimitCounter
from app.models.base import utcnow
from app.ratelimit import DatabaseStorage
from consultations.events.definitions import save_definition
from tests.conftest import make_app
from tests.consultations import factories


@pytest.fixture
def app_config() -> dict[str, Any]:
    """The real storage: counters in the test database."""
    return {"RATELIMIT_STORAGE_URI": "involve+db://"}


def test_counts_expire_and_clear_in_the_database(app: Flask) -> None:
    storage = DatabaseStorage()
    assert storage.check()
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get("other") == 0
    assert db.session.scalar(select(RateLimitCounter.count).where(RateLimitCounter.key == "k")) == 3
    # An expired window starts again from the hit that finds it expired.
    assert storage.incr("short", 0) == 1 and storage.get("short") == 0
    assert storage.incr("short", 60) == 1
    storage.clear("k")
    assert storage.get("k") == 0
    assert storage.reset() == 1


def test_parallel_hits_are_all_counted(app: Flask) -> None:
    storage = DatabaseStorage()
    limiter = FixedWindowRateLimiter(storage)
    item = parse("15 per minute")
    allowed: list[bool] = []

    def hit() -> None:
        with app.app_context():
            allowed.append(limiter.hit(item, "203.0.113.9"))

    threads = [threading.Thread(target=hit) for _ in range(25)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Exactly the limit got through: no hit was lost or counted twice under the race.
    assert allowed.count(True) == 15 and storage.get(item.key_for("203.0.113.9")) == 25


def test_two_workers_share_one_count(app: Flask, tmp_path: Path) -> None:
    """Two app instances on one database stand for two gunicorn workers."""
    factories.customer(ref="DL0001", last_name="Hill")
    save_definition(
        {"slug": "fair", "title": "Fair", "activity": "Fair", "capacity": 10,
         "starts_at": "2099-06-01T11:00", "ends_at": "2099-06-01T13:00"},
        now=utcnow(),
    )  # fmt: skip
    db.session.commit()
    other = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "other", RATELIMIT_STORAGE_URI="involve+db://"
    )
    workers = [app.test_client(), other.test_client()]
    wrong = {"ref": "DL0001", "check": "Nobody", "places": "1"}
    statuses = [workers[i % 2].post("/e/fair", data=wrong).status_code for i in range(4)]
    # Three failed look-ups a minute from one address, wherever they land; the fourth is refused.
    assert statuses == [422, 422, 422, 429]
    refused = workers[1].post("/e/fair", data={"ref": "DL0001", "check": "Hill", "places": "1"})
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "Please wait a little" in refused.get_data(as_text=True)
    with other.app_context():
        db.engine.dispose()
