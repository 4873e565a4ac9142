"""Creating and editing customers on the register."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.auth.accounts import AccountError, set_active
from app.contact import ContactError, normalise_email, normalise_phone
from app.extensions import db
from app.models import Area, Customer
from app.models.audit import apply_changes, record
from app.vocabulary.lists import load_all

PROFILE_LISTS = ("tenure", "age_band", "gender", "ethnicity", "disability", "language")


class CustomerError(ValueError):
    """A customer cannot be saved as given; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class CustomerData:
    """What staff may set on a customer record."""

    ref: str
    first_name: str = ""
    last_name: str = ""
    phone: str | None = None
    email: str | None = None
    area_id: int | None = None
    tenure: str | None = None
    age_band: str | None = None
    gender: str | None = None
    ethnicity: str | None = None
    disability: str | None = None
    language: str | None = None
    sms_consent: bool = False
    email_consent: bool = False
    involvement_register: bool = False


def _clean(data: CustomerData, existing: Customer | None) -> dict[str, Any]:
    """Normalise and check ``data``; raise CustomerError naming the field at fault."""
    values = {f.name: getattr(data, f.name) for f in fields(data)}
    for key, value in values.items():
        if isinstance(value, str):
            values[key] = value.strip() or (None if key not in {"ref", "first_name", "last_name"} else "")
    if not values["ref"]:
        raise CustomerError("ref", "Enter the customer reference.")
    if len(values["ref"]) > 40:
        raise CustomerError("ref", "A reference is at most 40 characters.")
    clash = db.session.scalar(select(Customer.id).where(Customer.ref == values["ref"]))
    if clash is not None and (existing is None or clash != existing.id):
        raise CustomerError("ref", f"Reference {values['ref']} already belongs to another customer.")
    try:
        values["phone"] = normalise_phone(values["phone"])
    except ContactError as exc:
        raise CustomerError("phone", str(exc)) from exc
    try:
        values["email"] = normalise_email(values["email"])
    except ContactError as exc:
        raise CustomerError("email", str(exc)) from exc
    if values["sms_consent"] and not values["phone"]:
        raise CustomerError("sms_consent", "Add a mobile number before recording consent to texts.")
    if values["email_consent"] and not values["email"]:
        raise CustomerError("email_consent", "Add an email address before recording consent to emails.")
    if values["area_id"] is not None and db.session.get(Area, values["area_id"]) is None:
        raise CustomerError("area_id", "Choose an area from the list.")
    lists = load_all()
    for name in PROFILE_LISTS:
        raw = values[name]
        if raw is None or (existing is not None and raw == getattr(existing, name)):
            continue
        listed = lists[name].canonical(raw)
        if listed is None:
            raise CustomerError(name, f"Choose one of the listed values: {lists[name].allowed()}.")
        values[name] = listed
    return values


def save_customer(data: CustomerData, *, customer: Customer | None, actor: Any, now: datetime) -> Customer:
    """Create a customer, or update ``customer``, and audit which fields changed; the caller commits."""
    values = _clean(data, customer)
    if customer is None:
        customer = Customer(created_at=now, updated_at=now, **values)
        db.session.add(customer)
        db.session.flush()
        record("customer.create", actor=actor, target_type="customer", target_id=customer.id, now=now)
        return customer
    # Field names only: the audit log must not become a second copy of personal data.
    if apply_changes(customer, values, "customer.update", actor=actor, now=now, target_type="customer"):
        customer.updated_at = now
    db.session.flush()
    return customer


# Staff logins are administered in app.auth.accounts; these names stay for existing callers.
StaffError = AccountError


def set_staff_active(user: Any, active: bool, *, actor: Any, now: datetime) -> None:
    """Turn a staff login on or off (see app.auth.accounts.set_active); the caller commits."""
    set_active(user, active, actor=actor, now=now)
