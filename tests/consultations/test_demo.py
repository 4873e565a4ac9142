"""`flask demo load` adds consultations and events, written through their own services, that feed the report."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_string, policy
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Participation, StaffUser
from app.models.base import utcnow
from app.periods import financial_year, local_date
from consultations.demo.common import Clock
from consultations.events.models import Booking, Event
from consultations.surveys import stats
from consultations.surveys.models import Answer, Consultation, Invitation, Response
from consultations.surveys.texts import TIMED_OUT
from messaging.models import DevEmail, InboundMessage, OutboundMessage, Suppression
from tests.conftest import _empty_tables, make_app, signed_in

PASSWORD = "demo password 1"


@pytest.fixture(scope="module")
def demo(_schema: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Load the whole demo once for this module, by the command a visitor runs."""
    app = make_app(_schema, tmp_path_factory.mktemp("demo"))
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo", "load"], env={"DEMO_PASSWORD": PASSWORD})
        try:
            assert result.exit_code == 0, result.output
            yield {"app": app, "now": utcnow()}
        finally:
            db.session.remove()
            _empty_tables()
            db.session.remove()
            db.engine.dispose()


def consultation(slug: str) -> Consultation:
    return db.session.scalars(select(Consultation).where(Consultation.slug == slug)).one()


def count(query: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def admin_client(app: Flask) -> Any:
    admin = db.session.scalars(select(StaffUser).where(StaffUser.email == "admin@example.org")).one()
    return signed_in(app, admin)


def test_the_demo_loads_its_three_consultations(demo: dict[str, Any]) -> None:
    # How long it takes is measured by bench/startup.py, not asserted here.
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 3


def test_the_closed_readership_survey_adds_up_on_the_live_page(demo: dict[str, Any]) -> None:
    survey = consultation("derwent-life-readership")
    assert (survey.status, survey.activity.name, survey.invited_count) == (
        "closed",
        "Derwent Life newsletter",
        420,
    )
    assert survey.launched_at < survey.closed_at < demo["now"]
    channels = stats.channel_figures(survey)
    assert set(channels) == {"sms", "email"}
    assert channels["sms"].invited + channels["email"].invited == 420
    assert channels["sms"].completed + channels["email"].completed == 300
    # Every invitation went out; texts show as delivered in the simulator, emails sit in the outbox.
    assert all(set(f.messages) == {"delivered"} and f.delivered == f.invited for f in channels.values())
    # Readers: exactly 83% of those who completed; the page's bars also count the nine who went quiet.
    reads = stats.question_figures(survey)[0]
    said = db.session.execute(
        select(Answer.value, func.count()).join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id == reads.question.id, Response.status == "completed").group_by(Answer.value)
    ).all()  # fmt: skip
    assert dict(said) == {"Yes": 249, "No": 51}
    assert sum(n for _, n in reads.bars) == 309
    assert stats.reprompts(survey) == 15  # twelve who answered in words first, three who were muddled
    assert stats.opt_outs(survey, demo["now"]) == 2
    assert stats.conversation_counts(survey) == {"completed": 300, "ended": 3, "expired": 9, "closed": 108}
    # One completed response, one participation row, on the survey's activity and dated when it was given.
    rows = db.session.execute(
        select(Participation.channel, func.count()).where(Participation.source == "survey", Participation.activity_id == survey.activity_id).group_by(Participation.channel)
    ).all()  # fmt: skip
    assert dict(rows) == {"sms": channels["sms"].completed, "email": channels["email"].completed}
    completed = count(
        select(Response.id).where(Response.consultation_id == survey.id, Response.status == "completed")
    )
    assert completed == 300
    # The person who answered a week after going quiet heard that the survey had timed out.
    told = db.session.scalars(
        select(InboundMessage).where(InboundMessage.handled_by == f"{survey.topic}:timed-out")
    ).all()
    assert len(told) == 1
    assert db.session.scalars(select(OutboundMessage.body).where(OutboundMessage.to_address == told[0].from_number).order_by(OutboundMessage.id.desc()).limit(1)).one() == TIMED_OUT  # fmt: skip
    assert (
        count(
            select(Suppression.id).where(Suppression.created_at.between(survey.launched_at, survey.closed_at))
        )
        == 2
    )
    page = admin_client(demo["app"]).get(f"/consultations/{survey.id}").get_data(as_text=True)
    assert "<strong>9 expired</strong>" in page and "&lt;5" in page


