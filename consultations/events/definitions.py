"""Event definitions (a JSON object per event): validate, then create or update the event by slug."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import select

from app.activities import activity_named
from app.extensions import db
from app.models.audit import record
from app.periods import LONDON
from consultations.events.models import Event
from consultations.field_errors import DefinitionError, FieldError, check_one_line, read_local_time

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
KEYWORD_RE = re.compile(r"^[A-Z0-9]{2,20}$")
# Words the messaging channel keeps for itself, and the booking verbs.
RESERVED_KEYWORDS = {
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
    "START",
    "YES",
    "UNSTOP",
    "HELP",
    "INFO",
    "JOIN",
}
KNOWN_KEYS = {
    "slug",
    "title",
    "activity",
    "description",
    "starts_at",
    "ends_at",
    "venue",
    "online_url",
    "capacity",
    "waitlist",
    "sms_keyword",
    "opens_at",
    "closes_at",
    "max_places",
    "reminder_hours",
}
MAX_PLACES_LIMIT = 20


LABELS = {
    "slug": "a web address (slug)",
    "title": "a title",
    "activity": "the activity it counts towards",
    "description": "the description",
    "venue": "the venue",
    "online_url": "the online link",
    "starts_at": "the start",
    "ends_at": "the end",
    "opens_at": "the time booking opens",
    "closes_at": "the time booking closes",
    "capacity": "the number of places",
    "max_places": "the most places per booking",
    "sms_keyword": "the text keyword",
    "waitlist": "the waiting list",
}


@dataclass
class EventSpec:
    """A checked event definition, times in UTC."""

    slug: str
    title: str
    activity: str
    description: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    online_url: str
    capacity: int
    waitlist: bool
    sms_keyword: str | None
    opens_at: datetime | None
    closes_at: datetime | None
    max_places: int
    reminder_minutes: int


def _text(
    data: dict[str, Any], key: str, errors: list[str], *, required: bool = False, limit: int = 200
) -> str:
    value = data.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.append(FieldError(key, f"Enter {LABELS.get(key, key)} as text."))
        return ""
    value = value.strip()
    if required and not value:
        errors.append(FieldError(key, f"Give the event {LABELS.get(key, key)}."))
    if len(value) > limit:
        errors.append(
            FieldError(
                key, f"Keep {LABELS.get(key, key)} to {limit} characters or fewer (it has {len(value)})."
            )
        )
    return value


def _int(data: dict[str, Any], key: str, default: int, low: int, high: int, errors: list[str]) -> int:
    value = data.get(key, default)
    if value in (None, ""):
        return default
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        errors.append(
            FieldError(key, f"Enter {LABELS.get(key, key)} as a whole number from {low} to {high:,}.")
        )
        return default
    return number


def _bool(data: dict[str, Any], key: str, errors: list[str]) -> bool:
    value = data.get(key, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
        "0",
        "false",
        "no",
        "off",
        "",
    }:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    errors.append(FieldError(key, f"Say yes or no for {LABELS.get(key, key)}."))
    return False


def _reminder_minutes(data: dict[str, Any], errors: list[str]) -> int:
    value = data.get("reminder_hours", 24)
    try:
        hours = float(str(value).strip()) if value not in (None, "") else 24.0
    except ValueError:
        hours = -1.0
    if not 0 <= hours <= 24 * 30:
        errors.append(
            FieldError(
                "reminder_hours", "Enter the reminder as a number of hours before the start, from 0 to 720."
            )
        )
        return 24 * 60
    return round(hours * 60)


def parse_definition(data: Any, *, event_id: int | None = None) -> EventSpec:
    """Check a definition and return it as an EventSpec, or raise DefinitionError listing every mistake."""
    if not isinstance(data, dict):
        raise DefinitionError(["the definition must be a JSON object"])
    errors: list[str] = []
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        errors.append(f"unknown field(s): {', '.join(unknown)}")
    slug = _text(data, "slug", errors, required=True, limit=80).lower()
    if slug and not SLUG_RE.match(slug):
        errors.append(
            FieldError(
                "slug",
                "The web address (slug) may use only lower-case letters, digits and hyphens, like big-get-together-2011.",
            )
        )
    title = _text(data, "title", errors, required=True)
    activity = _text(data, "activity", errors, required=True)
    description = _text(data, "description", errors, limit=5000)
    venue = _text(data, "venue", errors)
    # These reach email subjects and calendar lines: a line break there would start a new header.
    check_one_line(title, "title", "title", errors)
    check_one_line(activity, "activity", "activity name", errors)
    check_one_line(venue, "venue", "venue", errors)
    online_url = _text(data, "online_url", errors, limit=500)
    if online_url and (
        urlparse(online_url).scheme not in ("http", "https") or not urlparse(online_url).netloc
    ):
        errors.append(
            FieldError(
                "online_url", "Enter the online link as a web address starting with https:// or http://."
            )
        )
    starts_at = read_local_time(
        data.get("starts_at"), "starts_at", LABELS["starts_at"], "2011-09-17T11:00", errors
    )
    ends_at = read_local_time(data.get("ends_at"), "ends_at", LABELS["ends_at"], "2011-09-17T11:00", errors)
    if data.get("starts_at") in (None, ""):
        errors.append(FieldError("starts_at", "Give the date and time the event starts."))
    if data.get("ends_at") in (None, ""):
        errors.append(FieldError("ends_at", "Give the date and time the event ends."))
    if starts_at and ends_at and ends_at <= starts_at:
        errors.append(FieldError("ends_at", "The event must end after it starts."))
    opens_at = read_local_time(
        data.get("opens_at"), "opens_at", LABELS["opens_at"], "2011-09-17T11:00", errors
    )
    closes_at = read_local_time(
        data.get("closes_at"), "closes_at", LABELS["closes_at"], "2011-09-17T11:00", errors
    )
    if opens_at and closes_at and closes_at <= opens_at:
        errors.append(FieldError("closes_at", "Booking must close after it opens."))
    capacity = _int(data, "capacity", -1, 0, 1_000_000, errors)
    if "capacity" not in data or data.get("capacity") in (None, ""):
        errors.append(FieldError("capacity", "Give the number of places."))
    max_places = _int(data, "max_places", 6, 1, MAX_PLACES_LIMIT, errors)
    keyword = _text(data, "sms_keyword", errors, limit=20).upper().replace(" ", "") or None
    if keyword and not KEYWORD_RE.match(keyword):
        errors.append(
            FieldError("sms_keyword", "The text keyword must be 2 to 20 letters or digits, like BGT.")
        )
    elif keyword in RESERVED_KEYWORDS:
        errors.append(
            FieldError(
                "sms_keyword",
                f"{keyword} is a word texts already use (like STOP or HELP): choose another keyword.",
            )
        )
    elif keyword:
        clash = db.session.scalar(select(Event).where(Event.sms_keyword == keyword, Event.slug != slug))
        if clash is not None and clash.id != event_id:
            errors.append(
                FieldError(
                    "sms_keyword",
                    f"The event {clash.slug} already uses the keyword {keyword}: choose another.",
                )
            )
    spec_values = {"waitlist": _bool(data, "waitlist", errors), "reminder": _reminder_minutes(data, errors)}
    if errors:
        raise DefinitionError(errors)
    assert starts_at is not None and ends_at is not None
    return EventSpec(
        slug=slug,
        title=title,
        activity=activity,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        online_url=online_url,
        capacity=capacity,
        waitlist=spec_values["waitlist"],
        sms_keyword=keyword,
        opens_at=opens_at,
        closes_at=closes_at,
        max_places=max_places,
        reminder_minutes=int(spec_values["reminder"]),
    )


def save_definition(
    data: Any, *, now: datetime, actor: Any = None, event: Event | None = None
) -> tuple[Event, bool]:
    """Create the event, or update the one with the same slug (or ``event``); return it and whether it is new."""
    spec = parse_definition(data, event_id=event.id if event else None)
    if event is None:
        event = db.session.scalar(select(Event).where(Event.slug == spec.slug))
    elif spec.slug != event.slug and db.session.scalar(select(Event.id).where(Event.slug == spec.slug)):
        raise DefinitionError([f"slug: another event already uses {spec.slug}"])
    created = event is None
    if event is not None and spec.capacity < event.places_taken:
        raise DefinitionError(
            [f"capacity: {event.places_taken} places are already booked; cancel bookings before lowering it"]
        )
    activity = activity_named(spec.activity, category="event", on=spec.starts_at.astimezone(LONDON).date())
    if event is None:
        event = Event(places_taken=0, created_at=now)
    event.activity_id = activity.id
    # Every checked setting but the activity (stored as its id above) is a column of the same name.
    for field in fields(EventSpec):
        if field.name != "activity":
            setattr(event, field.name, getattr(spec, field.name))
    event.updated_at = now
    db.session.add(event)
    db.session.flush()
    record(
        "event.created" if created else "event.updated",
        actor=actor,
        target_type="event",
        target_id=event.id,
        detail={"slug": event.slug},
        now=now,
    )
    if not created:
        from consultations.events.services import promote_waiting

        promote_waiting(event, now=now)
    return event, created


def event_to_definition(event: Event) -> dict[str, Any]:
    """Return the definition that recreates ``event`` (times in Europe/London, naive)."""

    def local(value: datetime | None) -> str | None:
        return value.astimezone(LONDON).replace(tzinfo=None).isoformat() if value else None

    return {
        "slug": event.slug,
        "title": event.title,
        "activity": event.activity.name,
        "description": event.description,
        "starts_at": local(event.starts_at),
        "ends_at": local(event.ends_at),
        "venue": event.venue,
        "online_url": event.online_url,
        "capacity": event.capacity,
        "waitlist": event.waitlist,
        "sms_keyword": event.sms_keyword or "",
        "opens_at": local(event.opens_at),
        "closes_at": local(event.closes_at),
        "max_places": event.max_places,
        "reminder_hours": event.reminder_minutes / 60,
    }
