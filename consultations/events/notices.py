"""The messages people get about their bookings, queued through messaging on their own channel."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from app.periods import LONDON
from consultations.events.models import Booking, Event
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


def public_url(path: str) -> str:
    """Return the address the outside world uses for ``path``."""
    return current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/") + path


def booking_url(event: Event, token: str) -> str:
    """The booker's own page for this booking (status and cancel button)."""
    return public_url(f"/e/{event.slug}/booking/{token}")


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


def _email_details(event: Event, booking: Booking) -> list[str]:
    lines = [f"When: {when(event)}"]
    if event.venue:
        lines.append(f"Where: {event.venue}")
    if event.online_url:
        lines.append(f"Online: {event.online_url}")
    lines.append(f"Places: {booking.places}")
    lines.append(f"Add it to your calendar: {public_url(f'/e/{event.slug}/calendar.ics')}")
    return lines


def _greeting(booking: Booking) -> str:
    # A web booker is greeted by the name they typed, never by the one on the register.
    on_file = booking.customer is not None and booking.source != "web"
    first = booking.customer.first_name if on_file and booking.customer else booking.name.split(" ")[0]
    return f"Hello {first}," if first else "Hello,"


def _send(
    booking: Booking, purpose: str, sms: str, subject: str, lines: list[str], now: datetime,
    *, calendar: bool = False,
) -> OutboundMessage | None:  # fmt: skip
    event = booking.event
    address = booking.address
    if not address:
        return None
    email = booking.notify_channel == "email"
    body = (
        "\n".join([_greeting(booking), "", *lines, "", current_app.config.get("LANDLORD_NAME", "")])
        if email
        else sms
    )
    attachments = ()
    if email and calendar:
        # Imported here: ics builds its links with this module's public_url.
        from consultations.events.ics import calendar_attachment

        attachments = (calendar_attachment(event, now=now),)
    message = NewMessage(
        to=address, body=body.strip() + ("\n" if email else ""), subject=subject if email else "",
        customer_id=booking.customer_id, activity_id=event.activity_id, topic=f"event:{event.id}",
        ref=f"booking:{booking.id}", purpose=purpose, attachments=attachments,
    )  # fmt: skip
    return enqueue(booking.notify_channel, message, now=now)


def booking_made(
    booking: Booking, *, token: str, position: int | None, now: datetime
) -> OutboundMessage | None:
    """Confirm a new booking or waiting-list place on the booker's channel."""
    event = booking.event
    link = booking_url(event, token)
    if booking.status == "waiting":
        lines = [
            f"{event.title} is full, so you are on the waiting list"
            + (f" (number {position})." if position else "."),
            "If a place comes up it is yours and we will tell you straight away.",
            "",
            f"See or cancel your request: {link}",
        ]
        return _send(
            booking, "confirmation", sms_waiting(event, position), f"Waiting list: {event.title}", lines, now
        )
    lines = [f"You are booked for {event.title}.", "", *_email_details(event, booking), "",
             f"Can't come? Cancel here so someone else can have your place: {link}"]  # fmt: skip
    return _send(
        booking,
        "confirmation",
        sms_booked(event, booking),
        f"Booked: {event.title}",
        lines,
        now,
        calendar=True,
    )


def booking_promoted(booking: Booking, *, now: datetime) -> OutboundMessage | None:
    """Tell the person at the head of the waiting list that they now have a place."""
    event = booking.event
    lines = ["Good news: a place came up and you are now booked for " + event.title + ".", "",
             *_email_details(event, booking), "",
             "Can't come? Use the link in your first email to cancel, so the next person can go."]  # fmt: skip
    return _send(
        booking, "confirmation", sms_promoted(event, booking), f"You have a place: {event.title}", lines, now,
        calendar=True,
    )  # fmt: skip


def booking_cancelled(booking: Booking, *, now: datetime) -> OutboundMessage | None:
    """Confirm a cancellation on the booker's channel."""
    event = booking.event
    lines = [
        f"Your booking for {event.title} ({when(event)}) is cancelled.",
        "Thank you for letting us know.",
    ]
    return _send(booking, "confirmation", sms_cancelled(event), f"Cancelled: {event.title}", lines, now)


def booking_reminder(booking: Booking, *, now: datetime) -> OutboundMessage | None:
    """Remind a booked person of the event."""
    event = booking.event
    lines = [
        f"This is a reminder that you are booked for {event.title}.",
        "",
        *_email_details(event, booking),
    ]
    if event.sms_keyword:
        lines += ["", f"Can't come? Use the link in your booking email, or text CANCEL {event.sms_keyword}."]
    return _send(booking, "reminder", sms_reminder(event, booking), f"Reminder: {event.title}", lines, now)
