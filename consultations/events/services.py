"""Booking, cancelling and the waiting list; capacity is never exceeded, even under races."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Customer
from app.models.audit import record
from app.tokens import hash_token, new_token
from consultations.events import notices
from consultations.events.models import ACTIVE_STATUSES, BOOKED, CANCELLED, WAITING, Booking, Event


class BookingError(ValueError):
    """A booking request that cannot be taken as given (the message says why)."""


@dataclass(frozen=True)
class BookingRequest:
    """Who wants places and how to reach them."""

    customer: Customer | None
    name: str = ""
    phone: str | None = None
    email: str | None = None
    places: int = 1
    source: str = "web"
    notify_channel: str = ""


@dataclass(frozen=True)
class BookingOutcome:
    """What happened: booked, waiting, already, full, closed or not_open."""

    status: str
    booking: Booking | None = None
    token: str | None = None
    position: int | None = None


def booking_by_token(event: Event, token: str) -> Booking | None:
    """Return the event's booking whose cancel token this is."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        select(Booking).where(Booking.event_id == event.id, Booking.token_hash == hash_token(token))
    )


def lock_event(event_id: int) -> None:
    """Hold the event row until the transaction ends, so bookings for it run one at a time."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Event.id).where(Event.id == event_id).with_for_update())
    else:
        # SQLite locks the whole database for the first write; a no-op write takes that lock now.
        db.session.execute(
            update(Event)
            .where(Event.id == event_id)
            .values(places_taken=Event.places_taken)
            .execution_options(synchronize_session=False)
        )


def _take_places(event: Event, places: int) -> bool:
    """Claim places atomically; False when they would overfill the event."""
    result = db.session.execute(
        update(Event)
        .where(Event.id == event.id, Event.places_taken + places <= Event.capacity)
        .values(places_taken=Event.places_taken + places)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(event, ["places_taken"])
    return result.rowcount == 1


def _release_places(event: Event, places: int) -> None:
    db.session.execute(
        update(Event)
        .where(Event.id == event.id)
        .values(places_taken=Event.places_taken - places)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(event, ["places_taken"])


def live_booking_for(event: Event, req: BookingRequest) -> Booking | None:
    """Return the booking this person already holds or waits with, if any."""
    query = select(Booking).where(Booking.event_id == event.id, Booking.status.in_(ACTIVE_STATUSES))
    if req.customer is not None:
        query = query.where(Booking.customer_id == req.customer.id)
    elif req.phone:
        query = query.where(Booking.customer_id.is_(None), Booking.phone == req.phone)
    elif req.email:
        query = query.where(Booking.customer_id.is_(None), func.lower(Booking.email) == req.email.lower())
    else:
        return None
    return db.session.scalars(query.order_by(Booking.id).limit(1)).first()


def waiting_position(booking: Booking) -> int:
    """Return the booking's place in the waiting list, counting from 1."""
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(Booking.event_id == booking.event_id, Booking.status == WAITING, Booking.id <= booking.id)
        )
        or 0
    )


def book(event: Event, req: BookingRequest, *, now: datetime, notify: bool = True) -> BookingOutcome:
    """Book places (or join the waiting list) and queue the confirmation; flushes, the caller commits."""
    if not 1 <= req.places <= event.max_places:
        raise BookingError(f"You can book from 1 to {event.max_places} places.")
    if req.customer is None and not (req.phone or req.email):
        raise BookingError("Give a phone number or an email address so we can confirm your place.")
    state = event.booking_state(now)
    if state in ("not_open", "closed"):
        return BookingOutcome(state)
    lock_event(event.id)
    existing = live_booking_for(event, req)
    if existing is not None:
        position = waiting_position(existing) if existing.status == WAITING else None
        return BookingOutcome("already", existing, position=position)
    if _take_places(event, req.places):
        status = BOOKED
    elif event.waitlist:
        status = WAITING
    else:
        return BookingOutcome("full")
    customer = req.customer
    token, digest = new_token(24)
    # A web booking keeps only what the visitor typed: its page and messages must never show
    # the register's name or contacts to whoever typed a reference. Staff and texts may copy them.
    on_file = customer if customer is not None and req.source != "web" else None
    booking = Booking(
        event_id=event.id,
        customer_id=customer.id if customer else None,
        name=(req.name or (on_file.name if on_file else ""))[:160],
        phone=req.phone or (on_file.phone if on_file else None),
        email=req.email or (on_file.email if on_file else None),
        places=req.places,
        status=status,
        source=req.source,
        token_hash=digest,
        created_at=now,
        booked_at=now if status == BOOKED else None,
    )
    booking.notify_channel = req.notify_channel or _default_channel(booking)
    db.session.add(booking)
    db.session.flush()
    position = waiting_position(booking) if status == WAITING else None
    if notify:
        notices.booking_made(booking, token=token, position=position, now=now)
    return BookingOutcome(status, booking, token, position)


def _default_channel(booking: Booking) -> str:
    phone, email = booking.contact("sms"), booking.contact("email")
    if booking.source == "sms" and phone:
        return "sms"
    if email:
        return "email"
    return "sms" if phone else ""


def cancel(booking: Booking, *, now: datetime, notify: bool = True) -> list[Booking]:
    """Cancel a live booking, give freed places to those waiting; return whom it promoted."""
    event = booking.event
    lock_event(event.id)
    db.session.refresh(booking)
    if booking.status not in ACTIVE_STATUSES:
        return []
    was_booked = booking.status == BOOKED
    booking.status = CANCELLED
    booking.cancelled_at = now
    db.session.flush()
    if was_booked:
        _release_places(event, booking.places)
    if notify:
        notices.booking_cancelled(booking, now=now)
    return promote_waiting(event, now=now) if was_booked else []


def cancel_for_caller(booking: Booking, *, actor: Any, now: datetime) -> list[Booking]:
    """Cancel a booking for someone who phoned, as ``actor`` (audited); return whom it promoted."""
    was = booking.status
    promoted = cancel(booking, now=now)
    detail = {"event_id": booking.event_id, "was": was, "promoted": [b.id for b in promoted]}
    record(
        "event.booking_cancelled",
        actor=actor,
        target_type="booking",
        target_id=booking.id,
        detail=detail,
        now=now,
    )
    return promoted


def promote_waiting(event: Event, *, now: datetime) -> list[Booking]:
    """Move people from the waiting list into free places, first come first served; tell each one."""
    if now >= event.booking_closes_at:
        return []
    lock_event(event.id)
    promoted: list[Booking] = []
    waiting = db.session.scalars(
        select(Booking).where(Booking.event_id == event.id, Booking.status == WAITING).order_by(Booking.id)
    ).all()
    for booking in waiting:
        # Strictly in order: nobody overtakes the person at the head of the list.
        if not _take_places(event, booking.places):
            break
        booking.status = BOOKED
        booking.booked_at = now
        promoted.append(booking)
    db.session.flush()
    for booking in promoted:
        notices.booking_promoted(booking, now=now)
    return promoted


def open_events(now: datetime) -> list[Event]:
    """Return events taking bookings (or waiting-list places) now, soonest first."""
    events = db.session.scalars(
        select(Event).where(Event.starts_at > now).order_by(Event.starts_at, Event.id)
    ).all()
    return [e for e in events if e.booking_state(now) in ("open", "waitlist", "full")]
