"""The open "Resident Involvement Strategy 2026" consultation, live in the simulator and outbox, and a draft."""

from __future__ import annotations

import random
from datetime import timedelta

from app.extensions import db
from consultations.demo.common import Clock, Person, Phone, local_text, minutes_later
from consultations.surveys.definitions import import_definition
from consultations.surveys.launch import launch
from consultations.surveys.models import Consultation, Invitation
from consultations.surveys.webform import submit_invitation

TEXTED, EMAILED = 6, 6


def open_definition(clock: Clock) -> dict[str, object]:
    """Return the open consultation's definition, closing three weeks from today."""
    return {
        "slug": "resident-involvement-strategy-2026",
        "title": "Resident Involvement Strategy 2026",
        "activity": "Resident Involvement Strategy",
        "channels": ["email", "sms"],
        "channel_preference": ["email", "sms"],
        "web_link": True,
        "intro": "Hi {first_name}, we're writing our next Resident Involvement Strategy. 3 questions, 2 minutes.",
        "thanks": "Thank you! We'll share what residents told us in the next Derwent Life.",
        "closes_at": local_text(clock.ahead(21, 17)),
        "reminder_after_hours": 72,
        "max_reminders": 1,
        "minutes_per_response": 2,
        "questions": [
            {
                "key": "how",
                "text": "How would you most like to get involved?",
                "type": "choice",
                "options": [
                    "Local area forums",
                    "Online surveys and texts",
                    "Scrutiny and panels",
                    "Events and fun days",
                    "Not right now",
                ],
            },
            {
                "key": "listen",
                "text": "How well do we listen to residents, 1 to 5?",
                "type": "scale",
                "min": 1,
                "max": 5,
            },
            {
                "key": "change",
                "text": "What one thing should the new strategy change?",
                "type": "text",
                "required": False,
            },
        ],
    }


DRAFT = {
    "slug": "repairs-satisfaction",
    "title": "Repairs: how did we do?",
    "activity": "Involvement through text & email",
    "channels": ["sms"],
    "audience": {"areas": ["Derby"], "consented_only": True},
    "intro": "Hi {first_name}, we recently repaired something in your home. 2 quick questions.",
    "thanks": "Thank you for telling us.",
    "minutes_per_response": 1,
    "questions": [
        {"key": "fixed", "text": "Was the repair fixed first time?", "type": "yesno"},
        {
            "key": "rating",
            "text": "How happy are you with the repair, 1 to 5?",
            "type": "scale",
            "min": 1,
            "max": 5,
        },
    ],
}


def load_open(rng: random.Random, clock: Clock, phone: Phone, people: list[Person]) -> Consultation:
    """Launch yesterday to a dozen people; two have answered and one is part-way through by text."""
    texted = rng.sample([p for p in people if p.textable and not p.emailable], TEXTED)
    emailed = rng.sample([p for p in people if p.emailable], EMAILED)
    data = open_definition(clock)
    data["audience"] = {"customer_refs": sorted(p.ref for p in texted + emailed), "consented_only": True}
    consultation, _ = import_definition(data)
    launched = clock.ago(1, 10)
    launch(consultation, now=launched)
    at = minutes_later(rng, launched, 20, 90)
    for body in ("2", "4", "More things online please, I work shifts"):
        phone.text(texted[0].phone or "", body, at)
        at = minutes_later(rng, at, 1, 6)
    phone.text(texted[1].phone or "", "1", minutes_later(rng, launched, 120, 240))
    invitation = db.session.scalars(
        db.select(Invitation).where(
            Invitation.consultation_id == consultation.id, Invitation.customer_id == emailed[0].id
        )
    ).one()
    form = {"q_how": "0", "q_listen": "3", "q_change": "Hold forum meetings in the evening"}
    submit_invitation(invitation, form, now=launched + timedelta(hours=3))
    return consultation


def load_draft() -> Consultation:
    """Leave a draft for trying the builder."""
    consultation, _ = import_definition(dict(DRAFT))
    return consultation
