"""Staff book for someone who phones in: by ref, phone or email, or as a guest, under the same rules."""

from __future__ import annotations

import html

from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent
from consultations.events.models import Booking
from messaging.suppression import suppress
from tests.consultations import factories
from tests.consultations.events.conftest import outbox

PHONE = "+447911123401"


def _post(client: FlaskClient, event_id: int, **form: str) -> tuple[int, str]:
    response = client.post(f"/events/{event_id}/bookings", data=form, follow_redirects=True)
    return response.status_code, html.unescape(response.get_data(as_text=True))


def _bookings() -> list[Booking]:
    return list(db.session.scalars(select(Booking).order_by(Booking.id)))


def test_book_a_customer_by_reference_with_a_text_confirmation(app, staff_client, live_event):
    event = live_event()
    ann = factories.customer(first_name="Ann", last_name="Jones", phone=PHONE, email="ann@example.org")
    db.session.commit()
    status, page = _post(
        staff_client, event.id, who="customer", ref=ann.ref.lower(), places="2", notify="auto"
    )
    assert status == 200
    assert "Booked 2 places for Ann Jones. Confirmation sent by text." in page
    [booking] = _bookings()
    assert (booking.customer_id, booking.places, booking.status, booking.source) == (
        ann.id,
        2,
        "booked",
        "phone",
    )
    [text] = outbox(f"event:{event.id}")
    assert text.channel == "sms" and text.to_address == PHONE and "You're booked for" in text.body
    assert "(2 places)" in text.body


def test_book_a_customer_found_by_email_confirmed_by_email(app, staff_client, live_event):
    event = live_event()
    ann = factories.customer(first_name="Ann", last_name="Jones", phone=PHONE, email="ann@example.org")
    db.session.commit()
    # Found by email: staff are shown the match and choose it; nothing is booked until they do.
    _, page = _post(staff_client, event.id, email="ANN@example.org", notify="email")
    assert "Choose the caller from the customers who match" in page and ann.ref in page
    assert _bookings() == []
    _, page = _post(staff_client, event.id, email="ANN@example.org", notify="email", customer_id=str(ann.id))
    assert "Booked 1 place for Ann Jones. Confirmation sent by email." in page
    assert _bookings()[0].customer_id == ann.id
    [mail] = outbox(f"event:{event.id}")
    assert (mail.channel, mail.to_address, mail.subject) == (
        "email",
        "ann@example.org",
        f"Booked: {event.title}",
    )


def test_book_a_guest_and_the_full_event_puts_the_next_caller_on_the_waiting_list(
    app, staff_client, live_event
):
    event = live_event(capacity=3)
    ann = factories.customer(first_name="Ann", last_name="Jones", phone=PHONE)
    db.session.commit()
    _, page = _post(staff_client, event.id, who="guest", name="Sam Guest", phone="07911 123402", places="3")
    assert "Booked 3 places for Sam Guest. Confirmation sent by text." in page
    assert "The event is full: a new booking joins the waiting list." in page
    _, page = _post(staff_client, event.id, ref=ann.ref)
    assert "The event is full: Ann Jones is number 1 on the waiting list. Confirmation sent by text." in page
    guest, waiting = _bookings()
    assert (guest.customer_id, guest.name, guest.phone, guest.status) == (
        None,
        "Sam Guest",
        "+447911123402",
        "booked",
    )
    assert (waiting.customer_id, waiting.status, waiting.booked_at) == (ann.id, "waiting", None)
    db.session.refresh(event)
    assert event.places_taken == 3  # capacity is never exceeded
    texts = outbox(f"event:{event.id}", to_address=PHONE)
    assert len(texts) == 1 and "waiting list (number 1)" in texts[0].body
    # Booking again for someone already waiting changes nothing.
    _, page = _post(staff_client, event.id, ref=ann.ref)
    assert "Ann Jones is already number 1 on the waiting list; nothing changed." in page
    assert len(_bookings()) == 2
    # The guest cancels by phone: their places go to the first person waiting, who is told.
    staff_client.post(f"/events/{event.id}/bookings/{guest.id}/cancel")
    db.session.expire_all()
    assert db.session.get(Booking, waiting.id).status == "booked"
    # Who cancelled it, and what it changed, is in the audit log.
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "event.booking_cancelled")).one()
    assert (audit.target_type, audit.target_id, audit.actor_email != "") == ("booking", str(guest.id), True)
    assert audit.detail == {"event_id": event.id, "was": "booked", "promoted": [waiting.id]}
    assert "a place came up" in outbox(f"event:{event.id}", to_address=PHONE)[-1].body


