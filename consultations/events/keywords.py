"""Booking by text: JOIN <KEYWORD> books, CANCEL <KEYWORD> cancels (any case, any spacing)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.contact import phone_or_none
from app.extensions import db
from app.models import Customer
from consultations.events import notices
from consultations.events.models import ACTIVE_STATUSES, BOOKED, WAITING, Booking, Event
from consultations.events.services import BookingError, BookingRequest, book, cancel, open_events
from messaging.handlers import InboundReply, InboundText

VERB_RE = re.compile(r"^\s*(JOIN|CANCEL)\b[\s:,.!-]*(.*)$", re.IGNORECASE | re.DOTALL)
GLUED_RE = re.compile(r"^\s*(JOIN|CANCEL)([A-Z0-9]{2,20})[\s.!]*$", re.IGNORECASE)


@dataclass(frozen=True)
class KeywordText:
    """A parsed booking text."""

    verb: str
    keyword: str
    places: int = 1


def parse(body: str) -> KeywordText | None:
    """Read a JOIN/CANCEL text; None when it is not one (longer free text is left for others)."""
    match = VERB_RE.match(body or "")
    if match:
        tokens = match.group(2).split()
        # "Cancel my appointment on Tuesday" is a conversation, not a booking command.
        if len(tokens) > 2 or (len(tokens) == 2 and not tokens[1].isdigit()):
            return None
        keyword = re.sub(r"[^A-Z0-9]", "", tokens[0].upper()) if tokens else ""
        places = int(tokens[1]) if len(tokens) == 2 else 1
        return KeywordText(match.group(1).upper(), keyword, places)
    glued = GLUED_RE.match(body or "")
    if glued and _event_by_keyword(glued.group(2).upper()) is not None:
        return KeywordText(glued.group(1).upper(), glued.group(2).upper())
    return None


def _event_by_keyword(keyword: str) -> Event | None:
    if not keyword:
        return None
    return db.session.scalar(select(Event).where(Event.sms_keyword == keyword))


def _help(verb: str, keyword: str, now: datetime) -> str:
    events = [e for e in open_events(now) if e.sms_keyword]
    start = (
        f"Sorry, we have no event called {keyword}."
        if keyword
        else f"Please add the event's word after {verb}."
    )
    if not events:
        return f"{start} There are no events to book by text just now."
    listed = "; ".join(f"{e.sms_keyword} ({e.title}, {notices.short_when(e)})" for e in events[:5])
    return f"{start} Events you can book: {listed}. Text JOIN and the word, e.g. JOIN {events[0].sms_keyword}"


def _join(
    event: Event, parsed: KeywordText, customer: Customer | None, phone: str | None, now: datetime
) -> str:
    req = BookingRequest(
        customer=customer, phone=phone, places=parsed.places, source="sms", notify_channel="sms"
    )
    try:
        outcome = book(event, req, now=now, notify=False)
    except BookingError:
        return f"Sorry, you can book up to {event.max_places} places by text, e.g. JOIN {event.sms_keyword} 2"
    if outcome.status == BOOKED and outcome.booking:
        return notices.sms_booked(event, outcome.booking)
    if outcome.status == WAITING:
        return notices.sms_waiting(event, outcome.position)
    if outcome.status == "already" and outcome.booking:
        if outcome.booking.status == WAITING:
            return f"You're already on the waiting list for {event.title} (number {outcome.position})."
        return f"You're already booked for {event.title} ({notices.places_phrase(outcome.booking.places)})."
    if outcome.status == "full":
        return f"Sorry, {event.title} is full."
    if outcome.status == "not_open":
        opens = event.opens_at.astimezone(notices.LONDON) if event.opens_at else None
        return (
            f"Booking for {event.title} opens on {opens:%a} {opens.day} {opens:%b} at {opens:%H:%M}."
            if opens
            else ""
        )
    return f"Sorry, booking for {event.title} has closed."


def _cancel(event: Event, customer: Customer | None, phone: str | None, now: datetime) -> str:
    query = select(Booking).where(Booking.event_id == event.id, Booking.status.in_(ACTIVE_STATUSES))
    if customer is not None:
        query = query.where((Booking.customer_id == customer.id) | (Booking.phone == phone))
    else:
        query = query.where(Booking.customer_id.is_(None), Booking.phone == phone)
    booking = db.session.scalars(query.order_by(Booking.id).limit(1)).first()
    if booking is None:
        return f"We couldn't find a booking for {event.title} from this number."
    cancel(booking, now=now, notify=False)
    return notices.sms_cancelled(event)


def on_sms_received(text: InboundText) -> InboundReply | None:
    """Claim JOIN/CANCEL texts for an event that exists and answer them; leave every other text alone."""
    parsed = parse(text.body)
    event = _event_by_keyword(parsed.keyword) if parsed is not None else None
    if parsed is None or event is None:
        return None
    now, customer = text.now, text.customer
    phone = phone_or_none(text.sender) or text.sender
    if parsed.verb == "JOIN":
        reply = _join(event, parsed, customer, phone, now)
    else:
        reply = _cancel(event, customer, phone, now)
    return InboundReply(
        handled_by=f"event:{event.id}", reply=reply, topic=f"event:{event.id}", activity_id=event.activity_id
    )


def unknown_keyword(text: InboundText) -> InboundReply | None:
    """Answer a JOIN/CANCEL text for no event (and no open survey) with the events that can be booked."""
    parsed = parse(text.body)
    if parsed is None or _event_by_keyword(parsed.keyword) is not None:
        return None
    return InboundReply(handled_by="events", reply=_help(parsed.verb, parsed.keyword, text.now))
