"""Booking services: places, the waiting list, promotion, double booking and the booking window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from consultations.events.models import Booking, Event
from consultations.events.services import BookingError, BookingRequest, book, booking_by_token, cancel
from tests.consultations import factories
from tests.consultations.events.conftest import NOW, outbox


def guest(phone: str = "", email: str = "", places: int = 1, name: str = "Sam Guest") -> BookingRequest:
    return BookingRequest(customer=None, name=name, phone=phone or None, email=email or None, places=places)


def test_booking_takes_places_and_confirms_by_email_with_cancel_link(app, make_event):
    event = make_event(capacity=5)
    outcome = book(event, guest(email="sam@example.org", places=2), now=NOW)
    db.session.commit()
    assert outcome.status == "booked"
    assert db.session.get(Event, event.id).places_taken == 2
    [message] = outbox(f"event:{event.id}")
    assert message.channel == "email" and message.to_address == "sam@example.org"
    assert message.purpose == "confirmation" and message.ref == f"booking:{outcome.booking.id}"
    assert message.activity_id == event.activity_id
    assert f"/e/{event.slug}/booking/{outcome.token}" in message.body
    assert f"/e/{event.slug}/calendar.ics" in message.body
    # Only a hash of the token is stored, and it finds the booking.
    assert outcome.booking.token_hash != outcome.token
    assert booking_by_token(event, outcome.token).id == outcome.booking.id
    assert booking_by_token(event, outcome.token + "x") is None


def test_customer_matched_by_phone_is_told_by_text_and_cannot_book_twice(app, make_event):
    event = make_event()
    customer = factories.sms_customer("+447912345678")
    req = BookingRequest(customer=customer, phone=customer.phone, notify_channel="sms")
    first = book(event, req, now=NOW)
    again = book(event, req, now=NOW)
    db.session.commit()
    assert first.status == "booked" and again.status == "already"
    assert again.booking.id == first.booking.id
    assert db.session.get(Event, event.id).places_taken == 1
    [message] = outbox(f"event:{event.id}")
    assert message.channel == "sms" and message.to_address == "+447912345678"
    assert "You're booked for The Big Get Together" in message.body and "CANCEL BGT" in message.body


def test_full_event_fills_the_waiting_list_and_a_cancellation_promotes_the_first(app, make_event):
    event = make_event(capacity=2)
    a = book(event, guest(email="a@example.org", places=2), now=NOW)
    w1 = book(event, guest(phone="+447912345601", name="First Waiting"), now=NOW + timedelta(minutes=1))
    w2 = book(event, guest(phone="+447912345602", name="Second Waiting"), now=NOW + timedelta(minutes=2))
    db.session.commit()
    assert (a.status, w1.status, w2.status) == ("booked", "waiting", "waiting")
    assert (w1.position, w2.position) == (1, 2)
    assert "waiting list (number 2)" in outbox(f"event:{event.id}", to_address="+447912345602")[0].body

    promoted = cancel(a.booking, now=NOW + timedelta(hours=1))
    db.session.commit()
    # Two places came free: both people waiting move up, first come first served.
    assert [b.id for b in promoted] == [w1.booking.id, w2.booking.id]
    assert db.session.get(Event, event.id).places_taken == 2
    told = outbox(f"event:{event.id}", to_address="+447912345601")
    assert told[-1].body.startswith("Good news: a place came up")
    assert outbox(f"event:{event.id}", to_address="a@example.org")[-1].subject.startswith("Cancelled")


def test_promotion_is_strictly_in_order(app, make_event):
    event = make_event(capacity=2)
    one = book(event, guest(email="one@example.org"), now=NOW)
    book(event, guest(email="two@example.org"), now=NOW)
    big = book(event, guest(email="big@example.org", places=2), now=NOW)
    small = book(event, guest(email="small@example.org"), now=NOW)
    db.session.commit()
    # One place frees; the head of the list needs two, so nobody jumps the queue.
    assert cancel(one.booking, now=NOW) == []
    db.session.commit()
    assert db.session.get(Booking, big.booking.id).status == "waiting"
    assert db.session.get(Booking, small.booking.id).status == "waiting"
    assert db.session.get(Event, event.id).places_left == 1


def test_no_waiting_list_means_full(app, make_event):
    event = make_event(capacity=1, waitlist=False)
    assert book(event, guest(email="a@example.org"), now=NOW).status == "booked"
    outcome = book(event, guest(email="b@example.org"), now=NOW)
    assert outcome.status == "full" and outcome.booking is None
    assert db.session.scalar(select(Booking).where(Booking.email == "b@example.org")) is None


def test_booking_window(app, make_event):
    event = make_event(opens_at="2030-06-05T09:00:00", closes_at="2030-06-08T12:00:00")
    assert book(event, guest(email="a@example.org"), now=NOW).status == "not_open"
    assert book(event, guest(email="a@example.org"), now=NOW + timedelta(days=8)).status == "closed"
    assert book(event, guest(email="a@example.org"), now=NOW + timedelta(days=5)).status == "booked"


def test_bad_requests_are_refused_with_a_reason(app, make_event):
    event = make_event(max_places=3)
    with pytest.raises(BookingError, match="1 to 3 places"):
        book(event, guest(email="a@example.org", places=4), now=NOW)
    with pytest.raises(BookingError, match="phone number or an email"):
        book(event, BookingRequest(customer=None, name="Nobody"), now=NOW)
    assert db.session.scalar(select(Booking)) is None


def test_cancelling_twice_changes_nothing(app, make_event):
    event = make_event(capacity=3)
    outcome = book(event, guest(email="a@example.org", places=2), now=NOW)
    cancel(outcome.booking, now=NOW)
    cancel(outcome.booking, now=NOW)
    db.session.commit()
    assert db.session.get(Event, event.id).places_taken == 0


def test_more_capacity_promotes_people_waiting(app, make_event):
    from consultations.events.definitions import event_to_definition, save_definition

    event = make_event(capacity=1)
    book(event, guest(email="a@example.org"), now=NOW)
    waiting = book(event, guest(email="b@example.org"), now=NOW)
    db.session.commit()
    data = event_to_definition(event) | {"capacity": 2}
    save_definition(data, now=NOW)
    db.session.commit()
    assert db.session.get(Booking, waiting.booking.id).status == "booked"
    assert outbox(to_address="b@example.org")[-1].subject.startswith("You have a place")
