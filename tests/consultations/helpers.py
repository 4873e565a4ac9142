"""Shared set-up for consultation tests: a definition, a launched consultation, texting in."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from consultations.surveys.definitions import import_definition
from consultations.surveys.models import Consultation
from messaging.inbound import receive_sms
from messaging.models import OutboundMessage

NOW = datetime(2011, 6, 1, 10, 0, tzinfo=UTC)
_sids = itertools.count(1)


def definition(**overrides: Any) -> dict[str, Any]:
    """Return an example consultation definition with three questions."""
    data: dict[str, Any] = {
        "slug": "newsletter-2011",
        "title": "Derwent Life readership",
        "activity": "Derwent Life newsletter",
        "channels": ["sms", "email"],
        "audience": {"consented_only": True},
        "intro": "Hi {first_name}, 3 quick questions about our newsletter.",
        "thanks": "Thank you!",
        "closes_at": "2011-06-30T17:00:00",
        "reminder_after_hours": 72,
        "max_reminders": 1,
        "minutes_per_response": 2,
        "questions": [
            {"key": "reads", "text": "Do you read Derwent Life?", "type": "choice", "options": ["Yes", "No"]},
            {"key": "score", "text": "How useful is it, 1 to 5?", "type": "scale", "min": 1, "max": 5},
            {"key": "comments", "text": "Anything to add?", "type": "text", "required": False},
        ],
    }
    data.update(overrides)
    return data


def make_consultation(**overrides: Any) -> Consultation:
    """Import a definition and commit it."""
    consultation, _ = import_definition(definition(**overrides))
    db.session.commit()
    return consultation


def text_in(phone: str, body: str, *, now: datetime = NOW, sid: str | None = None) -> list[str]:
    """Receive a text as the webhook and simulator do; commit; return the replies."""
    replies = receive_sms(phone, "+441332000111", body, sid or f"SM{next(_sids):032d}", now=now)
    db.session.commit()
    return replies


def sent_to(address: str) -> list[OutboundMessage]:
    """Return the messages queued to an address, oldest first."""
    return list(
        db.session.scalars(
            select(OutboundMessage).where(OutboundMessage.to_address == address).order_by(OutboundMessage.id)
        )
    )
