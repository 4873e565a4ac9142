"""Events answer as surveys do: 303 after a change, 422 for bad input, 409 when the state refuses, 404."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from app.models.base import utcnow
from consultations.events.models import Booking, Event
from consultations.events.register import add_walk_in
from tests.conftest import signed_in
from tests.consultations.events.conftest import local


def audit() -> list[tuple[str, str, str | None]]:
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    return [(r.action, r.target_id, r.actor_email) for r in rows]


def test_creating_editing_closing_and_reopening_are_audited(app, make_user):
    user = make_user("staff")
    client = signed_in(app, user)
    start = utcnow() - timedelta(hours=1)
    form = {
        "title": "Coffee morning", "slug": "coffee", "activity": "Coffee morning", "new_activity": "on",
        "starts_at": local(start)[:16], "ends_at": local(start + timedelta(hours=2))[:16], "capacity": "10",
    }  # fmt: skip
    bad = client.post("/events/new", data={**form, "capacity": "lots"})
    assert bad.status_code == 422 and audit() == []
    created = client.post("/events/new", data=form)
    event = db.session.scalar(select(Event))
    assert created.status_code == 303 and created.location.endswith(f"/events/{event.id}")
    edited = client.post(f"/events/{event.id}/edit", data={**form, "capacity": "12"})
    assert edited.status_code == 303
    closed = client.post(f"/events/{event.id}/register/close")
    assert closed.status_code == 303
    assert client.post(f"/events/{event.id}/register/reopen").status_code == 303
    assert audit() == [
        ("event.created", str(event.id), user.email),
        ("event.updated", str(event.id), user.email),
        ("event.register_closed", str(event.id), user.email),
        ("event.register_reopened", str(event.id), user.email),
    ]


def test_the_register_refuses_changes_its_state_forbids_with_409(app, staff_client, live_event):
    upcoming = live_event(slug="later", days=3, sms_keyword="LATER")
    early = staff_client.post(f"/events/{upcoming.id}/register/close")
    assert early.status_code == 409 and b"the register can be closed once it has started" in early.data
    started = live_event(slug="now", days=-0.05, sms_keyword="NOW")
    booking = add_walk_in(started, first_name="Ann", last_name="Lee", now=utcnow())
    db.session.commit()
    assert staff_client.post(f"/events/{started.id}/register/close").status_code == 303
    tick = staff_client.post(f"/events/{started.id}/register/{booking.id}", data={"attended": "1"})
    assert tick.status_code == 409 and b"The register is closed" in tick.data
    db.session.refresh(booking)
    assert booking.attended
    assert staff_client.post(f"/events/{started.id}/register/reopen").status_code == 303
    typo = staff_client.post(
        f"/events/{started.id}/register/walk-in", data={"first_name": "A", "places": "x"}
    )
    assert typo.status_code == 422 and b"Places must be from 1 to 50" in typo.data
    count = staff_client.post(f"/events/{started.id}/register/online", data={"online_viewers": "many"})
    assert count.status_code == 422 and b"whole number" in count.data
    assert staff_client.post(f"/events/{upcoming.id}/register/{booking.id}").status_code == 404


def test_cancelling_twice_and_booking_a_full_event_are_refused_with_409(app, staff_client, live_event):
    event = live_event(capacity=1, waitlist=False)
    first = staff_client.post(
        f"/events/{event.id}/bookings", data={"who": "guest", "name": "Ann", "email": "ann@example.org"}
    )
    assert first.status_code == 303
    full = staff_client.post(
        f"/events/{event.id}/bookings", data={"who": "guest", "name": "Bob", "email": "bob@example.org"}
    )
    assert full.status_code == 409 and b"The event is full and has no waiting list" in full.data
    booking = db.session.scalar(select(Booking))
    path = f"/events/{event.id}/bookings/{booking.id}/cancel"
    assert staff_client.post(path).status_code == 303
    again = staff_client.post(path)
    assert again.status_code == 409 and b"already cancelled" in again.data
    other = live_event(slug="other", sms_keyword="OTH")
    assert staff_client.post(f"/events/{other.id}/bookings/{booking.id}/cancel").status_code == 404


def test_public_cancel_of_a_cancelled_booking_is_409(app, client, live_event):
    live_event()
    made = client.post("/e/big-get-together", data={"name": "Ann", "email": "ann@example.org"})
    assert made.status_code == 303
    token = made.location.split("/booking/")[1].split("?")[0]
    assert client.post(f"/e/big-get-together/cancel/{token}").status_code == 303
    again = client.post(f"/e/big-get-together/cancel/{token}")
    assert again.status_code == 409 and b"already cancelled" in again.data
    assert client.get("/e/big-get-together/cancel/nope").status_code == 404
    assert b"could not find that event" in client.get("/e/no-such-event/calendar.ics").data


def test_invitations_after_the_start_are_409_and_a_missing_channel_is_422(app, staff_client, live_event):
    started = live_event(days=-0.05)
    late = staff_client.post(f"/events/{started.id}/invite", data={"channel_sms": "on"})
    assert late.status_code == 409 and b"invitations can no longer be sent" in late.data
    upcoming = live_event(slug="later", days=3, sms_keyword="LATER")
    none = staff_client.post(f"/events/{upcoming.id}/invite", data={})
    assert none.status_code == 422 and b"Choose at least one channel" in none.data