def test_the_open_strategy_survey_can_be_answered_from_the_outbox_and_the_simulator(
    demo: dict[str, Any],
) -> None:
    app = demo["app"]
    survey = consultation("resident-involvement-strategy-2026")
    assert survey.status == "open" and survey.closes_at > demo["now"]
    assert survey.invited_count == 12
    staff = admin_client(app)
    # The invitation email is in the development outbox, newest first, with a personal link.
    outbox = staff.get("/messaging/dev/email").get_data(as_text=True)
    assert "Resident Involvement Strategy 2026" in outbox
    waiting = db.session.scalars(
        select(Invitation).where(Invitation.consultation_id == survey.id, Invitation.channel == "email", Invitation.status == "invited")
    ).all()  # fmt: skip
    mail = db.session.scalars(
        select(DevEmail).where(DevEmail.to_address == waiting[0].address, DevEmail.subject == survey.title)
    ).one()
    text = (
        message_from_string(mail.raw, policy=policy.default).get_body(preferencelist=("plain",)).get_content()
    )
    link = re.search(r"http://involve\.test(/s/[\w-]+)", text)
    assert link is not None
    form = app.test_client().get(link.group(1))
    assert form.status_code == 200 and "How would you most like to get involved?" in form.get_data(
        as_text=True
    )
    answered = app.test_client().post(link.group(1), data={"q_how": "1", "q_listen": "4", "q_change": ""})
    assert answered.status_code in (200, 303)
    db.session.expire_all()
    assert db.session.get(Invitation, waiting[0].id).status == "completed"
    # Texts wait in the simulator; replying as the customer there carries the conversation on.
    texted = db.session.scalars(
        select(Invitation).where(Invitation.consultation_id == survey.id, Invitation.channel == "sms", Invitation.status == "invited")
    ).first()  # fmt: skip
    assert texted.address in staff.get(f"/messaging/dev/sms?number={texted.address}").get_data(as_text=True)
    staff.post("/messaging/dev/sms/reply", data={"number": texted.address, "body": "2"})
    last = db.session.scalars(select(OutboundMessage).where(OutboundMessage.to_address == texted.address).order_by(OutboundMessage.id.desc()).limit(1)).one()  # fmt: skip
    assert last.body.startswith("Q2: How well do we listen to residents")


def test_a_draft_is_ready_in_the_builder(demo: dict[str, Any]) -> None:
    draft = consultation("repairs-satisfaction")
    assert draft.status == "draft" and len(draft.questions) == 2 and draft.launched_at is None
    page = admin_client(demo["app"]).get(f"/consultations/{draft.id}/questions")
    assert page.status_code == 200 and "Was the repair fixed first time?" in page.get_data(as_text=True)


def test_the_big_get_together_is_full_with_a_waiting_list(demo: dict[str, Any]) -> None:
    event = db.session.scalars(select(Event).where(Event.sms_keyword == "BGT")).one()
    assert (event.title, event.capacity, event.waitlist, event.places_taken) == (
        "The Big Get Together",
        150,
        True,
        150,
    )
    assert event.starts_at > demo["now"]
    bookings = db.session.scalars(select(Booking).where(Booking.event_id == event.id)).all()
    booked = [b for b in bookings if b.status == "booked"]
    assert sum(b.places for b in booked) == 150
    assert sum(b.status == "waiting" for b in bookings) == 4
    assert sum(b.status == "cancelled" for b in bookings) == 2
    assert len([b for b in booked if b.customer_id is None]) >= 4  # guests
    assert any(b.places > 1 for b in booked) and any(b.source == "sms" for b in booked)
    # Confirmations went by each booker's channel; the emailed ones are in the development outbox.
    subjects = db.session.scalars(
        select(DevEmail.subject).where(DevEmail.subject.like("%The Big Get Together"))
    ).all()
    by_email = [b for b in bookings if b.notify_channel == "email"]
    assert subjects.count("Booked: The Big Get Together") == sum(b.status != "waiting" for b in by_email) > 30
    assert subjects.count("Waiting list: The Big Get Together") == sum(
        b.status == "waiting" for b in by_email
    )
    assert subjects.count("Cancelled: The Big Get Together") == sum(b.status == "cancelled" for b in by_email)
    by_text = [b for b in bookings if b.source == "sms"]
    replies = db.session.scalars(select(OutboundMessage.body).where(OutboundMessage.topic == f"event:{event.id}", OutboundMessage.channel == "sms", OutboundMessage.to_address.in_([b.phone for b in by_text]))).all()  # fmt: skip
    assert len(replies) >= len(by_text) and all("Big Get Together" in body for body in replies)
    page = admin_client(demo["app"]).get(f"/events/{event.id}").get_data(as_text=True)
    assert "150 / 150" in page and "Book for someone who phoned" in page


