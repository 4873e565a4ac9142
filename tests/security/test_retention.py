"""The retention purge: texts and free-text answers older than RETENTION_DAYS are blanked, figures stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from app.privacy.retention import RetentionError, purge_expired, retention_days
from consultations.events.models import Booking, Event
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


def test_booking_names_and_contacts_go_once_the_event_is_older_than_the_retention_period(app: Flask) -> None:
    world = build_world(SAID)
    event_id = world.event.id
    # The Big Get Together ended 2011-09-17 15:00 UTC; with 30 days kept it is purged from 2011-10-18.
    ended = datetime(2011, 9, 17, 15, 0, tzinfo=UTC)
    assert purge_expired(ended + timedelta(days=29), 30)["event_bookings"] == 0
    db.session.commit()
    db.session.expire_all()
    kept = bookings(event_id)
    assert any(b.name == SAID[:160] for b in kept) and any(b.email for b in kept)
    before = report_json()
    register_before = [(b.customer_id, b.places, b.status, b.attended) for b in kept]
    taken = db.session.get(Event, event_id).places_taken

    done = purge_expired(ended + timedelta(days=31), 30)
    db.session.commit()
    db.session.expire_all()
    assert done["event_bookings"] == 2
    purged = bookings(event_id)
    assert {(b.name, b.phone, b.email) for b in purged} == {("", None, None)}
    assert [(b.customer_id, b.places, b.status, b.attended) for b in purged] == register_before
    assert db.session.get(Event, event_id).places_taken == taken
    assert report_json() == before
    assert purge_expired(ended + timedelta(days=32), 30)["event_bookings"] == 0


def test_bookings_for_events_not_yet_past_the_retention_period_keep_their_details(app: Flask) -> None:
    world = build_world(SAID)
    upcoming = Event(
        activity_id=world.event.activity_id, slug="later", title="Later", starts_at=NOW + timedelta(days=400),
        ends_at=NOW + timedelta(days=400, hours=2),
    )  # fmt: skip
    db.session.add(upcoming)
    db.session.flush()
    db.session.add(
        Booking(event_id=upcoming.id, name="Bea Guest", phone="+447912345688", email="bea@example.net")
    )
    db.session.commit()
    purge_expired(NOW + timedelta(days=300), 30)  # the world's event is purged, the later one is not
    db.session.commit()
    db.session.expire_all()
    later = bookings(upcoming.id)
    assert [(b.name, b.phone, b.email) for b in later] == [("Bea Guest", "+447912345688", "bea@example.net")]
    assert {b.name for b in bookings(world.event.id)} == {""}


def bookings(event_id: int) -> list[Booking]:
    return list(db.session.scalars(select(Booking).where(Booking.event_id == event_id).order_by(Booking.id)))
