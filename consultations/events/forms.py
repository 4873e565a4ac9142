"""Read the booking and event forms into service arguments, with a message per field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.contact import email_or_none, phone_or_none
from consultations.events.matching import (
    customer_by_contact,
    verified_customer,
)
from consultations.events.models import Event
from consultations.events.services import BookingRequest
from consultations.field_errors import slug_from

EVENT_FIELDS = (
    "slug",
    "title",
    "activity",
    "description",
    "starts_at",
    "ends_at",
    "venue",
    "online_url",
    "capacity",
    "sms_keyword",
    "opens_at",
    "closes_at",
    "max_places",
    "reminder_hours",
)
# Longest value kept from each public field; anything longer is cut, never stored whole.
LIMITS = {"ref": 40, "check": 80, "name": 1000, "phone": 40, "email": 254, "places": 4, "notify": 10}
NAME_MAX = 160


# One answer for an unknown reference and for a known one with the wrong detail, so the page
# never tells a stranger which references exist.
NO_MATCH = (
    "We could not match that customer reference to the details you gave. Check both, "
    "or leave the reference blank and book with your name and contact details."
)


@dataclass
class BookingForm:
    """The booking form as typed, its errors by field, and the request when it is valid."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    request: BookingRequest | None = None
    # True when a reference was typed that did not match: counted against the address's limit.
    lookup_failed: bool = False


def _notify(wanted: str, phone: str | None, email: str | None) -> str:
    """Return the channel asked for when there is an address for it, else whichever there is."""
    if (wanted == "sms" and phone) or (wanted == "email" and email):
        return wanted
    return "email" if email else ("sms" if phone else "")


def read_booking_form(form: Mapping[str, str], event: Event) -> BookingForm:
    """Check the public booking form; link the booker to the register only on two matching details."""
    names = ("ref", "check", "name", "phone", "email", "places", "notify")
    values = {k: (form.get(k) or "").strip()[: LIMITS.get(k, 254)] for k in names}
    result = BookingForm(values)
    errors = result.errors
    try:
        places = int(values["places"] or "1")
    except ValueError:
        places = 0
    if not 1 <= places <= event.max_places:
        errors["places"] = f"Enter a number of places from 1 to {event.max_places}."
    phone = phone_or_none(values["phone"])
    if values["phone"] and not phone:
        errors["phone"] = "Enter a phone number we can text, like 07912 345678."
    email = email_or_none(values["email"])
    if values["email"] and not email:
        errors["email"] = "Enter an email address, like name@example.com."
    if len(values["name"]) > NAME_MAX:
        errors["name"] = f"Keep your name to {NAME_MAX} characters or fewer."
    customer = None
    if values["ref"]:
        customer = verified_customer(
            values["ref"], check=values["check"], name=values["name"], phone=phone, email=email
        )
        if customer is None:
            errors["ref"] = NO_MATCH
            result.lookup_failed = True
    elif "phone" not in errors and "email" not in errors:
        customer = customer_by_contact(values["name"], phone, email)
    if customer is None and "ref" not in errors:
        if not values["name"]:
            errors["name"] = "Enter your name."
        if not (values["phone"] or values["email"]):
            errors["phone"] = "Enter a phone number or an email address so we can confirm your place."
    if errors:
        return result
    # Confirmations may go to the contact on file, but only what was typed is kept on the booking.
    notify = _notify(
        values["notify"],
        phone or (customer.phone if customer else None),
        email or (customer.email if customer else None),
    )
    result.request = BookingRequest(
        customer=customer,
        name=values["name"],
        phone=phone,
        email=email,
        places=places,
        source="web",
        notify_channel=notify,
    )
    return result


def event_form_data(form: Mapping[str, str]) -> dict[str, Any]:
    """Turn the staff event form into a definition dict (datetime-local values are UK time)."""
    data: dict[str, Any] = {key: (form.get(key) or "").strip() for key in EVENT_FIELDS}
    data["waitlist"] = form.get("waitlist") in ("on", "1", "true", "yes")
    if not data["slug"] and data["title"]:
        data["slug"] = slug_from(data["title"])  # made from the title unless staff wrote one
    for key in ("opens_at", "closes_at", "sms_keyword", "max_places", "reminder_hours"):
        if not data[key]:
            data.pop(key)
    return data
