"""Staff booking for someone who phones in: find them on the register, or book them as a guest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.contact import email_or_none, phone_or_none
from app.models import Customer
from consultations.events.matching import (
    candidates,
    customer_by_ref,
    live_customer,
)
from consultations.events.models import ACTIVE_STATUSES, BOOKED, WAITING, Event
from consultations.events.services import BookingOutcome, BookingRequest
from messaging.api import is_suppressed

FIELDS = ("who", "ref", "customer_id", "name", "phone", "email", "places", "notify")
CHANNEL_WORDS = {"sms": "by text", "email": "by email"}


@dataclass
class PhoneBookingForm:
    """The staff booking form as typed, its errors by field, and the request when it is valid."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    request: BookingRequest | None = None
    # False when staff choose no confirmation (the caller has it on paper, say).
    confirm: bool = True
    # Register customers who match the caller's name, phone or email, for staff to choose from.
    matches: list[Customer] = field(default_factory=list)


def _places(raw: str, event: Event) -> int | None:
    try:
        places = int(raw or "1")
    except ValueError:
        return None
    return places if 1 <= places <= event.max_places else None


def _find_customer(result: PhoneBookingForm, phone: str | None, email: str | None) -> Customer | None:
    """Return the customer staff picked or gave the reference of; otherwise offer the likely matches."""
    values = result.values
    if values["customer_id"]:
        return live_customer(values["customer_id"])
    if values["ref"]:
        return customer_by_ref(values["ref"])
    first, _, last = values["name"].rpartition(" ")
    result.matches = candidates(first_name=first, last_name=last, phone=phone, email=email)
    return None


def _notify(wanted: str, phone: str | None, email: str | None, errors: dict[str, str]) -> str:
    """Return the confirmation channel: the one asked for, else whatever contact there is."""
    if wanted == "sms" and not phone:
        errors["notify"] = "There is no mobile number to text the confirmation to."
    elif wanted == "email" and not email:
        errors["notify"] = "There is no email address to send the confirmation to."
    if wanted in ("sms", "email", "none"):
        return "" if wanted == "none" else wanted
    return "sms" if phone else ("email" if email else "")


def read_phone_booking(form: Mapping[str, str], event: Event) -> PhoneBookingForm:
    """Check the staff booking form: a customer found by ref, phone or email, or a named guest."""
    values = {k: (form.get(k) or "").strip() for k in FIELDS}
    values["who"] = "guest" if values["who"] == "guest" else "customer"
    result = PhoneBookingForm(values)
    errors = result.errors
    places = _places(values["places"], event)
    if places is None:
        errors["places"] = f"Enter a number of places from 1 to {event.max_places}."
    phone = phone_or_none(values["phone"])
    if values["phone"] and not phone:
        errors["phone"] = "Enter a phone number we can text, like 07912 345678."
    email = email_or_none(values["email"])
    if values["email"] and not email:
        errors["email"] = "Enter an email address, like name@example.com."
    customer = None
    if values["who"] == "customer":
        if not (
            values["ref"] or values["customer_id"] or values["phone"] or values["email"] or values["name"]
        ):
            errors["ref"] = (
                "Enter the customer's reference, or their name with a phone number or email address."
            )
        elif "phone" not in errors and "email" not in errors:
            customer = _find_customer(result, phone, email)
            if customer is None and result.matches:
                errors["customer_id"] = "Choose the caller from the customers who match, or book as a guest."
            elif customer is None:
                errors["ref"] = (
                    "No customer on the register matches those details. Check them, or book as a guest."
                )
    else:
        if not values["name"]:
            errors["name"] = "Enter the guest's name."
        if not (values["phone"] or values["email"]):
            errors["phone"] = "Enter a phone number or an email address so we can confirm the place."
    contact_phone = phone or (customer.phone if customer else None)
    contact_email = email or (customer.email if customer else None)
    notify = _notify(values["notify"], contact_phone, contact_email, errors)
    result.confirm = values["notify"] != "none"
    if errors or places is None:
        return result
    result.request = BookingRequest(
        customer=customer,
        name=values["name"],
        phone=contact_phone,
        email=contact_email,
        places=places,
        source="phone",
        notify_channel=notify,
    )
    return result


def _confirmed(outcome: BookingOutcome, wanted: bool) -> bool:
    """True when a confirmation was queued: wanted, to an address that has not opted out."""
    booking = outcome.booking
    if not wanted or booking is None or outcome.status not in ACTIVE_STATUSES or not booking.address:
        return False
    return not is_suppressed(booking.notify_channel, booking.address)


def outcome_message(outcome: BookingOutcome, form: PhoneBookingForm) -> tuple[str, str]:
    """Say what the booking did, for the staff member on the phone; return (message, flash category)."""
    booking = outcome.booking
    who = booking.display_name if booking else (form.values["name"] or "The caller")
    how = CHANNEL_WORDS.get(booking.notify_channel, "") if booking else ""
    told = (
        f" Confirmation sent {how}."
        if how and _confirmed(outcome, form.confirm)
        else " No confirmation was sent."
    )
    if outcome.status == BOOKED and booking:
        places = f"{booking.places} place" + ("" if booking.places == 1 else "s")
        return f"Booked {places} for {who}.{told}", "success"
    if outcome.status == WAITING:
        return f"The event is full: {who} is number {outcome.position} on the waiting list.{told}", "success"
    if outcome.status == "already" and booking:
        where = f"number {outcome.position} on the waiting list" if booking.status == WAITING else "booked"
        return f"{who} is already {where}; nothing changed.", "info"
    if outcome.status == "full":
        return "The event is full and has no waiting list; nothing was booked.", "error"
    if outcome.status == "not_open":
        return "Booking for this event has not opened yet; nothing was booked.", "error"
    return "Booking for this event has closed; nothing was booked.", "error"
