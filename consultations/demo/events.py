"""Demo events: The Big Get Together ahead (full, with a waiting list) and a past welcome event."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Customer
from app.periods import LONDON
from consultations.demo.common import Clock, Person, Phone, local_text, minutes_later
from consultations.events.definitions import save_definition
from consultations.events.models import WAITING as WAITING_STATUS
from consultations.events.models import Booking, Event
from consultations.events.register import add_walk_in, close_register, set_attended, set_online_viewers
from consultations.events.services import BookingRequest, book, cancel

GUESTS = (
    ("Maureen Hollis", "maureen.hollis@example.org", None),
    ("Dev Sharma", None, "+447911123517"),
    ("Carol Pryce", "carol.pryce@example.org", None),
    ("Tom Ashby", None, "+447911123529"),
    ("Grace Okoro", "grace.okoro@example.org", None),
)
BY_TEXT = 14
WAITING = 4


def _places(rng: random.Random) -> int:
    return rng.choices((1, 2, 3), weights=(62, 30, 8))[0]


def _request(person: Person, places: int) -> BookingRequest:
    customer = db.session.get(Customer, person.id)
    return BookingRequest(
        customer=customer,
        phone=person.phone,
        email=person.email,
        places=places,
        source="web",
        notify_channel="email" if person.email else "sms",
    )


def big_get_together(rng: random.Random, clock: Clock, phone: Phone, people: list[Person]) -> Event:
    """Fill The Big Get Together by web, text and guests, with a couple of cancellations and a waiting list."""
    starts = clock.ahead(24, 11)
    event, _ = save_definition(
        {
            "slug": f"big-get-together-{starts.year}",
            "title": "The Big Get Together",
            "activity": "The Big Get together",
            "starts_at": local_text(starts),
            "ends_at": local_text(starts + timedelta(hours=4)),
            "venue": "Derby Assembly Rooms",
            "online_url": "https://example.org/live",
            "capacity": 150,
            "waitlist": True,
            "sms_keyword": "BGT",
            "description": "Our annual get-together and AGM: stalls, activities for children, lunch, "
            "and the chance to question the board.",
        },
        now=clock.ago(30, 9),
    )
    texters = rng.sample([p for p in people if p.textable], BY_TEXT)
    taken = {p.id for p in texters}
    others = rng.sample([p for p in people if (p.phone or p.email) and p.id not in taken], 160)
    days = iter(sorted((rng.uniform(2.5, 28) for _ in range(400)), reverse=True))

    def when() -> datetime:
        return clock.squeeze(clock.now - timedelta(days=next(days)))

    guests = list(GUESTS)
    for n, person in enumerate(others):
        if _waiting(event) >= WAITING:
            break
        if n % 25 == 3 and guests:
            name, email, mobile = guests.pop()
            req = BookingRequest(customer=None, name=name, phone=mobile, email=email, places=_places(rng))
            book(event, req, now=when())
        elif n % 9 == 4 and texters:
            places = _places(rng)
            phone.text(texters.pop().phone or "", "JOIN BGT" if places == 1 else f"join bgt {places}", when())
        else:
            outcome = book(event, _request(person, _places(rng)), now=when())
            if n in (30, 71) and outcome.booking is not None:
                # Two early bookers cancel: their places go back to be booked again.
                cancel(outcome.booking, now=when())
    return event


def _waiting(event: Event) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(Booking.event_id == event.id, Booking.status == WAITING_STATUS)
        )
        or 0
    )


def welcome_event(rng: random.Random, clock: Clock, people: list[Person]) -> Event:
    """Hold a Home Group welcome event: bookings, ticks, walk-ins, 30 online, register closed into the ledger."""
    starts = clock.ago(40, 14)
    ends = clock.squeeze(starts + timedelta(hours=2))
    event, _ = save_definition(
        {
            "slug": f"home-group-welcome-{starts.astimezone(LONDON).date().isoformat()}",
            "title": "Home Group welcome event",
            "activity": "Home Group welcome events",
            "starts_at": local_text(starts),
            "ends_at": local_text(ends),
            "venue": "Langley Mill Community Centre",
            "online_url": "https://example.org/live",
            "capacity": 60,
            "waitlist": False,
        },
        now=clock.ago(62, 9),
    )
    chosen = rng.sample([p for p in people if p.phone or p.email], 51)
    bookers, walk_ins = chosen[:48], chosen[48:]
    bookings: list[Booking] = []
    for n, person in enumerate(bookers):
        at = clock.squeeze(starts - timedelta(days=20 - n * 0.4, hours=rng.uniform(0, 6)))
        outcome = book(event, _request(person, _places(rng) if n % 6 == 0 else 1), now=at)
        if outcome.booking is not None:
            bookings.append(outcome.booking)
    for booking in bookings:
        if rng.random() < 0.85:
            set_attended(booking, True, now=minutes_later(rng, starts, -20, 15))
    for person in walk_ins:
        add_walk_in(event, ref=person.ref, now=minutes_later(rng, starts, 0, 30))
    set_online_viewers(event, 30)
    close_register(event, now=clock.squeeze(ends + timedelta(days=1)))
    return event
