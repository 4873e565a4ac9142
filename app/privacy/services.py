"""Erasing a customer: personal details go, the participation ledger stays (tied to a tombstone)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import Customer
from app.models.audit import record
from app.privacy.registry import places

# Every field of the customer row that says who the person is or describes them.
PERSONAL_FIELDS = (
    "phone",
    "email",
    "area_id",
    "tenure",
    "age_band",
    "gender",
    "ethnicity",
    "disability",
    "sms_opted_out_at",
    "email_opted_out_at",
)


class PrivacyError(ValueError):
    """A privacy request that cannot be carried out; the message says why."""


def find_customer(ref: str) -> Customer:
    """Return the customer with reference ``ref`` (ignoring case and spaces) or raise PrivacyError."""
    ref = (ref or "").strip()
    customer = (
        db.session.scalar(select(Customer).where(func.upper(Customer.ref) == ref.upper())) if ref else None
    )
    if customer is None:
        raise PrivacyError(f"No customer has the reference {ref!r}.")
    return customer


def erase_customer(customer: Customer, actor: Any, now: datetime) -> dict[str, int]:
    """Remove a customer's personal data everywhere, keep their participation rows; flushes and audits.

    The customer row stays as a tombstone (``erased_at`` set, every personal field blank) so the
    ledger's ``customer_id`` still counts one distinct person and report figures do not move. The
    reference stays too: it is what stops a later register import bringing the person back, as
    the suppression list's addresses stop them being contacted again.
    Returns how many rows each place changed.
    """
    if customer.erased_at is not None:
        raise PrivacyError(f"This customer's details were already erased on {customer.erased_at:%d %B %Y}.")
    # Other places match rows by the phone and email too, so they run before the row is blanked.
    changed = {place.name: place.erase(customer, now) for place in places()}
    customer.first_name = ""
    customer.last_name = ""
    for name in PERSONAL_FIELDS:
        setattr(customer, name, None)
    customer.sms_consent = False
    customer.email_consent = False
    customer.involvement_register = False
    customer.erased_at = now
    customer.updated_at = now
    db.session.flush()
    # Counts only: the audit log must not keep what was erased.
    record(
        "customer.erase", actor=actor, target_type="customer", target_id=customer.id, detail=changed, now=now
    )
    db.session.flush()
    return changed
