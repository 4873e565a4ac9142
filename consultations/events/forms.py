"""The booking, event, invitation and register forms, with the checks that span several fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, StringField
from wtforms.validators import DataRequired

from app.contact import email_or_none, phone_or_none
from app.models import Customer
from app.web.ledger_forms import CostForm, StaffTimeForm
from consultations.audience_lists import unlisted_errors
from consultations.audiences import AudienceError, AudienceSpec
from consultations.events.matching import customer_by_contact, verified_customer
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


def _clip(limit: int | None = None) -> Callable[[str | None], str]:
    """Return a filter that strips a typed value and cuts it to ``limit`` characters."""
    return lambda value: (value or "").strip()[:limit]


def _text(limit: int | None = None) -> StringField:
    return StringField(filters=[_clip(limit)])


class CheckedForm(FlaskForm):
    """A form whose checks across fields leave one message on the field they concern."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The first message on each field, in the order found: the error summary lists them so.
        self.messages: dict[str, str] = {}

    def validate(self, extra_validators: Any = None) -> bool:
        """Run the field validators (and the CSRF check), keeping their first messages too."""
        valid = super().validate(extra_validators)
        self.messages = {name: errors[0] for name, errors in self.errors.items() if name and errors}
        return valid

    @property
    def values(self) -> dict[str, Any]:
        """Return what was typed, by field name, to show the form again."""
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}

    def fail(self, name: str, message: str) -> None:
        """Put ``message`` on field ``name``, replacing any earlier one."""
        self[name].errors = [message]
        self.messages[name] = message

    def failed(self, name: str) -> bool:
        """True when field ``name`` has a message."""
        return name in self.messages


def _notify(wanted: str, phone: str | None, email: str | None) -> str:
    """Return the channel asked for when there is an address for it, else whichever there is."""
    if (wanted == "sms" and phone) or (wanted == "email" and email):
        return wanted
    return "email" if email else ("sms" if phone else "")


class BookingForm(CheckedForm):
    """The public booking form; links the booker to the register only on two matching details."""

    ref = _text(LIMITS["ref"])
    check = _text(LIMITS["check"])
    name = _text(LIMITS["name"])
    phone = _text(LIMITS["phone"])
    email = _text(LIMITS["email"])
    places = _text(LIMITS["places"])
    notify = _text(LIMITS["notify"])
    # Set by `read`: the request when the form is valid, and whether a typed reference failed
    # to match (counted against the address's limit).
    booking_request: BookingRequest | None = None
    lookup_failed: bool = False

    def read(self, event: Event) -> BookingRequest | None:
        """Check the form for ``event``; return the booking request, or None with messages on the fields."""
        if not self.validate():
            return None
        values = self.values
        try:
            places = int(values["places"] or "1")
        except ValueError:
            places = 0
        if not 1 <= places <= event.max_places:
            self.fail("places", f"Enter a number of places from 1 to {event.max_places}.")
        phone = phone_or_none(values["phone"])
        if values["phone"] and not phone:
            self.fail("phone", "Enter a phone number we can text, like 07912 345678.")
        email = email_or_none(values["email"])
        if values["email"] and not email:
            self.fail("email", "Enter an email address, like name@example.com.")
        if len(values["name"]) > NAME_MAX:
            self.fail("name", f"Keep your name to {NAME_MAX} characters or fewer.")
        customer = None
        if values["ref"]:
            customer = verified_customer(
                values["ref"], check=values["check"], name=values["name"], phone=phone, email=email
            )
            if customer is None:
                self.fail("ref", NO_MATCH)
                self.lookup_failed = True
        elif not (self.failed("phone") or self.failed("email")):
            customer = customer_by_contact(values["name"], phone, email)
        if customer is None and not self.failed("ref"):
            if not values["name"]:
                self.fail("name", "Enter your name.")
            if not (values["phone"] or values["email"]):
                self.fail("phone", "Enter a phone number or an email address so we can confirm your place.")
        if self.messages:
            return None
        # Confirmations may go to the contact on file, but only what was typed is kept on the booking.
        notify = _notify(
            values["notify"],
            phone or (customer.phone if customer else None),
            email or (customer.email if customer else None),
        )
        self.booking_request = BookingRequest(
            customer=customer,
            name=values["name"],
            phone=phone,
            email=email,
            places=places,
            source="web",
            notify_channel=notify,
        )
        return self.booking_request


