"""Customer-facing pages and invitations speak for the landlord and say how to stop texts."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.extensions import db
from consultations.events.invitations import sms_invitation
from consultations.surveys.launch import launch
from consultations.surveys.texts import opening_sms, reminder_sms
from messaging.models import OutboundMessage
from messaging.sms_text import OPT_OUT_LINE, analyse
from tests.consultations import factories
from tests.consultations.helpers import NOW, make_consultation


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"LANDLORD_NAME": "Riverside Homes", "LANDLORD_LOGO_URL": "/static/logo.png",
            "SMS_PUBLIC_NUMBER": "+447700123456"}  # fmt: skip


def test_survey_invitations_and_reminders_end_with_the_opt_out_line(app) -> None:
    factories.sms_customer("+447912345601", first_name="Ann")
    consultation = make_consultation(channels=["sms"], intro="Hi {first_name}, one question.", closes_at=None)
    launch(consultation, now=NOW)
    db.session.commit()
    body = db.session.scalar(select(OutboundMessage.body))
    assert body.endswith(OPT_OUT_LINE) and body.count(OPT_OUT_LINE) == 1
    assert reminder_sms(consultation, consultation.questions[0], "Ann").endswith(OPT_OUT_LINE)
    # The line is part of what is billed: the preview counts it.
    shorter = opening_sms(consultation, "Ann").removesuffix(OPT_OUT_LINE)
    assert analyse(opening_sms(consultation, "Ann")).characters == analyse(shorter).characters + len(
        OPT_OUT_LINE
    )


def test_event_invitation_text_ends_with_the_opt_out_line(app, make_event) -> None:
    assert sms_invitation(make_event(), "Ann").endswith("Reply JOIN BGT to book.\n" + OPT_OUT_LINE)


def test_booking_page_names_the_landlord_the_number_and_fits_the_state(app, client, live_event) -> None:
    event = live_event(capacity=1)
    page = client.get(f"/e/{event.slug}").get_data(as_text=True)
    assert "Riverside Homes" in page and 'src="/static/logo.png"' in page and "Involve" not in page
    assert "JOIN BGT</strong> to <strong>07700 123456</strong>" in page
    client.post(f"/e/{event.slug}", data={"name": "Sam One", "email": "sam@example.org"})
    waiting = client.post(f"/e/{event.slug}", data={"name": "Kim Two", "email": "kim@example.org"})
    text = client.get(waiting.headers["Location"]).get_data(as_text=True)
    assert "waiting list" in text and "Add to my calendar" not in text and "Leave the waiting list" in text