def test_a_full_event_without_a_waiting_list_books_nobody(app, staff_client, live_event):
    event = live_event(capacity=1, waitlist=False)
    first = factories.customer(first_name="Ann", last_name="Jones", phone=PHONE)
    second = factories.customer(first_name="Bob", last_name="Smith", phone="+447911123402")
    db.session.commit()
    _post(staff_client, event.id, ref=first.ref)
    # The page no longer offers the form, and a posted booking is refused.
    page = html.unescape(staff_client.get(f"/events/{event.id}").get_data(as_text=True))
    assert "The event is full and has no waiting list." in page
    _, page = _post(staff_client, event.id, ref=second.ref)
    assert "The event is full and has no waiting list; nothing was booked." in page
    assert [b.customer_id for b in _bookings()] == [first.id]


def test_mistakes_are_shown_beside_the_form_and_nothing_is_written(app, staff_client, live_event):
    event = live_event()
    factories.customer(first_name="Ann", last_name="Jones", email="ann@example.org")
    db.session.commit()
    cases = [
        (
            {"who": "customer"},
            "Enter the customer's reference, or their name with a phone number or email address.",
        ),
        ({"who": "customer", "ref": "NOPE1"}, "No customer on the register matches those details."),
        ({"who": "customer", "phone": "12"}, "Enter a phone number we can text"),
        ({"who": "guest", "phone": PHONE}, "Enter the guest's name."),
        (
            {"who": "guest", "name": "Sam"},
            "Enter a phone number or an email address so we can confirm the place.",
        ),
        ({"who": "guest", "name": "Sam", "email": "sam@example.org", "places": "7"}, "from 1 to 6"),
        (
            {"email": "ann@example.org", "notify": "sms"},
            "There is no mobile number to text the confirmation to.",
        ),
    ]
    for form, message in cases:
        response = staff_client.post(f"/events/{event.id}/bookings", data=form)
        body = html.unescape(response.get_data(as_text=True))
        assert response.status_code == 422, form
        assert message in body, form
        assert 'aria-invalid="true"' in body and '<details id="phone-booking" open>' in body
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
    assert outbox() == []


def test_no_confirmation_to_an_address_that_opted_out_or_when_staff_say_so(app, staff_client, live_event):
    event = live_event()
    ann = factories.customer(first_name="Ann", last_name="Jones", phone=PHONE)
    bob = factories.customer(first_name="Bob", last_name="Smith", email="bob@example.org")
    suppress("sms", PHONE, "opt-out:STOP", now=event.created_at, opt_out=True)
    db.session.commit()
    _, page = _post(staff_client, event.id, ref=ann.ref)
    assert "Booked 1 place for Ann Jones. No confirmation was sent." in page
    _, page = _post(staff_client, event.id, ref=bob.ref, notify="none")
    assert "Booked 1 place for Bob Smith. No confirmation was sent." in page
    assert outbox() == []
    assert [b.status for b in _bookings()] == ["booked", "booked"]


def test_booking_for_a_caller_needs_a_staff_login(app, client, live_event):
    event = live_event()
    response = client.post(f"/events/{event.id}/bookings", data={"who": "guest", "name": "X", "phone": PHONE})
    assert response.status_code in (303, 401)
    assert _bookings() == []
