"""One handler per inbound text, in order: keywords interrupt a survey, which asks its question again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Participation
from app.models.base import utcnow
from consultations.events.definitions import save_definition
from consultations.events.models import Booking, Event
from consultations.surveys.launch import launch
from consultations.surveys.models import Answer, Invitation
from messaging.api import dispatch_due
from messaging.handlers import inbound_handlers
from messaging.models import InboundMessage
from messaging.suppression import is_suppressed
from tests.consultations import factories as f
from tests.consultations.helpers import make_consultation
from tests.consultations.test_sms_flow import reply, texts_to
from tests.fakes.twilio_api import FakeTwilioApi
from tests.fakes.twilio_sign import signed_sms_post

ANN = "+447911123401"


@pytest.fixture
def app_config(twilio_config: dict[str, Any]) -> dict[str, Any]:
    return {**twilio_config, "SMS_RATE_PER_SECOND": 50}


def big_get_together() -> Event:
    """An event bookable by text as JOIN BGT, ten days from now."""
    start = utcnow() + timedelta(days=10)
    event, _ = save_definition(
        {
            "slug": "big-get-together",
            "title": "The Big Get Together",
            "activity": "The Big Get Together",
            "starts_at": start.replace(tzinfo=None, second=0, microsecond=0).isoformat(timespec="minutes"),
            "ends_at": (start + timedelta(hours=3)).replace(tzinfo=None).isoformat(timespec="minutes"),
            "venue": "Derby Assembly Rooms",
            "capacity": 10,
            "sms_keyword": "BGT",
        },
        now=utcnow(),
    )
    db.session.commit()
    return event


def at_free_text_question(app: Flask, twilio_api: FakeTwilioApi) -> int:
    """Launch the three-question survey to Ann and answer up to its free-text question; return its id."""
    f.sms_customer(ANN, first_name="Ann")
    consultation = make_consultation(channels=["sms"], closes_at=None)
    launch(consultation, now=utcnow())
    db.session.commit()
    dispatch_due(now=utcnow())
    assert reply(app, ANN, "1", twilio_api).startswith("Q2:")
    assert reply(app, ANN, "4", twilio_api).startswith("Q3: Anything to add?")
    return consultation.id


def answers() -> dict[str, str]:
    db.session.expire_all()
    rows = db.session.scalars(select(Answer)).all()
    return {a.question.key: a.value for a in rows}


def invitation() -> Invitation:
    db.session.expire_all()
    return db.session.scalars(select(Invitation).where(Invitation.address == ANN)).one()


def handled_by() -> list[str | None]:
    return list(db.session.scalars(select(InboundMessage.handled_by).order_by(InboundMessage.id)))


def test_the_chain_runs_in_the_stated_order(app: Flask) -> None:
    assert [h.name for h in inbound_handlers(app)] == [
        "channel-keywords",
        "event-keywords",
        "survey-conversations",
        "event-keyword-help",
    ]


def test_join_keyword_mid_survey_books_and_the_survey_asks_again(app, client, twilio_api) -> None:
    event = big_get_together()
    consultation_id = at_free_text_question(app, twilio_api)
    before = len(texts_to(twilio_api, ANN))

    assert signed_sms_post(client, app, ANN, "JOIN BGT").status_code == 200
    dispatch_due(now=utcnow())
    booked, reasked = texts_to(twilio_api, ANN)[before:]
    assert booked.startswith("You're booked for The Big Get Together")
    assert reasked.startswith('Back to our survey "Derwent Life readership":\n\nQ3: Anything to add?\n')
    # Booked once, and "JOIN BGT" was not taken as the free-text answer.
    assert (
        db.session.scalar(select(func.count()).select_from(Booking).where(Booking.event_id == event.id)) == 1
    )
    assert answers() == {"reads": "Yes", "score": "4"}
    assert invitation().position == 2 and invitation().status == "started"

    # The next reply answers the question asked again and completes the survey.
    assert reply(app, ANN, "More bins please", twilio_api) == "Thank you!"
    assert answers() == {"reads": "Yes", "score": "4", "comments": "More bins please"}
    assert invitation().status == "completed"
    assert handled_by() == [f"consultation:{consultation_id}"] * 2 + [
        f"event:{event.id}",
        f"consultation:{consultation_id}",
    ]
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 1


def test_help_mid_survey_answers_and_asks_again(app, client, twilio_api) -> None:
    at_free_text_question(app, twilio_api)
    before = len(texts_to(twilio_api, ANN))
    assert signed_sms_post(client, app, ANN, "help").status_code == 200
    dispatch_due(now=utcnow())
    helped, reasked = texts_to(twilio_api, ANN)[before:]
    assert helped == app.config["SMS_HELP_TEXT"]
    assert "Q3: Anything to add?" in reasked
    assert answers() == {"reads": "Yes", "score": "4"}


def test_stop_mid_survey_opts_out_and_is_never_an_answer(app, client, twilio_api) -> None:
    consultation_id = at_free_text_question(app, twilio_api)
    before = len(texts_to(twilio_api, ANN))

    assert signed_sms_post(client, app, ANN, "STOP").status_code == 200
    dispatch_due(now=utcnow())
    assert is_suppressed("sms", ANN)
    assert texts_to(twilio_api, ANN)[before:] == []  # no question asked again, nothing at all
    assert answers() == {"reads": "Yes", "score": "4"}
    assert invitation().position == 2
    assert handled_by()[-1] == "keyword:stop"

    # START lifts the opt-out and the survey picks up where it was.
    assert signed_sms_post(client, app, ANN, "START").status_code == 200
    dispatch_due(now=utcnow())
    resubscribed, reasked = texts_to(twilio_api, ANN)[before:]
    assert resubscribed.startswith("You have been resubscribed") and "Q3: Anything to add?" in reasked
    assert reply(app, ANN, "Brighter stairwells", twilio_api) == "Thank you!"
    assert answers() == {"reads": "Yes", "score": "4", "comments": "Brighter stairwells"}
    assert handled_by()[-3:] == ["keyword:stop", "keyword:start", f"consultation:{consultation_id}"]
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 1


def test_join_for_an_event_that_does_not_exist_is_the_answer(app, client, twilio_api) -> None:
    big_get_together()
    consultation_id = at_free_text_question(app, twilio_api)

    assert reply(app, ANN, "JOIN XYZ", twilio_api) == "Thank you!"
    assert answers() == {"reads": "Yes", "score": "4", "comments": "JOIN XYZ"}
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
    assert handled_by()[-1] == f"consultation:{consultation_id}"
    assert not any(t.startswith("Sorry, we have no event") for t in texts_to(twilio_api, ANN))


def test_join_for_no_event_outside_a_survey_lists_the_events(app, client, twilio_api) -> None:
    big_get_together()
    assert signed_sms_post(client, app, ANN, "JOIN XYZ").status_code == 200
    dispatch_due(now=utcnow())
    (text,) = texts_to(twilio_api, ANN)
    assert text.startswith("Sorry, we have no event called XYZ.") and "JOIN BGT" in text
    assert handled_by() == ["events"]
