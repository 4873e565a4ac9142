"""Read the booking and event forms into service arguments, with a message per field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from consultations.events.matching import customer_by_ref, match_customer, normalise_email, normalise_phone
from consultations.events.models import Event
from consultations.events.services import BookingRequest

EVENT_FIELDS = (
    "slug", "title", "activity", "description", "starts_at", "ends_at", "venue", "online_url", "capacity",
    "sms_keyword", "opens_at", "closes_at", "max_places", "reminder_hours",
)  # fmt: skip


@dataclass
class BookingForm:
    """The booking form as typed, its errors by field, and the request when it is valid."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    request: BookingRequest | None = None


def read_booking_form(form: Mapping[str, str], event: Event) -> BookingForm:
    """Check the public booking form and match the booker to the register."""
    values = {k: (form.get(k) or "").strip() for k in ("ref", "name", "phone", "email", "places", "notify")}
    result = BookingForm(values)
    errors = result.errors
    try:
        places = int(values["places"] or "1")
    except ValueError:
        places = 0
    if not 1 <= places <= event.max_places:
        errors["places"] = f"Enter a number of places from 1 to {event.max_places}."
    phone = normalise_phone(values["phone"])
    if values["phone"] and not phone:
        errors["phone"] = "Enter a phone number we can text, like 07912 345678."
    email = normalise_email(values["email"])
    if values["email"] and not email:
        errors["email"] = "Enter an email address, like name@example.com."
    customer = None
    if values["ref"]:
        customer = customer_by_ref(values["ref"])
        if customer is None:
            errors["ref"] = "We could not find that customer reference. Check it, or leave it blank."
    elif "phone" not in errors and "email" not in errors:
        customer = match_customer("", phone, email)
    if customer is None and "ref" not in errors:
        if not values["name"]:
            errors["name"] = "Enter your name."
        if not (values["phone"] or values["email"]):
            errors["phone"] = "Enter a phone number or an email address so we can confirm your place."
    if errors:
        return result
    contact_phone = phone or (customer.phone if customer else None)
    contact_email = email or (customer.email if customer else None)
    notify = values["notify"]
    if (
        (notify == "sms" and not contact_phone)
        or (notify == "email" and not contact_email)
        or notify not in ("sms", "email")
    ):
        notify = "email" if contact_email else ("sms" if contact_phone else "")
    result.request = BookingRequest(
        customer=customer, name=values["name"], phone=contact_phone, email=contact_email, places=places,
        source="web", notify_channel=notify,
    )  # fmt: skip
    return result


def event_form_data(form: Mapping[str, str]) -> dict[str, Any]:
    """Turn the staff event form into a definition dict (datetime-local values are UK time)."""
    data: dict[str, Any] = {key: (form.get(key) or "").strip() for key in EVENT_FIELDS}
    data["waitlist"] = form.get("waitlist") in ("on", "1", "true", "yes")
    for key in ("opens_at", "closes_at", "sms_keyword", "max_places", "reminder_hours"):
        if not data[key]:
            data.pop(key)
    return data
