"""Booking confirmation emails carry the event's .ics, sent by flask-mail to a loopback SMTP server."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from icalendar import Calendar

from app.extensions import db
from consultations.events.services import BookingRequest, book, cancel
from messaging.api import dispatch_due
from tests.consultations.events.conftest import NOW, outbox


@pytest.fixture
def app_config(smtp_config: dict[str, Any]) -> dict[str, Any]:
    return smtp_config


def guest(email: str = "", phone: str = "") -> BookingRequest:
    return BookingRequest(customer=None, name="Sam Guest", email=email or None, phone=phone or None)


def calendar_parts(message: EmailMessage) -> list[EmailMessage]:
    return [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]


def test_confirmation_email_carries_an_ics_that_parses(app, make_event, smtp_server) -> None:
    event = make_event(slug="summer-fair", starts_at="2030-07-05T11:00:00", ends_at="2030-07-05T15:00:00")
    outcome = book(event, guest(email="sam@example.org"), now=NOW)
    db.session.commit()
    assert dispatch_due(now=NOW).sent == 1

    [received] = smtp_server.messages
    assert received["Subject"] == "Booked: The Big Get Together"
    # The letter itself is still there, with the cancel link.
    assert f"/e/summer-fair/booking/{outcome.token}" in received.get_body(("plain",)).get_content()
    [part] = calendar_parts(received)
    assert part.get_filename() == "summer-fair.ics"
    assert part.get_param("method") == "PUBLISH"
    assert part.get_content_disposition() == "attachment"
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    assert str(calendar["method"]) == "PUBLISH"
    [entry] = list(calendar.walk("VEVENT"))
    assert str(entry["summary"]) == "The Big Get Together"
    assert entry.decoded("dtstart") == event.starts_at  # 10:00 UTC, 11:00 in London in July
    assert entry.decoded("dtend") == event.ends_at
    assert str(entry["location"]) == "Derby Assembly Rooms"
    assert str(entry["uid"]) == f"event-{event.id}@involve.test"


def test_waiting_list_has_no_invite_until_a_place_comes_up(app, make_event, smtp_server) -> None:
    event = make_event(capacity=1)
    first = book(event, guest(email="first@example.org"), now=NOW)
    book(event, guest(email="waiting@example.org"), now=NOW + timedelta(minutes=1))
    db.session.commit()
    dispatch_due(now=NOW + timedelta(minutes=2))
    by_address = {m["To"]: m for m in smtp_server.messages}
    assert calendar_parts(by_address["first@example.org"])
    assert calendar_parts(by_address["waiting@example.org"]) == []

    cancel(first.booking, now=NOW + timedelta(hours=1))
    db.session.commit()
    dispatch_due(now=NOW + timedelta(hours=1))
    promoted = [m for m in smtp_server.messages if m["Subject"].startswith("You have a place")]
    assert [m["To"] for m in promoted] == ["waiting@example.org"]
    [part] = calendar_parts(promoted[0])
    assert Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    cancelled = [m for m in smtp_server.messages if m["Subject"].startswith("Cancelled")]
    assert len(cancelled) == 1 and calendar_parts(cancelled[0]) == []


def test_text_confirmations_carry_nothing(app, make_event) -> None:
    event = make_event()
    book(event, guest(phone="+447912345678"), now=NOW)
    db.session.commit()
    [message] = outbox(f"event:{event.id}")
    assert message.channel == "sms" and message.attachments is None
