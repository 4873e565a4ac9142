"""The report is computed once per period and input state; any write the report reads makes it recompute."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from flask.testing import FlaskClient
from sqlalchemy import select, update

from app import ledger as ledger_service
from app.extensions import db
from app.models import Budget, Customer
from reporting.models import ReportSnapshot
from reporting.state import current_version
from tests.reporting.conftest import FROM, NOW, TO, Ledger
from tests.reporting.test_query_count import counted_statements

PERIOD = {"from": FROM.isoformat(), "to": TO.isoformat()}


def _aggregates(statements: list[str]) -> int:
    return sum(1 for s in statements if "participations" in s.lower())


def _json(client: FlaskClient) -> dict:
    return json.loads(client.get("/reports/download/json", query_string=PERIOD).data)


def test_views_and_downloads_after_the_first_reuse_the_computed_report(
    manager_client: FlaskClient, ledger: Ledger
) -> None:
    with counted_statements() as first:
        assert manager_client.get("/reports", query_string=PERIOD).status_code == 200
    assert _aggregates(first) >= 5  # computed
    for fmt in ("csv", "json", "xlsx"):
        with counted_statements() as again:
            assert manager_client.get(f"/reports/download/{fmt}", query_string=PERIOD).status_code == 200
        assert _aggregates(again) == 0, fmt  # rendering only
    assert len(db.session.scalars(select(ReportSnapshot)).all()) == 1


def test_a_ledger_write_makes_the_next_view_recompute(manager_client: FlaskClient, ledger: Ledger) -> None:
    before = _json(manager_client)
    version = current_version()
    texts = ledger.activities["Text survey"]
    ledger_service.log_participation(
        texts, refs=[], headcount=7, day=date(2011, 8, 1), channel="post", hours_each=Decimal("0.5"),
        actor=SimpleNamespace(id=None, email="staff@example.org"), now=NOW,
    )  # fmt: skip
    db.session.commit()
    assert current_version() == version + 1
    with counted_statements() as statements:
        after = _json(manager_client)
    assert _aggregates(statements) >= 5
    card = lambda data: next(a for a in data["activities"] if a["name"] == "Text survey")  # noqa: E731
    assert card(after)["customers_involved"] == card(before)["customers_involved"] + 7
    # the old state's snapshot is gone; only the current one is kept
    assert {s.state_version for s in db.session.scalars(select(ReportSnapshot))} == {version + 1}


def test_bulk_statements_budgets_and_profile_fields_move_the_state_but_other_writes_do_not(
    manager_client: FlaskClient, ledger: Ledger
) -> None:
    _json(manager_client)
    version = current_version()
    customer = db.session.scalars(select(Customer).where(Customer.ref == "c1")).one()
    customer.first_name = "Renamed"  # not a profile field: the figures cannot change
    db.session.commit()
    assert current_version() == version
    customer.gender = "Male"
    db.session.commit()
    assert current_version() == version + 1
    db.session.execute(update(Budget).values(amount=Decimal("1.00")))
    db.session.commit()
    assert current_version() == version + 2
    assert _json(manager_client)["summary"]["budget"] == "3.00"
    # reading the report (which stores a snapshot) moves nothing on
    _json(manager_client)
    assert current_version() == version + 2
