"""Pages for the accessibility checks: an open survey, a closed one, an open event and a full one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from consultations.events.definitions import save_definition
from consultations.events.services import BookingRequest, book
from consultations.surveys.definitions import import_definition
from consultations.surveys.launch import launch
from messaging.models import OutboundMessage
from messaging.unsubscribe import token_for
from tests.consultations import factories

QUESTIONS = [
    {"key": "reads", "text": "Do you read Derwent Life?", "type": "choice", "options": ["Yes", "No"]},
    {"key": "score", "text": "How useful is it, 1 to 5?", "type": "scale", "min": 1, "max": 5},
    {"key": "comments", "text": "Anything to add?", "type": "text", "required": False},
]


@dataclass
class PublicSite:
    survey: str
    unsubscribe: str


def _event(slug: str, capacity: int, waitlist: bool) -> None:
    start = (utcnow() + timedelta(days=10)).replace(tzinfo=None, microsecond=0, second=0)
    save_definition(
        {"slug": slug, "title": f"Event {slug}", "activity": f"Event {slug}", "capacity": capacity,
         "waitlist": waitlist, "venue": "Derby Assembly Rooms", "starts_at": start.isoformat(),
         "ends_at": (start + timedelta(hours=2)).isoformat()},
        now=utcnow(),
    )  # fmt: skip


@pytest.fixture
def public_site(app: Flask) -> PublicSite:
    """Open and closed surveys, an open and a full event, and an unsubscribe link."""
    now = utcnow()
    factories.email_customer("ann@example.org", ref="DL0001", first_name="Ann")
    common = {
        "channels": ["email"],
        "web_link": True,
        "audience": {"consented_only": True},
        "questions": QUESTIONS,
    }
    survey, _ = import_definition(
        {"slug": "open-survey", "title": "Derwent Life", "activity": "Survey", **common}
    )
    import_definition({"slug": "closed-survey", "title": "Old survey", "activity": "Old survey",
                       "closes_at": "2011-06-30T17:00:00", **common})  # fmt: skip
    launch(survey, now=now)
    _event("open-event", 5, True)
    _event("full-event", 1, False)
    db.session.flush()
    from consultations.events.models import Event

    full = db.session.scalar(select(Event).where(Event.slug == "full-event"))
    assert full is not None
    book(full, BookingRequest(customer=None, name="Sam", phone=None, email="sam@example.org", places=1,
                              source="web", notify_channel="email"), now=now)  # fmt: skip
    db.session.commit()
    link = re.search(r"/s/[\w-]+", db.session.scalar(select(OutboundMessage.body)) or "")
    assert link is not None
    return PublicSite(link.group(0), "/u/" + token_for("ann@example.org"))
