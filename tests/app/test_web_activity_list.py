"""The activities list: totals from one grouped query, and the same statements however many activities."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import Activity, Cost, Participation, StaffTime
from app.periods import financial_year
from app.web.involvement.queries import activity_rows
from tests.app.activity_helpers import TODAY, customers, make_activity


def test_the_activity_list_totals_come_from_one_grouped_query(staff_client: FlaskClient) -> None:
    a, b = make_activity("Local Offers"), make_activity("Reading Panel")
    c1, c2 = customers("DL1", "DL2")
    year = financial_year(TODAY)
    last_year = year.start - timedelta(days=10)
    db.session.add_all(
        [
            Participation(activity_id=a.id, customer_id=c1.id, date=TODAY, channel="web", hours=Decimal("1")),
            Participation(
                activity_id=a.id, customer_id=c1.id, date=year.start, channel="web", hours=Decimal("1")
            ),
            Participation(
                activity_id=a.id, customer_id=c2.id, date=last_year, channel="post", hours=Decimal("2")
            ),
            Participation(
                activity_id=a.id,
                customer_id=None,
                headcount=10,
                date=TODAY,
                channel="in person",
                hours=Decimal("5"),
            ),
            Cost(activity_id=a.id, date=TODAY, amount=Decimal("10.10")),
            Cost(activity_id=a.id, date=TODAY, amount=Decimal("0.20")),
            StaffTime(activity_id=b.id, date=TODAY, hours=Decimal("3")),
        ]
    )
    db.session.commit()
    rows = {row[0].name: row for row in activity_rows()}
    assert rows["Local Offers"].customers == 12
    assert Decimal(rows["Local Offers"].customer_hours) == Decimal("9")
    assert Decimal(rows["Local Offers"].total_cost) == Decimal("10.30")
    assert rows["Reading Panel"].customers == 0 and Decimal(rows["Reading Panel"].staff_hours) == 3
    this_year = {row[0].name: row for row in activity_rows(year)}
    assert this_year["Local Offers"].customers == 11  # the customer seen only last year drops out
    text = staff_client.get("/activities", query_string={"fy": str(year.start.year)}).get_data(as_text=True)
    assert "£10.30" in text and f"Financial year {year.label}" in text


def _statements_for_activities_page(client: FlaskClient, count: int) -> int:
    """Add activities up to ``count`` with a participation each; count the list page's statements."""
    existing = db.session.scalar(select(func.count()).select_from(Activity)) or 0
    (person,) = customers(f"QC{count}")
    for n in range(existing, count):
        activity = Activity(name=f"Counted {n:02d}", category="forum", start_date=TODAY)
        db.session.add(activity)
        db.session.add(Participation(activity=activity, customer_id=person.id, date=TODAY, channel="web",
                                     hours=Decimal(1)))  # fmt: skip
        db.session.add(StaffTime(activity=activity, date=TODAY, hours=Decimal(1)))
        db.session.add(Cost(activity=activity, date=TODAY, amount=Decimal("1.00")))
    db.session.commit()
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        page = client.get("/activities")
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert page.status_code == 200 and f"Counted {count - 1:02d}" in page.get_data(as_text=True)
    return len(statements)


def test_the_activities_list_runs_the_same_statements_for_3_or_30_activities(
    staff_client: FlaskClient,
) -> None:
    assert _statements_for_activities_page(staff_client, 3) == _statements_for_activities_page(
        staff_client, 30
    )
