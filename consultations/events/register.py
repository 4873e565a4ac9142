"""The attendance register: ticks, walk-ins, the online viewer count, and closing it into the ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from app import ledger
from app.contact import email_or_none, phone_or_none
from app.extensions import db
from app.models import Customer
from app.models.audit import record
from app.periods import LONDON
from consultations.events.matching import (
    candidates,
    customer_by_ref,
    live_customer,
)
from consultations.events.models import BOOKED, CANCELLED, WAITING, WALK_IN, Booking, Event
from consultations.events.services import lock_event

REGISTER_STATUSES = (BOOKED, WAITING, WALK_IN)


class RegisterError(ValueError):
    """A register change that cannot be made (the message says why)."""


class RegisterStateError(RegisterError):
    """A change the register refuses in its present state (closed, say), however it is typed."""


def register_rows(event: Event, search: str = "") -> list[Booking]:
    """Return the people expected or present, matching ``search`` on name, ref, phone or email."""
    query = (
        select(Booking)
        .outerjoin(Customer, Booking.customer_id == Customer.id)
        .where(Booking.event_id == event.id, Booking.status.in_(REGISTER_STATUSES))
    )
    term = search.strip().lower()
    if term:
        like = f"%{term}%"
        query = query.where(
            or_(
                func.lower(Booking.name).like(like),
                func.lower(Booking.email).like(like),
                Booking.phone.like(f"%{term.replace(' ', '')}%"),
                func.lower(Customer.ref).like(like),
                func.lower(Customer.first_name + " " + Customer.last_name).like(like),
            )
        )
    order = (
        Booking.status == WAITING,
        func.lower(func.coalesce(Customer.last_name, Booking.name)),
        Booking.id,
    )
    return list(db.session.scalars(query.order_by(*order)))


def _require_open(event: Event) -> None:
    if event.register_closed_at is not None:
        raise RegisterStateError("The register is closed. Reopen it to make changes.")


def set_attended(booking: Booking, attended: bool, *, now: datetime) -> None:
    """Tick (or untick) a booking as attended."""
    _require_open(booking.event)
    if booking.status == CANCELLED:
        raise RegisterStateError("That booking was cancelled.")
    booking.attended = attended
    booking.attended_at = now if attended else None
    db.session.flush()


class ChooseCustomer(RegisterError):
    """Staff must say which register customer this walk-in is, or that they are a guest."""

    def __init__(self, matches: list[Customer]) -> None:
        super().__init__("Choose who this is from the register, or add them as a guest.")
        self.matches = matches


def _walk_in_customer(
    *,
    customer_id: int | str | None,
    ref: str,
    first_name: str,
    last_name: str,
    phone: str | None,
    email: str | None,
    as_guest: bool,
) -> Customer | None:
    """Return the register customer staff mean, None for a guest; ask when the register holds likely matches."""
    if as_guest:
        return None
    if customer_id:
        customer = live_customer(customer_id)
        if customer is None:
            raise RegisterError("That customer is no longer on the register.")
        return customer
    if ref.strip():
        customer = customer_by_ref(ref)
        if customer is None:
            raise RegisterError(f"No customer on the register has the reference {ref.strip()}.")
        return customer
    matches = candidates(first_name=first_name, last_name=last_name, phone=phone, email=email)
    if matches:
        raise ChooseCustomer(matches)
    return None


def add_walk_in(
    event: Event,
    *,
    ref: str = "",
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    email: str = "",
    places: int = 1,
    now: datetime,
    customer_id: int | str | None = None,
    as_guest: bool = False,
) -> Booking:
    """Record someone who came without booking: a register customer staff picked, or a named guest.

    Nobody is added to the register here: the housing system's import owns it, so a walk-in who
    is not matched counts as a guest (anonymous headcount) rather than a new customer.
    """
    _require_open(event)
    if not 1 <= places <= 50:
        raise RegisterError("Places must be from 1 to 50.")
    e164 = phone_or_none(phone)
    if phone.strip() and not e164:
        raise RegisterError(f"{phone} is not a phone number we can read.")
    address = email_or_none(email)
    if email.strip() and not address:
        raise RegisterError(f"{email} is not an email address.")
    customer = _walk_in_customer(
        customer_id=customer_id,
        ref=ref,
        first_name=first_name,
        last_name=last_name,
        phone=e164,
        email=address,
        as_guest=as_guest,
    )
    if customer is None:
        name = f"{first_name.strip()} {last_name.strip()}".strip()[:160]
        if not name:
            raise RegisterError("Give the walk-in's name.")
        booking = Booking(
            event_id=event.id,
            customer_id=None,
            name=name,
            phone=e164,
            email=address,
            places=places,
            status=WALK_IN,
            source="walk-in",
            created_at=now,
            attended=True,
            attended_at=now,
        )
        db.session.add(booking)
        db.session.flush()
        return booking
    expected = db.session.scalars(
        select(Booking).where(
            Booking.event_id == event.id,
            Booking.customer_id == customer.id,
            Booking.status.in_(REGISTER_STATUSES),
        )
    ).first()
    if expected is not None:
        # They had booked after all: tick that booking rather than count them twice.
        set_attended(expected, True, now=now)
        return expected
    booking = Booking(
        event_id=event.id,
        customer_id=customer.id,
        name=customer.name,
        phone=customer.phone,
        email=customer.email,
        places=places,
        status=WALK_IN,
        source="walk-in",
        created_at=now,
        attended=True,
        attended_at=now,
    )
    db.session.add(booking)
    db.session.flush()
    return booking


def set_online_viewers(event: Event, count: int) -> None:
    """Record how many watched online."""
    _require_open(event)
    if not 0 <= count <= 1_000_000:
        raise RegisterError("The online viewer count must be a whole number from 0.")
    event.online_viewers = count
    db.session.flush()


def _desired_rows(event: Event) -> dict[str, dict[str, Any]]:
    """The participation rows the register stands for, by source key."""
    hours = event.length_hours
    base = {
        "activity_id": event.activity_id,
        "date": event.starts_at.astimezone(LONDON).date(),
        "source": "event",
    }
    rows: dict[str, dict[str, Any]] = {}
    guests = 0
    attended = db.session.scalars(
        select(Booking).where(
            Booking.event_id == event.id, Booking.status.in_(REGISTER_STATUSES), Booking.attended.is_(True)
        )
    )
    for booking in attended:
        if booking.customer_id is None:
            guests += booking.places
            continue
        guests += booking.places - 1
        key = f"event:{event.id}:customer:{booking.customer_id}"
        rows[key] = {
            **base,
            "customer_id": booking.customer_id,
            "channel": "event",
            "headcount": 1,
            "hours": hours,
        }
    if guests:
        rows[f"event:{event.id}:guests"] = {
            **base,
            "customer_id": None,
            "channel": "event",
            "headcount": guests,
            "hours": hours * guests,
        }
    if event.online_viewers:
        viewers = event.online_viewers
        rows[f"event:{event.id}:online"] = {
            **base,
            "customer_id": None,
            "channel": "online",
            "headcount": viewers,
            "hours": hours * viewers,
        }
    return rows


def close_register(event: Event, *, now: datetime, actor: Any = None) -> dict[str, int]:
    """Write the register into the participation ledger exactly once per person; return the counts.

    Nobody can have attended an event that has not started, so closing before the start is refused.
    """
    if now < event.starts_at:
        start = event.starts_at.astimezone(LONDON)
        raise RegisterStateError(
            f"The event starts on {start:%d %b %Y at %H:%M}; the register can be closed once it has started."
        )
    lock_event(event.id)
    desired = _desired_rows(event)
    prefix = f"event:{event.id}:"
    removed = ledger.sync_source(prefix, desired, now=now)
    event.register_closed_at = now
    db.session.flush()
    summary = {
        "attendees": sum(1 for key in desired if ":customer:" in key),
        "guests": int(desired.get(f"{prefix}guests", {}).get("headcount", 0)),
        "online": int(desired.get(f"{prefix}online", {}).get("headcount", 0)),
        "removed": removed,
    }
    record(
        "event.register_closed", actor=actor, target_type="event", target_id=event.id, detail=summary, now=now
    )
    return summary


def reopen_register(event: Event, *, now: datetime, actor: Any = None) -> None:
    """Reopen a closed register; its ledger rows stay until it is closed again."""
    event.register_closed_at = None
    db.session.flush()
    record("event.register_reopened", actor=actor, target_type="event", target_id=event.id, now=now)


def attendance_counts(event: Event) -> dict[str, int]:
    """Return how many are booked, waiting and ticked as present (places, including guests)."""
    rows = db.session.execute(
        select(Booking.status, Booking.attended, func.coalesce(func.sum(Booking.places), 0))
        .where(Booking.event_id == event.id)
        .group_by(Booking.status, Booking.attended)
    ).all()
    counts = {"booked": 0, "waiting": 0, "present": 0, "walk_ins": 0}
    for status, attended, places in rows:
        if status == BOOKED:
            counts["booked"] += int(places)
        elif status == WAITING:
            counts["waiting"] += int(places)
        if status == WALK_IN:
            counts["walk_ins"] += int(places)
        if attended and status != CANCELLED:
            counts["present"] += int(places)
    return counts
