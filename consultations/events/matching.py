"""Read contact details as people type them and match them to the customer register."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import Customer


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


def _letters(text: str | None) -> str:
    """Fold a surname or postcode for comparison: case, spaces, hyphens and apostrophes ignored."""
    return "".join(ch for ch in (text or "").casefold() if ch.isalnum())


def surname_of(name: str) -> str:
    """Return the last word of a typed name ('Jo van Dyke' → 'Dyke'); '' when none."""
    words = (name or "").replace(",", " ").split()
    return words[-1] if words else ""


def second_detail_matches(
    customer: Customer,
    *,
    check: str = "",
    name: str = "",
    phone: str | None = None,
    email: str | None = None,
) -> bool:
    """True when something the visitor typed matches the register: surname, postcode, phone or email."""
    surname = _letters(customer.last_name)
    typed = _letters(check)
    if typed and (typed == surname or (customer.postcode and typed == _letters(customer.postcode))):
        return True
    if surname and _letters(surname_of(name)) == surname:
        return True
    if phone and customer.phone and phone == customer.phone:
        return True
    return bool(email and customer.email and email.lower() == customer.email.lower())


def verified_customer(
    ref: str, *, check: str = "", name: str = "", phone: str | None = None, email: str | None = None
) -> Customer | None:
    """Return the customer with this reference only when a second typed detail matches them.

    An unknown reference and a known one with the wrong detail both give None, so a page that
    uses this tells the visitor nothing about which references exist.
    """
    customer = customer_by_ref(ref)
    if customer is None:
        return None
    detail = second_detail_matches(customer, check=check, name=name, phone=phone, email=email)
    return customer if detail else None


def customer_by_contact(name: str, phone: str | None, email: str | None) -> Customer | None:
    """Return the one customer whose phone or email was typed together with their surname."""
    surname = _letters(surname_of(name))
    if not surname:
        return None
    for customer in (customer_by_phone(phone), customer_by_email(email)):
        if customer is not None and _letters(customer.last_name) == surname:
            return customer
    return None


def candidates(
    *,
    first_name: str = "",
    last_name: str = "",
    phone: str | None = None,
    email: str | None = None,
    limit: int = 10,
) -> list[Customer]:
    """Return register customers staff may mean: the same phone or email, or the same full name."""
    clauses = []
    if phone:
        clauses.append(Customer.phone == phone)
    if email:
        clauses.append(func.lower(Customer.email) == email.lower())
    if first_name.strip() and last_name.strip():
        clauses.append(
            (func.lower(Customer.first_name) == first_name.strip().lower())
            & (func.lower(Customer.last_name) == last_name.strip().lower())
        )
    if not clauses:
        return []
    query = select(Customer).where(or_(*clauses), Customer.erased_at.is_(None))
    return list(
        db.session.scalars(query.order_by(Customer.last_name, Customer.first_name, Customer.id).limit(limit))
    )


def live_customer(customer_id: int | str | None) -> Customer | None:
    """Return the live customer staff picked by id, if there is one."""
    try:
        cid = int(customer_id or 0)
    except (TypeError, ValueError):
        return None
    customer = db.session.get(Customer, cid) if cid else None
    return customer if customer is not None and customer.erased_at is None else None
