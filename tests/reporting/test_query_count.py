"""Building the report issues a fixed number of SQL statements, however many activities there are."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

from flask import Flask
from sqlalchemy import event

from app.extensions import db
from app.models import Activity, Cost, Customer, Participation, StaffTime
from tests.reporting.conftest import FROM, TO, make_report


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    """Collect every statement the engine executes inside the block."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _activities(count: int) -> None:
    customers = [Customer(ref=f"q{i}", age_band="25-44") for i in range(10)]
    db.session.add_all(customers)
    for n in range(count):
        activity = Activity(
            name=f"Activity {n:02d}", category=("forum", "training", "event")[n % 3],
            start_date=FROM + timedelta(days=n), homes_affected=100 + n, target_customers=5,
        )  # fmt: skip
        db.session.add(activity)
        for i, customer in enumerate(customers[: 1 + n % 10]):
            db.session.add(Participation(activity=activity, customer=customer, date=FROM + timedelta(days=i),
                                         channel=("sms", "email")[i % 2], hours=Decimal("0.5")))  # fmt: skip
        db.session.add(Participation(activity=activity, date=FROM, channel="online", headcount=3))
        db.session.add(StaffTime(activity=activity, date=FROM, hours=Decimal(2)))
        db.session.add(Cost(activity=activity, date=FROM, amount=Decimal("12.34")))
    db.session.commit()
    db.session.expunge_all()


def _statements_for(count: int) -> int:
    _activities(count)
    with counted_statements() as statements:
        report = make_report()
    assert len(report.activities) == count
    db.session.rollback()
    return len(statements)


def test_the_same_number_of_statements_for_3_and_30_activities(app: Flask) -> None:
    few = _statements_for(3)
    from tests.conftest import _empty_tables

    _empty_tables()
    many = _statements_for(30)
    assert few == many
    assert many <= 13  # 12 for the figures, 1 for the landlord's lists that order the profile


def test_a_period_outside_the_data_still_runs_few_statements(app: Flask) -> None:
    _activities(5)
    with counted_statements() as statements:
        make_report(date(2030, 1, 1), date(2030, 12, 31))
    assert len(statements) <= 13
    assert TO > FROM
