"""Helpers for the messaging tests: a clock, customers and activities."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.models import Activity, Customer

NOON = datetime(2011, 6, 1, 11, 0, tzinfo=UTC)  # 12:00 in London (BST)


@pytest.fixture
def make_customer() -> Callable[..., Customer]:
    """Create a customer on the register."""
    counter = {"n": 0}

    def make(
        phone: str | None = "+447911123456", email: str | None = None, first_name: str = "Ann"
    ) -> Customer:
        counter["n"] += 1
        customer = Customer(
            ref=f"C{counter['n']:04d}", first_name=first_name, last_name="Smith", phone=phone, email=email
        )
        db.session.add(customer)
        db.session.commit()
        return customer

    return make


@pytest.fixture
def activity() -> Activity:
    """An activity to charge SMS costs to."""
    item = Activity(name="Newsletter survey", category="consultation")
    db.session.add(item)
    db.session.commit()
    return item
