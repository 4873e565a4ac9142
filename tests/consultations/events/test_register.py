"""The attendance register: ticks, walk-ins, online viewers, and participation written exactly once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Customer, Participation
from consultations.events.register import (
    ChooseCustomer,
    RegisterError,
    add_walk_in,
    close_register,
    register_rows,
    reopen_register,
    set_attended,
    set_online_viewers,
)
from consultations.events.services import BookingRequest, book
from tests.consultations import factories
from tests.consultations.events.conftest import NOW

# The held event starts on 5 July 2030; its register closes after that.
AFTER = NOW + timedelta(days=40)


def ledger(event_id: int) -> dict[str, tuple]:
    rows = db.session.scalars(
        select(Participation).where(Participation.source_key.like(f"event:{event_id}:%"))
    )
    return {r.source_key: (r.customer_id, r.channel, r.headcount, r.hours, r.date) for r in rows}


@pytest.fixture
def held(app, make_event):
    """An event of 2.5 hours with two customers (one bringing a guest) and one guest booking."""
    event = make_event(starts_at="2030-07-05T18:00:00", ends_at="2030-07-05T20:30:00", capacity=20)
    ann = factories.customer(first_name="Ann", last_name="Jones", email="ann@example.org")
    bob = factories.customer(first_name="Bob", last_name="Khan", phone="+447912345610")
    bookings = {
        "ann": book(event, BookingRequest(customer=ann, email=ann.email, places=2), now=NOW).booking,
        "bob": book(event, BookingRequest(customer=bob, phone=bob.phone), now=NOW).booking,
        "guest": book(
            event, BookingRequest(customer=None, name="Gail", email="g@example.org", places=3), now=NOW
        ).booking,
    }
    db.session.commit()
    return event, ann, bob, bookings


def test_close_writes_one_row_per_attendee_guests_and_online(app, held):
    event, ann, _bob, bookings = held
    later = NOW + timedelta(days=34, hours=12)  # the evening of the event
    set_attended(bookings["ann"], True, now=later)
    set_attended(bookings["guest"], True, now=later)
    set_online_viewers(event, 40)
    summary = close_register(event, now=later)
    db.session.commit()
    assert summary == {"attendees": 1, "guests": 4, "online": 40, "removed": 0}
    hours = Decimal("2.5")
    day = date(2030, 7, 5)
    assert ledger(event.id) == {
        f"event:{event.id}:customer:{ann.id}": (ann.id, "event", 1, hours, day),
        # Ann's one guest and Gail's three places, none on the register.
        f"event:{event.id}:guests": (None, "event", 4, hours * 4, day),
        f"event:{event.id}:online": (None, "online", 40, hours * 40, day),
    }
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "event.register_closed"))
    assert audit.target_id == str(event.id) and audit.detail["attendees"] == 1


def test_reopen_and_close_again_never_doubles_and_removes_unticked(app, held):
    event, ann, _bob, bookings = held
    for booking in bookings.values():
        set_attended(booking, True, now=NOW)
    close_register(event, now=AFTER)
    db.session.commit()
    first = ledger(event.id)
    assert len(first) == 3  # ann, bob, guests

    with pytest.raises(RegisterError, match="Reopen"):
        set_attended(bookings["bob"], False, now=NOW)
    reopen_register(event, now=NOW)
    close_register(event, now=AFTER)
    db.session.commit()
    assert ledger(event.id) == first

    reopen_register(event, now=NOW)
    set_attended(bookings["bob"], False, now=NOW)
    set_attended(bookings["guest"], False, now=NOW)
    summary = close_register(event, now=AFTER)
    db.session.commit()
    keys = set(ledger(event.id))
    assert keys == {f"event:{event.id}:customer:{ann.id}", f"event:{event.id}:guests"}
    assert ledger(event.id)[f"event:{event.id}:guests"][2] == 1
    assert summary["removed"] == 1
    total = db.session.scalar(select(db.func.count()).select_from(Participation))
    assert total == 2


def test_walk_ins_are_matched_by_staff_and_never_join_the_register(app, held):
    event, _ann, _bob, bookings = held
    # Bob booked; his phone finds him, staff confirm, and his booking is ticked rather than doubled.
    with pytest.raises(ChooseCustomer) as asked:
        add_walk_in(event, first_name="Bob", last_name="Khan", phone="07912 345610", now=NOW)
    assert [c.id for c in asked.value.matches] == [bookings["bob"].customer_id]
    found = add_walk_in(event, phone="07912 345610", customer_id=asked.value.matches[0].id, now=NOW)
    assert found.id == bookings["bob"].id and found.attended
    existing = factories.customer(ref="DL0042", first_name="Cath")
    by_ref = add_walk_in(event, ref="dl0042", now=NOW)
    assert by_ref.customer_id == existing.id and by_ref.status == "walk-in"
    # Nobody on the register matches: a guest, not a new WALKIN- customer.
    customers = db.session.scalar(select(db.func.count()).select_from(Customer))
    new = add_walk_in(event, first_name="Dev", last_name="Patel", email="dev@example.org", places=2, now=NOW)
    assert new.customer_id is None and new.name == "Dev Patel"
    # A namesake on the register is offered; staff may still say it is someone else.
    factories.customer(first_name="Cath", last_name="Smith", ref="DL0050")
    with pytest.raises(ChooseCustomer):
        add_walk_in(event, first_name="cath", last_name="SMITH", now=NOW)
    guest = add_walk_in(event, first_name="Cath", last_name="Smith", as_guest=True, now=NOW)
    assert guest.customer_id is None
    assert db.session.scalar(select(db.func.count()).select_from(Customer)) == customers + 1
    close_register(event, now=AFTER)
    db.session.commit()
    rows = ledger(event.id)
    assert f"event:{event.id}:customer:{existing.id}" in rows
    assert rows[f"event:{event.id}:guests"][2] == 3  # Dev and his guest, and the other Cath


def test_walk_in_mistakes_are_explained_and_nothing_is_written(app, held):
    event = held[0]
    with pytest.raises(RegisterError, match="reference NOPE"):
        add_walk_in(event, ref="NOPE", now=NOW)
    with pytest.raises(RegisterError, match="walk-in's name"):
        add_walk_in(event, phone="07912 999999", now=NOW)
    with pytest.raises(RegisterError, match="phone number"):
        add_walk_in(event, first_name="A", last_name="B", phone="12", now=NOW)
    db.session.rollback()
    assert db.session.scalar(select(Customer).where(Customer.first_name.in_(["Solo", "A"]))) is None


def test_register_search(app, held):
    event = held[0]
    assert [b.display_name for b in register_rows(event, "khan")] == ["Bob Khan"]
    assert [b.display_name for b in register_rows(event, "gail")] == ["Gail"]
    assert len(register_rows(event)) == 3


def test_a_register_cannot_close_before_its_event_starts(app, held):
    event, _ann, _bob, bookings = held
    set_attended(bookings["ann"], True, now=NOW)
    with pytest.raises(RegisterError, match="once it has started"):
        close_register(event, now=event.starts_at - timedelta(days=9))
    assert event.register_closed_at is None and ledger(event.id) == {}
    close_register(event, now=event.starts_at)
    assert set(ledger(event.id)) == {
        f"event:{event.id}:customer:{bookings['ann'].customer_id}",
        f"event:{event.id}:guests",
    }