def test_the_welcome_event_register_feeds_the_ledger(demo: dict[str, Any]) -> None:
    event = db.session.scalars(select(Event).where(Event.title == "Home Group welcome event")).one()
    assert event.register_closed_at is not None and event.online_viewers == 30
    assert event.ends_at < event.register_closed_at < demo["now"]
    rows = db.session.scalars(
        select(Participation).where(Participation.source_key.like(f"event:{event.id}:%"))
    ).all()
    attended = db.session.scalars(
        select(Booking).where(Booking.event_id == event.id, Booking.attended.is_(True))
    ).all()
    people = [r for r in rows if r.customer_id is not None]
    assert len(people) == len(attended) >= 40
    assert sum(b.status == "walk-in" for b in attended) == 3
    online = [r for r in rows if r.channel == "online"]
    assert len(online) == 1 and online[0].headcount == 30
    assert all(r.hours == event.length_hours * r.headcount for r in rows)


def test_the_report_for_the_demo_year_counts_the_consultation_and_the_event(demo: dict[str, Any]) -> None:
    year = financial_year(local_date(demo["now"]))
    result = (
        demo["app"]
        .test_cli_runner()
        .invoke(
            args=[
                "report",
                "--from",
                year.start.isoformat(),
                "--to",
                year.end.isoformat(),
                "--format",
                "json",
            ]
        )
    )
    assert result.exit_code == 0, result.output
    activities = {a["name"]: a for a in json.loads(result.output)["activities"]}
    newsletter = activities["Derwent Life newsletter"]
    survey = consultation("derwent-life-readership")
    in_year = (
        Participation.activity_id == survey.activity_id,
        Participation.date.between(year.start, year.end),
    )

    def emailed(*sources: str) -> int:
        query = select(Participation.customer_id).distinct()
        query = query.where(*in_year, Participation.channel == "email", Participation.source.in_(sources))
        return count(query)

    # The survey's email answers reach the report, on top of the core demo's rows.
    assert newsletter["by_channel"]["email"] == emailed("demo", "survey") > emailed("demo")
    everyone = count(
        select(Participation.customer_id).distinct().where(*in_year, Participation.customer_id.is_not(None))
    )
    assert newsletter["customers_involved"] == everyone
    welcome = activities["Home Group welcome events"]
    assert welcome["by_channel"]["online"] == 30  # the register's online viewers; the core demo has none
    strategy = activities["Resident Involvement Strategy"]
    assert strategy["by_channel"]["email"] >= 1


def test_the_demo_clock_keeps_a_young_year_in_order() -> None:
    now = datetime(2026, 4, 3, 12, 0, tzinfo=UTC)
    clock = Clock(now, date(2026, 4, 1))
    times = [clock.ago(days, 10) for days in (80, 75, 54, 40, 1)]
    assert times == sorted(times)
    assert all(datetime(2026, 3, 31, 23, 0, tzinfo=UTC) < t < now for t in times)
    old = Clock(datetime(2026, 11, 26, 12, 0, tzinfo=UTC), date(2026, 4, 1))
    assert old.ago(75, 10) == datetime(2026, 9, 12, 9, 0, tzinfo=UTC)  # 10:00 BST, unsqueezed
    assert old.ahead(24, 11) - old.now > timedelta(days=23)
