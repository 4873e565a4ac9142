"""The retention purge: texts and free-text answers older than RETENTION_DAYS are blanked, figures stay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from app.privacy.retention import RetentionError, purge_expired, retention_days
from consultations.surveys.models import Answer, Question
from messaging.api import NewMessage, enqueue
from messaging.models import InboundMessage, OutboundMessage
from messaging.scheduler import run_sweepers_once
from tests.security.world import NOW, build_world, report_json

SAID = "The lift at Oak Court has been broken for weeks"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"RETENTION_DAYS": 30}


def answers() -> list[tuple[str, Answer]]:
    rows = db.session.execute(select(Question.type, Answer).join(Answer, Answer.question_id == Question.id))
    return [(kind, answer) for kind, answer in rows]


def test_the_sweeper_blanks_old_texts_and_answers_and_leaves_the_figures(app: Flask) -> None:
    build_world(SAID)
    assert run_sweepers_once(app, now=NOW + timedelta(days=29))["privacy-retention"] == 0
    db.session.expire_all()
    before = report_json()  # after the dispatch sweeper has sent (and costed) the queued texts
    assert SAID in [m.body for m in db.session.scalars(select(InboundMessage))]

    done = run_sweepers_once(app, now=NOW + timedelta(days=31))
    assert done["privacy-retention"] > 0
    db.session.expire_all()
    assert {m.body for m in db.session.scalars(select(InboundMessage))} == {""}
    outbound = list(db.session.scalars(select(OutboundMessage)))
    assert outbound and {(m.body, m.html) for m in outbound} == {("", None)}
    assert all(m.to_address for m in outbound)  # who was written to stays, for the delivery record
    kept = answers()
    assert [a.value for kind, a in kept if kind == "text"] == ["", ""]
    assert {a.raw for _, a in kept} == {""}
    assert sorted(int(a.number) for kind, a in kept if kind == "scale") == [4, 5]
    assert report_json() == before
    purge = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.purge"))
    assert purge is not None and purge.detail["days"] == 30 and purge.detail["inbound_messages"] == 3

    # Within the hour the sweeper does not look again; after it there is nothing left to do.
    assert run_sweepers_once(app, now=NOW + timedelta(days=31, minutes=10))["privacy-retention"] == 0
    assert run_sweepers_once(app, now=NOW + timedelta(days=32))["privacy-retention"] == 0


def test_messages_still_waiting_to_go_are_not_purged(app: Flask) -> None:
    enqueue("sms", NewMessage(to="+447912345699", body="Your place is confirmed"), now=NOW)
    db.session.commit()
    purge_expired(NOW + timedelta(days=400), 30)
    db.session.commit()
    assert db.session.scalar(select(OutboundMessage.body)) == "Your place is confirmed"


def test_the_purge_command_uses_the_setting_or_a_given_number_of_days(app: Flask) -> None:
    build_world(SAID)
    runner = app.test_cli_runner()
    # The world's texts are from 2011, far beyond 30 days ago.
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "older than 30 days" in result.output and "3 inbound messages" in result.output
    assert runner.invoke(args=["privacy", "purge", "--days", "0"]).exit_code == 1
    db.session.expire_all()
    assert {m.body for m in db.session.scalars(select(InboundMessage))} == {""}


def test_retention_days_refuses_nonsense() -> None:
    assert retention_days({}) == 730
    assert retention_days({"RETENTION_DAYS": "90"}) == 90
    for bad in ("0", "-5", "two years"):
        with pytest.raises(RetentionError, match="RETENTION_DAYS"):
            retention_days({"RETENTION_DAYS": bad})
