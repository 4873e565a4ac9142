"""The ledger's bulk write straight to the driver stores exactly what the ORM's executemany stores."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import text

from app import ledger
from app.extensions import db
from app.models import Activity, Customer, Participation

NOW = datetime(2011, 6, 1, 9, 30, tzinfo=UTC)
NAMES = ("activity_id", "customer_id", "date", "channel", "hours", "headcount", "source_key")


def stored() -> list[tuple[object, ...]]:
    sql = "SELECT activity_id, customer_id, date, channel, hours, headcount, source, source_key, created_at"
    rows = db.session.execute(text(f"{sql} FROM participations ORDER BY source_key")).all()
    return [tuple(row) for row in rows]


def write(prefix: str) -> int:
    activity = db.session.scalar(db.select(Activity.id))
    customer = db.session.scalar(db.select(Customer.id))
    rows = [
        (activity, customer, date(2011, 2, 3), "in person", Decimal("1.5000"), 1, f"{prefix}a"),
        (activity, None, date(2011, 9, 17), "event", Decimal("0.3333"), 4, f"{prefix}b"),
    ]
    return ledger.bulk_add(Participation, NAMES, rows, constants={"source": "import", "created_at": NOW})


def test_the_driver_path_and_the_orm_path_store_the_same_values(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.session.add_all([Activity(name="Panel", category="panel"), Customer(ref="DH1")])
    db.session.flush()
    assert (ledger._driver_writer(Participation, NAMES, {"source": "", "created_at": NOW}) is not None) is (
        db.engine.dialect.name == "sqlite"
    )
    assert write("fast:") == 2
    fast = stored()
    db.session.execute(text("DELETE FROM participations"))
    monkeypatch.setattr(ledger, "_driver_writer", lambda *args: None)
    assert write("fast:") == 2
    assert stored() == fast
    db.session.rollback()
