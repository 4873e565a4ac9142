"""The clock's health: each sweeper's last run is stored, and the home page warns when the clock stops."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models.base import utcnow
from messaging.api import NewMessage, enqueue
from messaging.models import SweeperRun
from messaging.scheduler import register_sweeper, run_sweepers_once, sweepers

PHONE = "+447911123456"


def runs() -> dict[str, SweeperRun]:
    db.session.expire_all()
    return {row.name: row for row in db.session.scalars(select(SweeperRun))}


def test_every_package_registers_its_sweepers(app) -> None:
    names = {s.name for s in sweepers(app)}
    assert {
        "dispatch",
        "consultations.launch",
        "consultations.close",
        "consultations.remind",
        "consultations.expire",
        "event-reminders",
        "privacy-retention",
    } <= names


def test_each_run_is_recorded_with_what_it_did(app) -> None:
    before = utcnow()
    register_sweeper(app, "test-sweep", lambda now: 3, seconds=20)
    run_sweepers_once(app, now=before)
    run_sweepers_once(app, now=before)
    stored = runs()
    assert set(stored) == {s.name for s in sweepers(app)}
    sweep = stored["test-sweep"]
    assert (sweep.last_done, sweep.runs, sweep.last_error) == (3, 2, None)
    assert sweep.last_ok_at == sweep.last_finished_at and sweep.last_finished_at >= before
    assert sweep.process.endswith(f":{__import__('os').getpid()}")


def test_a_failing_sweeper_keeps_its_last_good_run(app) -> None:
    state = {"fail": False}

    def sweep(now: datetime) -> int:
        if state["fail"]:
            raise RuntimeError("database gone")
        return 1

    register_sweeper(app, "flaky", sweep, seconds=20)
    run_sweepers_once(app, now=utcnow())
    good = runs()["flaky"].last_ok_at
    state["fail"] = True
    with pytest.raises(RuntimeError):
        run_sweepers_once(app, now=utcnow())
    flaky = runs()["flaky"]
    assert flaky.last_error == "RuntimeError: database gone"
    assert flaky.last_ok_at == good and flaky.last_finished_at > good


def test_short_intervals_for_a_test_of_the_real_clock(database_url, tmp_path) -> None:
    from tests.conftest import make_app

    app = make_app(database_url, tmp_path, SCHEDULER_MAX_SECONDS=2)
    # Every interval is capped at 2 s; the inbound job already runs every second.
    assert {s.seconds for s in sweepers(app) if s.name != "inbound"} == {2}
    assert {s.seconds for s in sweepers(app) if s.name == "inbound"} == {1}
    assert {s.seconds for s in sweepers(make_app(database_url, tmp_path, SCHEDULER_MAX_SECONDS=600))} <= {
        1,
        5,
        30,
        60,
    }


def test_home_page_shows_each_sweeper_and_no_warning_when_the_clock_runs(app, staff_client) -> None:
    enqueue("sms", NewMessage(to=PHONE, body="Hello"), now=utcnow())
    db.session.commit()
    register_sweeper(app, "dispatch", lambda now: 0, seconds=5)  # leave the message queued
    run_sweepers_once(app, now=utcnow())
    page = staff_client.get("/").get_data(as_text=True)
    assert 'data-clock="ok"' in page and "data-clock-warning" not in page
    for name in ("dispatch", "consultations.launch", "event-reminders"):
        assert f'data-sweeper="{name}"' in page
    assert "never" not in page.split('data-sweeper="consultations.remind"')[1].split("</tr>")[0]


def test_home_page_warns_when_messages_wait_and_no_clock_ran_for_two_minutes(app, staff_client) -> None:
    page = staff_client.get("/").get_data(as_text=True)
    assert "data-clock-warning" not in page  # nothing waiting: nothing to warn about
    enqueue("sms", NewMessage(to=PHONE, body="Hello"), now=utcnow())
    db.session.commit()
    page = staff_client.get("/").get_data(as_text=True)
    assert "data-clock-warning" in page and "has never run" in page and "1 message is waiting" in page

    register_sweeper(app, "dispatch", lambda now: 0, seconds=5)
    run_sweepers_once(app, now=utcnow())
    assert "data-clock-warning" not in staff_client.get("/").get_data(as_text=True)
    # Every run three minutes old: a clock that stopped.
    db.session.execute(update(SweeperRun).values(last_finished_at=utcnow() - timedelta(minutes=3)))
    db.session.commit()
    page = staff_client.get("/").get_data(as_text=True)
    assert "data-clock-warning" in page and "last ran" in page
