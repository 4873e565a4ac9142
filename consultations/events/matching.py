"""Read contact details as people type them and match them to the customer register."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from app.extensions import db
from app.models import Customer


def normalise_phone(raw: str) -> str | None:
    """Return a UK or international phone number in E.164, or None when it is not a valid number."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        parsed = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str | None:
    """Return a normalised email address, or None when it is not one."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def _only(rows: list[Customer]) -> Customer | None:
    # A phone or email shared by a household matches nobody rather than the wrong person.
    return rows[0] if len(rows) == 1 else None


def customer_by_ref(ref: str) -> Customer | None:
    """Return the live customer with this reference (any case)."""
    ref = (ref or "").strip()
    if not ref:
        return None
    rows = db.session.scalars(
        select(Customer).where(func.upper(Customer.ref) == ref.upper(), Customer.erased_at.is_(None))
    ).all()
    return _only(list(rows))


def customer_by_phone(phone: str | None) -> Customer | None:
    """Return the one live customer with this E.164 phone."""
    if not phone:
        return None
    rows = db.session.scalars(
        select(Customer).where(Customer.phone == phone, Customer.erased_at.is_(None)).limit(2)
    )
    return _only(list(rows))


def customer_by_email(email: str | None) -> Customer | None:
    """Return the one live customer with this email address."""
    if not email:
        return None
    rows = db.session.scalars(
        select(Customer)
        .where(func.lower(Customer.email) == email.lower(), Customer.erased_at.is_(None))
        .limit(2)
    )
    return _only(list(rows))


def match_customer(ref: str = "", phone: str | None = None, email: str | None = None) -> Customer | None:
    """Find the customer by reference, else by phone, else by email."""
    return customer_by_ref(ref) or customer_by_phone(phone) or customer_by_email(email)
