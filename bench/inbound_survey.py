"""The survey-answer round of bench/inbound.py: every text a customer's answer in an open conversation.

Seeds one customer per text in an open SMS conversation (a quarter on a one-question survey, so
their answer completes it: response, participation row, thanks queued; the rest on a two-question
survey: answer stored, next question queued) and serves Involve with `flask scheduler` running
beside gunicorn at the default rate (10 texts a second) through the real Twilio client against a
loopback Twilio answering each request in 0.3 s. With ``--simulator`` the scheduler sends through
the dev simulator instead, which is not paced: it then sends as fast as it can.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# How long the loopback Twilio takes to answer a send (a UK server sees 0.2-0.4 s).
PROVIDER_LATENCY = 0.3


def respondent(n: int) -> str:
    """The phone of the n-th surveyed customer of the survey round."""
    return f"+447700{n % 900000 + 100000:06d}"


def seed_survey(customers: int) -> None:
    """Put ``customers`` people in open SMS conversations: a quarter on a one-question survey
    (their answer completes it), the rest on a two-question one (their answer is the first)."""
    from app.extensions import db
    from app.models import Area, Customer
    from app.models.base import utcnow
    from consultations.surveys.definitions import import_definition
    from consultations.surveys.launch import launch
    from wsgi import app

    with app.app_context():
        short, long = Area(name="Short", homes=1000), Area(name="Long", homes=1000)
        db.session.add_all([short, long])
        db.session.flush()
        db.session.add_all(
            Customer(
                ref=f"B{n:06d}", first_name="Pat", last_name="Bench", phone=respondent(n),
                sms_consent=True, area_id=(short if n % 4 == 0 else long).id,
            )
            for n in range(customers)
        )  # fmt: skip
        question = {
            "key": "reads",
            "text": "Do you read Derwent Life?",
            "type": "choice",
            "options": ["Yes", "No"],
        }
        second = {"key": "score", "text": "How useful is it, 1 to 5?", "type": "scale", "min": 1, "max": 5}
        for slug, area, questions in (
            ("bench-short", "Short", [question]),
            ("bench-long", "Long", [question, second]),
        ):
            consultation, _ = import_definition({
                "slug": slug, "title": slug, "activity": "Bench survey", "channels": ["sms"],
                "audience": {"areas": [area], "consented_only": True}, "intro": "Hi {first_name}.",
                "questions": questions,
            })  # fmt: skip
            db.session.commit()
            launch(consultation, now=utcnow())
            db.session.commit()


def start_survey(
    dbs: Any,
    customers: int,
    args: argparse.Namespace,
    start_involve: Callable[..., Any],
) -> Any:
    """Serve Involve with every text a surveyed customer's answer, `flask scheduler` running beside it."""
    seed = f"import inbound_survey; inbound_survey.seed_survey({customers})"
    clock = {} if getattr(args, "simulator", False) else provider_settings(customers)
    served = start_involve(dbs, "survey", "survey answers", "wsgi:app", args, seed=seed, clock=clock)
    served.surveyed = True
    return served


def provider_settings(customers: int) -> dict[str, str]:
    """Start a loopback Twilio answering in PROVIDER_LATENCY s; return the scheduler's settings for it."""
    sys.path.insert(0, str(ROOT))
    from tests.fakes.fixtures import TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN
    from tests.fakes.twilio_api import Answer, FakeTwilioApi

    fake = FakeTwilioApi().start()
    # Every invitation, reply and follow-up the run can queue answers slowly (the fake lives as
    # long as the bench process).
    fake.script.extend(Answer(201, delay=PROVIDER_LATENCY) for _ in range(customers * 3))
    return {
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_FROM_NUMBER": TWILIO_FROM,
        "TWILIO_API_BASE_URL": fake.url,
        "SMS_RATE_PER_SECOND": "10",
    }
