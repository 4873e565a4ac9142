"""Smoke test of a production-shaped deployment: gunicorn, the scheduler process, Twilio on loopback.

Customers and a consultation go in through the commands, the scheduler's dispatcher texts the
questions to the Twilio fake, the customers' signed replies reach gunicorn, and the completed
responses show in the database and in the impact report's JSON.
"""

from __future__ import annotations

import collections
import json
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Participation
from app.models.base import utcnow
from app.periods import LONDON
from consultations.surveys.models import Invitation, Response
from messaging.models import InboundMessage, OutboundMessage
from tests.fakes.twilio_api import FakeTwilioApi
from tests.reliability.conftest import Processes, Texter, app_with, message_id, wait_until

PEOPLE = {"+447911100001": "Ann", "+447911100002": "Bob", "+447911100003": "Cath"}
ANSWERS = {"+447911100001": ["1", "5", "More bins"], "+447911100002": ["no", "3", "skip"]}
DEFINITION = {
    "slug": "smoke-bins",
    "title": "Bin collections",
    "activity": "Bin collection survey",
    "channels": ["sms"],
    "audience": {"consented_only": True},
    "intro": "Hi {first_name}, 3 quick questions about bins.",
    "thanks": "Thank you, that is everything.",
    "minutes_per_response": 3,
    "questions": [
        {"key": "weekly", "text": "Are bins collected weekly?", "type": "choice", "options": ["Yes", "No"]},
        {"key": "score", "text": "How good is the service, 1 to 5?", "type": "scale", "min": 1, "max": 5},
        {"key": "more", "text": "Anything to add?", "type": "text", "required": False},
    ],
}


def texts_to(twilio_api: FakeTwilioApi, number: str) -> list[str]:
    return [r.form["Body"] for r in twilio_api.messages() if r.form.get("To") == number]


def test_sms_consultation_through_gunicorn_and_the_scheduler(
    app: Flask, procs: Processes, twilio_api: FakeTwilioApi, tmp_path: Path, figures: object
) -> None:
    started = time.monotonic()
    web = procs.gunicorn("wsgi:app", workers=2)
    # The scheduler as deployed, with the dispatch sweeper every second (instance/involve.cfg can set it).
    scheduler = procs.flask("scheduler", app=app_with(MESSAGING_DISPATCH_SECONDS=1))

    customers = tmp_path / "customers.csv"
    rows = ["ref,first_name,last_name,phone,email,sms_consent,email_consent"]
    rows += [f"S{i},{name},Smith,{phone},,yes,no" for i, (phone, name) in enumerate(PEOPLE.items())]
    customers.write_text("\n".join(rows) + "\n")
    definition = tmp_path / "consultation.json"
    definition.write_text(json.dumps(DEFINITION))
    procs.run_flask("import", "customers", str(customers))
    assert procs.run_flask("consultations", "import", str(definition)).strip() == "smoke-bins"
    assert "3 invited" in procs.run_flask("consultations", "launch", "smoke-bins")

    for phone, name in PEOPLE.items():
        wait_until(lambda p=phone: texts_to(twilio_api, p), 30, f"the invitation to {phone}")
        assert texts_to(twilio_api, phone)[0].startswith(f"Hi {name}, 3 quick questions")

    texter = Texter(web.port)
    for turn in range(1, 4):
        # Each customer answers once the next question has reached their phone.
        for phone, answers in ANSWERS.items():
            assert texter.send(phone, answers[turn - 1], f"SMsmoke{phone[-2:]}{turn}") == 200
        for phone in ANSWERS:
            wait_until(
                lambda p=phone, n=turn: len(texts_to(twilio_api, p)) > n, 30, f"text {turn + 1} to {phone}"
            )
    # Twilio repeating a webhook it already delivered changes nothing.
    assert texter.send("+447911100001", "1", "SMsmoke011") == 200

    for phone in ANSWERS:
        sent = texts_to(twilio_api, phone)
        assert [t.split(":")[0] for t in sent[1:3]] == ["Q2", "Q3"]
        assert sent[3] == "Thank you, that is everything."

    db.session.expire_all()
    statuses = dict(db.session.execute(select(Invitation.address, Invitation.status)).all())
    assert statuses == {
        "+447911100001": "completed",
        "+447911100002": "completed",
        "+447911100003": "invited",
    }
    answers = {}
    for response in db.session.scalars(select(Response).where(Response.status == "completed")):
        phone = db.session.get(Invitation, response.invitation_id).address
        answers[phone] = {a.question.key: a.value for a in response.answers}
    assert answers["+447911100001"] == {"weekly": "Yes", "score": "5", "more": "More bins"}
    assert answers["+447911100002"]["weekly"] == "No"
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 2
    assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 6

    # The fake holds a request before the dispatcher has read its answer: wait for every result to be recorded.
    def recorded() -> bool:
        db.session.expire_all()
        return not db.session.scalar(select(func.count()).where(OutboundMessage.status == "sending"))

    wait_until(recorded, 15, "every text's result to be recorded")
    # Every text went out once, was recorded as sent, and its provider id was kept.
    per_message = collections.Counter(message_id(r.form) for r in twilio_api.messages())
    outbox = db.session.execute(
        select(OutboundMessage.id, OutboundMessage.status, OutboundMessage.provider_id)
    ).all()
    assert len(outbox) == 3 + 2 * 3 and set(per_message.values()) == {1}
    assert {row.id for row in outbox} == set(per_message)
    assert {row.status for row in outbox} == {"sent"} and all(row.provider_id for row in outbox)

    today = utcnow().astimezone(LONDON).date().isoformat()
    report = json.loads(procs.run_flask("report", "--from", today, "--to", today, "--format", "json"))
    activity = next(a for a in report["activities"] if a["name"] == "Bin collection survey")
    assert activity["customers_involved"] == 2 and activity["by_channel"] == {"sms": 2}
    assert float(activity["customer_hours"]) == 0.1
    assert scheduler.alive() and web.alive()
    figures(  # type: ignore[operator]
        f"{len(outbox)} texts sent once each, 6 replies, 2 completions, report agrees; "
        f"{time.monotonic() - started:.1f}s with gunicorn x2 and the scheduler on {db.engine.dialect.name}"
    )
