"""Staff booking for someone who phones in: find them on the register, or book them as a guest."""

from __future__ import annotations

from app.contact import email_or_none, phone_or_none
from app.models import Customer
from consultations.events.forms import PhoneBookingForm
from consultations.events.matching import (
    candidates,
    customer_by_ref,
    live_customer,
)
from consultations.events.models import ACTIVE_STATUSES, BOOKED, WAITING, Event
from consultations.events.services import BookingOutcome, BookingRequest
from messaging.api import is_suppressed

CHANNEL_WORDS = {"sms": "by text", "email": "by email"}


def _places(raw: str, event: Event) -> int | None:
    try:
        places = int(raw or "1")
    except ValueError:
        return None
    return places if 1 <= places <= event.max_places else None


def _find_customer(form: PhoneBookingForm, phone: str | None, email: str | None) -> Customer | None:
    """Return the customer staff picked or gave the reference of; otherwise offer the likely matches."""
    if form.customer_id.data:
        return live_customer(form.customer_id.data)
    if form.ref.data:
        return customer_by_ref(form.ref.data)
    first, _, last = form.name.data.rpartition(" ")
    form.matches = candidates(first_name=first, last_name=last, phone=phone, email=email)
    return None


def _notify(form: PhoneBookingForm, phone: str | None, email: str | None) -> str:
    """Return the confirmation channel: the one asked for, else whatever contact there is."""
    wanted = form.notify.data
    if wanted == "sms" and not phone:
        form.fail("notify", "There is no mobile number to text the confirmation to.")
    elif wanted == "email" and not email:
        form.fail("notify", "There is no email address to send the confirmation to.")
    if wanted in ("sms", "email", "none"):
        return "" if wanted == "none" else wanted
    return "sms" if phone else ("email" if email else "")


def _check_customer(form: PhoneBookingForm, phone: str | None, email: str | None) -> Customer | None:
    """Find the customer booking; a guest instead needs a name and a way to confirm."""
    if form.who.data == "guest":
        if not form.name.data:
            form.fail("name", "Enter the guest's name.")
        if not (form.phone.data or form.email.data):
            form.fail("phone", "Enter a phone number or an email address so we can confirm the place.")
        return None
    if not (form.ref.data or form.customer_id.data or form.phone.data or form.email.data or form.name.data):
        form.fail(
            "ref", "Enter the customer's reference, or their name with a phone number or email address."
        )
        return None
    if form.failed("phone") or form.failed("email"):
        return None
    customer = _find_customer(form, phone, email)
    if customer is None and form.matches:
        form.fail("customer_id", "Choose the caller from the customers who match, or book as a guest.")
    elif customer is None:
        form.fail("ref", "No customer on the register matches those details. Check them, or book as a guest.")
    return customer


def read_phone_booking(form: PhoneBookingForm, event: Event) -> BookingRequest | None:
    """Check the staff booking form; return the request, or None with messages on the fields."""
    if not form.validate():
        return None
    form.who.data = "guest" if form.who.data == "guest" else "customer"
    places = _places(form.places.data, event)
    if places is None:
        form.fail("places", f"Enter a number of places from 1 to {event.max_places}.")
    phone = phone_or_none(form.phone.data)
    if form.phone.data and not phone:
        form.fail("phone", "Enter a phone number we can text, like 07912 345678.")
    email = email_or_none(form.email.data)
    if form.email.data and not email:
        form.fail("email", "Enter an email address, like name@example.com.")
    customer = _check_customer(form, phone, email)
    contact_phone = phone or (customer.phone if customer else None)
    contact_email = email or (customer.email if customer else None)
    notify = _notify(form, contact_phone, contact_email)
    form.confirm = form.notify.data != "none"
    if form.messages or places is None:
        return None
    return BookingRequest(
        customer=customer,
        name=form.name.data,
        phone=contact_phone,
        email=contact_email,
        places=places,
        source="phone",
        notify_channel=notify,
    )


def _confirmed(outcome: BookingOutcome, wanted: bool) -> bool:
    """True when a confirmation was queued: wanted, to an address that has not opted out."""
    booking = outcome.booking
    if not wanted or booking is None or outcome.status not in ACTIVE_STATUSES or not booking.address:
        return False
    return not is_suppressed(booking.notify_channel, booking.address)


def outcome_message(outcome: BookingOutcome, form: PhoneBookingForm) -> tuple[str, str]:
    """Say what the booking did, for the staff member on the phone; return (message, flash category)."""
    booking = outcome.booking
    who = booking.display_name if booking else (form.name.data or "The caller")
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
