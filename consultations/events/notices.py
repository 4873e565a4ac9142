"""The messages people get about their bookings, queued through messaging on their own channel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import render_template

from app.links import external_url
from app.periods import LONDON
from consultations.events.models import WAITING, Booking, Event
from messaging.api import NewMessage, OutboundMessage, enqueue


def when(event: Event) -> str:
    """Say when an event is, in UK time: 'Sat 17 Sep 2011, 11:00 to 15:00'."""
    start, end = event.starts_at.astimezone(LONDON), event.ends_at.astimezone(LONDON)
    day = f"{start:%a} {start.day} {start:%b %Y}"
    if start.date() == end.date():
        return f"{day}, {start:%H:%M} to {end:%H:%M}"
    return f"{day} {start:%H:%M} to {end:%a} {end.day} {end:%b %Y} {end:%H:%M}"


def short_when(event: Event) -> str:
    """A shorter form for texts: 'Sat 17 Sep 11:00'."""
    start = event.starts_at.astimezone(LONDON)
    return f"{start:%a} {start.day} {start:%b} {start:%H:%M}"


def where(event: Event) -> str:
    """Say where an event is: the venue, online, or both."""
    if event.venue and event.online_url:
        return f"{event.venue} (or online)"
    return event.venue or ("online" if event.online_url else "")


def event_url(event: Event) -> str:
    """The event's public page, where people book."""
    return external_url("events_public.book_page", slug=event.slug)


def calendar_url(event: Event) -> str:
    """The event's calendar file (.ics)."""
    return external_url("events_public.calendar", slug=event.slug)


def booking_url(event: Event, token: str) -> str:
    """The booker's own page for this booking (status and cancel button)."""
    return external_url("events_public.booking_page", slug=event.slug, token=token)


def places_phrase(places: int) -> str:
    """'1 place' or '3 places'."""
    return f"{places} place" if places == 1 else f"{places} places"


def sms_booked(event: Event, booking: Booking) -> str:
    """Confirm a booking by text."""
    text = f"You're booked for {event.title}, {short_when(event)}"
    text += f" at {event.venue}" if event.venue else ""
    text += f" ({places_phrase(booking.places)})." if booking.places > 1 else "."
    if event.sms_keyword:
        text += f" Text CANCEL {event.sms_keyword} if you can't come."
    return text


def sms_waiting(event: Event, position: int | None) -> str:
    """Tell someone by text they are on the waiting list."""
    text = f"{event.title} is full, so you're on the waiting list"
    text += f" (number {position})." if position else "."
    return text + " We'll text you if a place comes up."


def sms_promoted(event: Event, booking: Booking) -> str:
    """Tell someone by text a place came up for them."""
    text = f"Good news: a place came up and you're now booked for {event.title}, {short_when(event)}"
    text += f" at {event.venue}." if event.venue else "."
    if event.sms_keyword:
        text += f" Text CANCEL {event.sms_keyword} if you can't come."
    return text


def sms_cancelled(event: Event) -> str:
    """Confirm a cancellation by text."""
    return f"Your booking for {event.title} is cancelled. Thank you for letting us know."


def sms_reminder(event: Event, booking: Booking) -> str:
    """Remind someone by text of an event they are booked on."""
    text = f"Reminder: {event.title}, {short_when(event)}"
    text += f" at {event.venue}." if event.venue else "."
    if event.online_url and not event.venue:
        text += f" Join at {event.online_url}"
    elif event.sms_keyword:
        text += f" Text CANCEL {event.sms_keyword} if you can't come."
    return text


def _greeting(booking: Booking) -> str:
    # A web booker is greeted by the name they typed, never by the one on the register.
    on_file = booking.customer is not None and booking.source != "web"
    first = booking.customer.first_name if on_file and booking.customer else booking.name.split(" ")[0]
    return f"Hello {first}," if first else "Hello,"


def email_text(template: str, event: Event, **context: Any) -> str:
    """Render an event email's plain text from ``events/email/<template>.txt``."""
    text = render_template(
        f"events/email/{template}.txt",
        event=event,
        when=when(event),
        calendar_url=calendar_url(event),
        **context,
    )
    return text.strip() + "\n"


def _send(
    booking: Booking,
    purpose: str,
    sms: str,
    subject: str,
    template: str,
    now: datetime,
    *,
    calendar: bool = False,
    **context: Any,
) -> OutboundMessage | None:
    event = booking.event
    address = booking.address
    if not address:
        return None
    email = booking.notify_channel == "email"
    body = (
        email_text(template, event, booking=booking, greeting=_greeting(booking), **context)
        if email
        else sms.strip()
    )
    attachments = ()
    if email and calendar:
        # Imported here: ics builds its links with this module's event_url.
        from consultations.events.ics import calendar_attachment

        attachments = (calendar_attachment(event, now=now),)
    message = NewMessage(
        to=address,
        body=body,
        subject=subject if email else "",
        customer_id=booking.customer_id,
        activity_id=event.activity_id,
        topic=f"event:{event.id}",
        ref=f"booking:{booking.id}",
        purpose=purpose,
        attachments=attachments,
    )
    return enqueue(booking.notify_channel, message, now=now)


def booking_made(
    booking: Booking, *, token: str, position: int | None, now: datetime
) -> OutboundMessage | None:
    """Confirm a new booking or waiting-list place on the booker's channel."""
    event = booking.event
    link = booking_url(event, token)
    if booking.status == WAITING:
        subject = f"Waiting list: {event.title}"
        sms = sms_waiting(event, position)
        return _send(booking, "confirmation", sms, subject, "waiting", now, link=link, position=position)
    sms = sms_booked(event, booking)
    subject = f"Booked: {event.title}"
    return _send(booking, "confirmation", sms, subject, "booked", now, calendar=True, link=link)


def booking_promoted(booking: Booking, *, now: datetime) -> OutboundMessage | None:
    """Tell the person at the head of the waiting list that they now have a place."""
    event = booking.event
    sms = sms_promoted(event, booking)
    subject = f"You have a place: {event.title}"
    return _send(booking, "confirmation", sms, subject, "promoted", now, calendar=True)


def booking_cancelled(booking: Booking, *, now: datetime) -> OutboundMessage | None:
    """Confirm a cancellation on the booker's channel."""
    event = booking.event
    return _send(booking, "confirmation", sms_cancelled(event), f"Cancelled: {event.title}", "cancelled", now)


def booking_reminder(booking: Booking, *, now: datetime) -> OutboundMessage | None:
    """Remind a booked person of the event."""
    event = booking.event
    return _send(
        booking, "reminder", sms_reminder(event, booking), f"Reminder: {event.title}", "reminder", now
    )
