"""Probe: a line break in a title or name never becomes a mail header (refused at input, folded at build)."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_string

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from consultations.events.definitions import DefinitionError, save_definition
from consultations.events.models import Event
from consultations.events.services import BookingRequest, book
from consultations.surveys.definitions import DefinitionError as SurveyDefinitionError
from consultations.surveys.definitions import import_definition
from messaging.api import dispatch_due
from messaging.models import DevEmail, OutboundMessage
from tests.consultations.events.conftest import local

POISON = "Party\r\nBcc: x@evil.example"


def _event_data(title: str, **extra: object) -> dict[str, object]:
    start = utcnow() + timedelta(days=20)
    return {
        "slug": "party", "title": title, "activity": "Tenants' forum", "venue": "Hall", "capacity": 30,
        "starts_at": local(start)[:16], "ends_at": local(start + timedelta(hours=2))[:16], **extra,
    }  # fmt: skip


def test_event_definition_refuses_a_title_on_two_lines(app) -> None:
    with pytest.raises(DefinitionError) as caught:
        save_definition(_event_data(POISON), now=utcnow())
    assert "The title must be on one line." in caught.value.errors
    with pytest.raises(DefinitionError) as caught:
        save_definition(_event_data("Party", venue="Hall\nBcc: x@evil.example"), now=utcnow())
    assert "The venue must be on one line." in caught.value.errors
    assert db.session.scalar(select(Event)) is None


def test_staff_event_form_shows_the_error_and_saves_nothing(app, staff_client) -> None:
    form = {k: str(v) for k, v in _event_data(POISON).items()} | {"new_activity": "on"}
    response = staff_client.post("/events/new", data=form)
    assert response.status_code == 422
    assert "The title must be on one line." in response.get_data(as_text=True)
    assert db.session.scalar(select(Event)) is None


def test_survey_definition_refuses_a_title_on_two_lines(app) -> None:
    data = {
        "slug": "repairs", "title": "Repairs\nBcc: x@evil.example", "activity": "Repairs survey",
        "channels": ["email"], "questions": [{"key": "q1", "text": "How did we do?", "type": "text"}],
    }  # fmt: skip
    with pytest.raises(SurveyDefinitionError) as caught:
        import_definition(data)
    assert "The title must be on one line." in caught.value.errors


def test_stored_poisoned_title_never_puts_a_bcc_in_the_confirmation(app) -> None:
    now = utcnow()
    event, _ = save_definition(_event_data("Party"), now=now)
    # A row saved before the input check: the mail builder must still fold the line break.
    event.title = POISON
    db.session.flush()
    book(event, BookingRequest(customer=None, name="Ann", phone=None, email="ann@example.org", places=1,
                               source="web", notify_channel="email"), now=now)  # fmt: skip
    db.session.commit()
    queued = db.session.scalars(select(OutboundMessage).where(OutboundMessage.channel == "email")).all()
    assert queued and any("\n" in (m.subject or "") for m in queued)
    report = dispatch_due(now=now + timedelta(minutes=1))
    assert report.sent == len(queued)
    stored = db.session.scalars(select(DevEmail)).all()
    assert len(stored) == len(queued)
    for item in stored:
        parsed = message_from_string(item.raw)
        head = item.raw.replace("\r\n", "\n").split("\n\n", 1)[0]
        assert parsed["Bcc"] is None and "\nBcc:" not in head
        assert "\r" not in parsed["Subject"] and "\n" not in parsed["Subject"].replace("\n ", " ")
        assert "Bcc: x@evil.example" in " ".join(parsed["Subject"].split())
        assert parsed.get_all("To") == ["ann@example.org"]
