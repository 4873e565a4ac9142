"""The sweeper registry, a second run doing nothing twice, and when the clock thread starts."""

from __future__ import annotations

import threading
from datetime import datetime

import click
from sqlalchemy import select

from app.extensions import db
from messaging.api import NewMessage, enqueue_many
from messaging.models import OutboundMessage
from messaging.scheduler import (
    build_scheduler,
    register_sweeper,
    run_sweepers_once,
    should_run_in_this_process,
)
from tests.messaging.conftest import NOON


def test_dispatch_is_registered_and_sweepers_run(app) -> None:
    calls: list[datetime] = []

    def sweep(now: datetime) -> int:
        calls.append(now)
        return 3

    register_sweeper(app, "test-sweep", sweep, seconds=20)
    done = run_sweepers_once(app, now=NOON)
    assert (done["dispatch"], done["test-sweep"]) == (0, 3)
    assert calls == [NOON]
    jobs = {
        job.id: job.trigger.interval.total_seconds()
        for job in build_scheduler(app, blocking=False).get_jobs()
    }
    assert (jobs["dispatch"], jobs["test-sweep"]) == (5.0, 20.0)
    assert max(jobs.values()) <= 60


def test_two_schedulers_at_once_send_each_message_once(app) -> None:
    enqueue_many("sms", [NewMessage(to=f"+4479111{i:05d}", body="x") for i in range(40)], now=NOON)
    db.session.commit()
    results: list[dict[str, int]] = []
    threads = [
        threading.Thread(target=lambda: results.append(run_sweepers_once(app, now=NOON))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["dispatch"] for r in results) == 40
    db.session.expire_all()
    rows = db.session.scalars(select(OutboundMessage)).all()
    assert {r.status for r in rows} == {"delivered"} and {r.attempts for r in rows} == {1}
    assert run_sweepers_once(app, now=NOON)["dispatch"] == 0


def test_scheduler_starts_only_in_the_serving_process(app, monkeypatch) -> None:
    app.config["SCHEDULER_ENABLED"] = True
    app.testing = False
    assert not should_run_in_this_process(app)  # no command at all
    with click.Context(click.Command("run"), info_name="run") as ctx:
        ctx.params["reload"] = True
        monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
        assert not should_run_in_this_process(app)  # the reloader's watcher
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
        assert should_run_in_this_process(app)  # the reloader's child serves
        ctx.params["reload"] = False
        monkeypatch.delenv("WERKZEUG_RUN_MAIN")
        assert should_run_in_this_process(app)
    with click.Context(click.Command("import"), info_name="import"):
        assert not should_run_in_this_process(app)
    app.config["SCHEDULER_ENABLED"] = False
    with click.Context(click.Command("run"), info_name="run"):
        assert not should_run_in_this_process(app)


def test_cli_dispatch_and_sweep(runner, app) -> None:
    result = runner.invoke(args=["messaging", "sweep"])
    assert result.exit_code == 0 and "dispatch: 0" in result.output
    result = runner.invoke(args=["messaging", "dispatch"])
    assert result.exit_code == 0 and result.output.startswith("sent 0")