class PhoneBookingForm(CheckedForm):
    """Staff booking for someone who phoned: a customer on the register, or a named guest."""

    who = _text()
    ref = _text()
    customer_id = _text()
    name = _text()
    phone = _text()
    email = _text()
    places = _text()
    notify = _text()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Register customers who match the caller's name, phone or email, for staff to choose from.
        self.matches: list[Customer] = []
        # False when staff choose no confirmation (the caller has it on paper, say).
        self.confirm = True


class EventForm(CheckedForm):
    """The staff form that creates or edits an event; the definition checks do the validating."""

    slug = _text()
    title = _text()
    activity = _text()
    description = _text()
    starts_at = _text()
    ends_at = _text()
    venue = _text()
    online_url = _text()
    capacity = _text()
    sms_keyword = _text()
    opens_at = _text()
    closes_at = _text()
    max_places = _text()
    reminder_hours = _text()
    waitlist = BooleanField()
    new_activity = BooleanField()

    def definition(self) -> dict[str, Any]:
        """Return the event definition typed (datetime-local values are UK time)."""
        data: dict[str, Any] = {key: self[key].data for key in EVENT_FIELDS}
        data["waitlist"] = bool(self.waitlist.data)
        if not data["slug"] and data["title"]:
            data["slug"] = slug_from(data["title"])  # made from the title unless staff wrote one
        for key in ("opens_at", "closes_at", "sms_keyword", "max_places", "reminder_hours"):
            if not data[key]:
                data.pop(key)
        return data


class InviteForm(FlaskForm):
    """Who to invite to an event, and by which channels."""

    areas = _text()
    tenures = _text()
    consented_only = BooleanField()
    involvement_register = BooleanField()
    channel_sms = BooleanField()
    channel_email = BooleanField()
    action = _text()

    def audience(self) -> tuple[AudienceSpec, list[str]]:
        """Return the audience and channels chosen; raise AudienceError for a tenure off the list."""
        spec = AudienceSpec.from_json(
            {
                "areas": self.areas.data,
                "tenures": self.tenures.data,
                "consented_only": bool(self.consented_only.data),
                "involvement_register": bool(self.involvement_register.data),
            }
        )
        # A tenure off the landlord's list would silently invite nobody: say so instead.
        unlisted = unlisted_errors(spec)
        if unlisted:
            raise AudienceError(" ".join(unlisted))
        return spec, [c for c in ("sms", "email") if self[f"channel_{c}"].data]


class RegisterForm(FlaskForm):
    """A form on the register page; ``q`` carries the search back to the page."""

    q = _text()


class TickForm(RegisterForm):
    """Mark a booking as attended, or undo it."""

    attended = _text()


class WalkInForm(RegisterForm):
    """Someone who came without booking, found on the register or added as a guest."""

    ref = _text()
    first_name = _text()
    last_name = _text()
    phone = _text()
    email = _text()
    places = _text()
    customer_id = _text()
    as_guest = _text()

    def place_count(self) -> int:
        """Return the places asked for (1 when blank; 0, refused later, when not a number)."""
        try:
            return int(self.places.data or "1")
        except ValueError:
            return 0


class OnlineForm(RegisterForm):
    """The count of people who watched online."""

    online_viewers = _text()


class EventDayField(DateField):
    """A date field that keeps its default (the event's date) when left blank."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and not "".join(valuelist).strip():
            return
        super().process_formdata(valuelist)


class EventStaffTimeForm(StaffTimeForm):
    """Staff time on an event's activity; a blank date means the event's date."""

    date = EventDayField("Date", validators=[DataRequired("Enter the date the work was done.")])


class EventCostForm(CostForm):
    """A cost on an event's activity; a blank date means the event's date."""

    date = EventDayField("Date", validators=[DataRequired("Enter the date of the spend.")])
