"""Small builders of register rows for the consultation tests."""

from __future__ import annotations

import itertools
from typing import Any

from app.extensions import db
from app.models import Activity, Area, Customer

_counter = itertools.count(1)


def area(name: str, homes: int = 100) -> Area:
    """Add an area."""
    row = Area(name=name, homes=homes)
    db.session.add(row)
    db.session.flush()
    return row


def customer(**fields: Any) -> Customer:
    """Add a customer with a unique ref; phone/email and consent as given."""
    n = next(_counter)
    values: dict[str, Any] = {"ref": f"C{n:05d}", "first_name": f"Pat{n}", "last_name": "Smith"}
    values.update(fields)
    row = Customer(**values)
    db.session.add(row)
    db.session.flush()
    return row


def sms_customer(phone: str, **fields: Any) -> Customer:
    """Add a customer who can be texted."""
    return customer(phone=phone, sms_consent=True, **fields)


def email_customer(email: str, **fields: Any) -> Customer:
    """Add a customer who can be emailed."""
    return customer(email=email, email_consent=True, **fields)


def activity(name: str = "Derwent Life newsletter") -> Activity:
    """Add an activity."""
    row = Activity(name=name, category="consultation")
    db.session.add(row)
    db.session.flush()
    return row
