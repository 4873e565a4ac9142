"""The public booking page: book, confirm, cancel; full, waiting-list, closed, not-open and unknown states."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from consultations.events.models import Booking, Event
from tests.consultations import factories
from tests.consultations.events.conftest import local, outbox


def test_guest_books_sees_confirmation_and_cancels(app, client, live_event):
    event = live_event(capacity=3)
    page = client.get(f"/e/{event.slug}")
    assert page.status_code == 200 and b"3</strong> places left" in page.data
    response = client.post(
        f"/e/{event.slug}",
        data={"name": "Sam Guest", "email": "Sam@Example.org", "places": "2", "notify": "email"},
    )
    assert response.status_code == 303
    confirmation = client.get(response.headers["Location"])
    assert b"Thank you, you are booked." in confirmation.data and b"2 places" in confirmation.data
    assert f"/e/{event.slug}/calendar.ics".encode() in confirmation.data
    [email] = outbox(f"event:{event.id}")
    assert email.to_address == "sam@example.org"
    token = re.search(r"/booking/([\w-]+)", response.headers["Location"]).group(1)
    cancel_url = f"/e/{event.slug}/cancel/{token}"
    assert b"Yes, cancel my booking" in client.get(cancel_url).data
    after = client.post(cancel_url)
    assert after.status_code == 303
    assert b"This booking is cancelled" in client.get(after.headers["Location"]).data
    assert db.session.get(Event, event.id).places_taken == 0


def test_customer_books_by_reference_with_a_second_detail(app, client, live_event):
    event = live_event()
    customer = factories.customer(ref="DL0001", phone="+447912345620", first_name="Ann", last_name="Hill")
    alone = client.post(f"/e/{event.slug}", data={"ref": "dl0001", "places": "1"})
    assert alone.status_code == 422 and db.session.scalar(select(Booking)) is None
    response = client.post(f"/e/{event.slug}", data={"ref": "dl0001", "check": "hill", "places": "1"})
    assert response.status_code == 303
    booking = db.session.scalar(select(Booking))
    assert booking.customer_id == customer.id and booking.notify_channel == "sms"
    # The booking keeps only what was typed; the confirmation still reaches the phone on file.
    assert booking.phone is None and booking.name == "" and booking.address == "+447912345620"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ann" not in page and "Hill" not in page and "345620" not in page
    again = client.post(f"/e/{event.slug}", data={"ref": "DL0001", "phone": "07912 345620", "places": "1"})
    assert again.status_code == 409 and b"already booked" in again.data


def test_errors_are_summarised_and_linked_to_fields(app, client, live_event):
    event = live_event(max_places=4)
    response = client.post(f"/e/{event.slug}", data={"ref": "", "name": "", "phone": "12", "places": "9"})
    assert response.status_code == 422
    html = response.data.decode()
    assert "There is a problem" in html
    assert 'href="#f-places"' in html and "from 1 to 4" in html
    assert 'href="#f-phone"' in html and 'aria-invalid="true"' in html
    assert db.session.scalar(select(Booking)) is None
    unknown_ref = client.post(f"/e/{event.slug}", data={"ref": "ZZZ", "places": "1"})
    assert b"could not match that customer reference" in unknown_ref.data


def test_full_event_offers_the_waiting_list_or_says_full(app, client, live_event):
    event = live_event(capacity=1)
    client.post(f"/e/{event.slug}", data={"name": "A", "email": "a@example.org"})
    page = client.get(f"/e/{event.slug}")
    assert b"join the waiting list" in page.data
    response = client.post(f"/e/{event.slug}", data={"name": "B", "email": "b@example.org"})
    assert b"You are on the waiting list, number 1" in client.get(response.headers["Location"]).data

    closed = live_event(slug="no-list", capacity=1, waitlist=False, sms_keyword="NOLIST")
    client.post(f"/e/{closed.slug}", data={"name": "A", "email": "a@example.org"})
    full_page = client.get(f"/e/{closed.slug}")
    assert b"this event is full" in full_page.data and b"Book my place" not in full_page.data
    late = client.post(f"/e/{closed.slug}", data={"name": "C", "email": "c@example.org"})
    assert late.status_code == 409 and b"now full" in late.data


def test_closed_and_not_yet_open(app, client, live_event):
    now = utcnow()
    soon = live_event(slug="soon", sms_keyword="SOON", opens_at=local(now + timedelta(days=2)))
    page = client.get("/e/soon")
    assert b"Booking opens on" in page.data and b"Book my place" not in page.data
    assert client.post("/e/soon", data={"name": "A", "email": "a@example.org"}).status_code == 409
    live_event(slug="shut", sms_keyword="SHUT", closes_at=local(now - timedelta(hours=1)))
    assert b"Booking for this event has closed" in client.get("/e/shut").data
    assert db.session.scalar(select(Booking)) is None
    assert soon.id


def test_unknown_slug_and_token_explain_themselves(app, client, live_event):
    missing = client.get("/e/no-such-event")
    assert missing.status_code == 404 and b"could not find that event" in missing.data
    event = live_event()
    bad = client.get(f"/e/{event.slug}/cancel/not-a-token")
    assert bad.status_code == 404 and b"could not find that booking" in bad.data


def test_user_text_is_escaped(app, client, live_event):
    event = live_event()
    client.post(f"/e/{event.slug}", data={"name": "<script>x</script>", "email": "x@example.org"})
    token_page = client.get(
        client.post(f"/e/{event.slug}", data={"name": "<b>y</b>", "email": "y@example.org"}).headers[
            "Location"
        ]
    )
    assert b"<b>y</b>" not in token_page.data and b"&lt;b&gt;y&lt;/b&gt;" in token_page.data
