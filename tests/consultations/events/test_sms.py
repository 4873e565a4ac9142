"""Booking by text: JOIN and CANCEL in any case and spacing, unknown keywords, guests by phone."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from consultations.events.keywords import parse
from consultations.events.models import Booking, Event
from messaging.inbound import receive_sms
from messaging.models import InboundMessage
from tests.consultations import factories
from tests.consultations.events.conftest import NOW, outbox
from tests.fakes.twilio_sign import signed_sms_post

_sids = itertools.count(1)
TO = "+441332000111"


def text(from_: str, body: str, now=NOW) -> list[str]:
    replies = receive_sms(from_, TO, body, f"SMtest{next(_sids)}", now=now)
    db.session.commit()
    return replies


@pytest.mark.parametrize(
    ("body", "verb", "keyword", "places"),
    [("JOIN BGT", "JOIN", "BGT", 1), ("join bgt", "JOIN", "BGT", 1), ("  Join   Bgt  ", "JOIN", "BGT", 1),
     ("JOIN BGT 3", "JOIN", "BGT", 3), ("cancel bgt.", "CANCEL", "BGT", 1), ("JOIN", "JOIN", "", 1)],
)  # fmt: skip
def test_parse_reads_booking_texts(app, body, verb, keyword, places):
    parsed = parse(body)
    assert (parsed.verb, parsed.keyword, parsed.places) == (verb, keyword, places)


@pytest.mark.parametrize(
    "body", ["4", "Hello there", "joiner", "Cancel my repair appointment on Tuesday please"]
)
def test_parse_leaves_other_texts_alone(app, body):
    assert parse(body) is None


def test_join_books_a_customer_and_cancel_frees_the_place(app, make_event):
    event = make_event(capacity=5)
    customer = factories.sms_customer("+447912345678", first_name="Jo")
    [reply] = text("+447912345678", "join  bgt")
    assert reply.startswith("You're booked for The Big Get Together")
    booking = db.session.scalar(select(Booking).where(Booking.event_id == event.id))
    assert booking.customer_id == customer.id and booking.source == "sms" and booking.notify_channel == "sms"
    inbound = db.session.scalar(select(InboundMessage).order_by(InboundMessage.id.desc()))
    assert inbound.handled_by == f"event:{event.id}"
    assert outbox(f"event:{event.id}")[-1].body == reply

    [again] = text("+447912345678", "JOIN BGT")
    assert "already booked" in again

    [cancelled] = text("+447912345678", "Cancel BGT")
    assert "cancelled" in cancelled
    db.session.expire_all()
    assert db.session.get(Event, event.id).places_taken == 0
    assert db.session.get(Booking, booking.id).status == "cancelled"


def test_unknown_number_books_as_a_guest_with_the_phone(app, make_event):
    event = make_event()
    [reply] = text("+447912345699", "JOIN BGT 2")
    assert "2 places" in reply
    booking = db.session.scalar(select(Booking).where(Booking.event_id == event.id))
    assert booking.customer_id is None and booking.phone == "+447912345699" and booking.places == 2


def test_unknown_keyword_lists_the_open_events(app, make_event):
    make_event()
    make_event(slug="past-event", sms_keyword="OLD", days=-3)
    [reply] = text("+447912345698", "JOIN XYZ")
    assert "no event called XYZ" in reply and "BGT (The Big Get Together" in reply
    assert "OLD" not in reply
    [bare] = text("+447912345698", "join")
    assert "BGT" in bare


def test_waiting_list_by_text_and_promotion_by_text(app, make_event):
    event = make_event(capacity=1)
    text("+447912345601", "JOIN BGT")
    [waiting] = text("+447912345602", "JOIN BGT")
    assert "waiting list (number 1)" in waiting
    text("+447912345601", "CANCEL BGT", now=NOW + timedelta(hours=1))
    told = outbox(f"event:{event.id}", to_address="+447912345602")
    assert told[-1].body.startswith("Good news: a place came up")
    assert told[-1].purpose == "confirmation"


def test_cancel_without_a_booking_says_so(app, make_event):
    make_event()
    [reply] = text("+447912345603", "CANCEL BGT")
    assert "couldn't find a booking" in reply


def test_closed_event_by_text(app, make_event):
    make_event(closes_at="2030-05-30T12:00:00")
    [reply] = text("+447912345604", "JOIN BGT")
    assert "has closed" in reply


def test_signed_webhook_books_and_replies(app, client, make_event):
    from app.models.base import utcnow

    event = make_event(base=utcnow())
    response = signed_sms_post(client, app, "+447912345605", "Join Bgt")
    assert response.status_code == 200
    assert b"booked for The Big Get Together" in response.data or outbox(f"event:{event.id}")
    booking = db.session.scalar(select(Booking).where(Booking.event_id == event.id))
    assert booking.phone == "+447912345605" and booking.status == "booked"
    assert outbox(f"event:{event.id}")[-1].body.startswith("You're booked")
