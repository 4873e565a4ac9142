"""Calendar invites (.ics, RFC 5545) for events."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlparse

from flask import current_app

from consultations.events.models import Event
from consultations.events.notices import event_url
from messaging.api import Attachment


def calendar_uid(event: Event) -> str:
    """A stable identifier, so calendars update the entry instead of adding another."""
    host = urlparse(current_app.config.get("PUBLIC_BASE_URL", "")).hostname or "involve.local"
    return f"event-{event.id}@{host}"


def event_calendar(event: Event, *, now: datetime) -> bytes:
    """Return an .ics file with the event, times in UTC."""
    from icalendar import Calendar  # loaded on first use so commands start quickly
    from icalendar import Event as CalendarEvent

    calendar = Calendar()
    calendar.add("prodid", "-//Involve//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", calendar_uid(event))
    entry.add("dtstamp", now)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", event.title)
    if event.venue or event.online_url:
        entry.add("location", event.venue or event.online_url)
    page = event_url(event)
    details = [event.description] if event.description else []
    if event.online_url:
        details.append(f"Online: {event.online_url}")
    details.append(f"Details and cancelling: {page}")
    entry.add("description", "\n\n".join(details))
    entry.add("url", page)
    calendar.add_component(entry)
    return calendar.to_ical()


def calendar_attachment(event: Event, *, now: datetime) -> Attachment:
    """Return the .ics for a confirmation email, so the place goes straight into the calendar."""
    # PUBLISH: the entry is for the booker's own calendar; REQUEST would ask them to reply to an organiser.
    return Attachment(
        filename=f"{event.slug}.ics",
        content_type="text/calendar; method=PUBLISH; charset=UTF-8",
        data=event_calendar(event, now=now),
    )
