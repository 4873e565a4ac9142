"""A whole SMS consultation through the real twilio client, a loopback Twilio API and signed webhooks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from app.extensions import db
from app.models import Participation
from app.models.base import utcnow
from app.periods import LONDON
from consultations.surveys.launch import launch
from consultations.surveys.models import Invitation, Response
from messaging.api import dispatch_due
from messaging.models import InboundMessage
from tests.consultations import factories as f
from tests.consultations.helpers import make_consultation
from tests.fakes.twilio_api import FakeTwilioApi
from tests.fakes.twilio_sign import signed_sms_post

ANN, BOB = "+447911123401", "+447911123402"


@pytest.fixture
def app_config(twilio_config: dict[str, Any]) -> dict[str, Any]:
    return twilio_config


def texts_to(twilio_api: FakeTwilioApi, number: str) -> list[str]:
    return [r.form["Body"] for r in twilio_api.messages() if r.form.get("To") == number]


def reply(
    app: Flask, number: str, body: str, twilio_api: FakeTwilioApi, sid: str | None = None
) -> str | None:
    """Text in through the signed webhook, let the outbox send, and return the newest text to ``number``."""
    before = len(texts_to(twilio_api, number))
    response = signed_sms_post(app.test_client(), app, number, body, sid=sid)
    assert response.status_code == 200
    dispatch_due(now=utcnow())
    sent = texts_to(twilio_api, number)
    return sent[-1] if len(sent) > before else None


def test_sms_consultation_end_to_end(app: Flask, twilio_api: FakeTwilioApi, runner: FlaskCliRunner) -> None:
    f.sms_customer(ANN, first_name="Ann")
    f.sms_customer(BOB, first_name="Bob")
    consultation = make_consultation(channels=["sms"], closes_at=None)
    launch(consultation, now=utcnow())
    db.session.commit()
    dispatch_due(now=utcnow())
    assert texts_to(twilio_api, ANN)[0].startswith("Hi Ann, 3 quick questions")

    assert reply(app, ANN, "yep", twilio_api, sid="SMann1").startswith("Q2:")
    assert reply(app, ANN, "yep", twilio_api, sid="SMann1") is None  # the same webhook again
    assert reply(app, ANN, "brilliant", twilio_api).startswith("Sorry, we didn't understand")
    assert reply(app, ANN, "five", twilio_api).startswith("Q3:")
    assert reply(app, ANN, "More bins please", twilio_api) == "Thank you!"

    assert reply(app, BOB, "2", twilio_api).startswith("Q2:")
    assert reply(app, BOB, "STOP", twilio_api) is None
    assert reply(app, BOB, "3", twilio_api) is None  # opted out: never texted again

    db.session.expire_all()
    ann = db.session.scalar(select(Invitation).where(Invitation.address == ANN))
    assert (ann.status, ann.reprompts) == ("completed", 1)
    answers = {a.question.key: a.value for a in db.session.scalars(select(Response)).first().answers}
    assert answers == {"reads": "Yes", "score": "5", "comments": "More bins please"}
    handled = db.session.scalars(select(InboundMessage.handled_by).order_by(InboundMessage.id)).all()
    assert handled[:4] == [f"consultation:{consultation.id}"] * 4
    assert "keyword:stop" in handled
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 1

    today = utcnow().astimezone(LONDON).date().isoformat()
    result = runner.invoke(args=["report", "--from", today, "--to", today, "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    activity = next(a for a in report["activities"] if a["name"] == "Derwent Life newsletter")
    assert activity["customers_involved"] == 1 and activity["by_channel"] == {"sms": 1}
