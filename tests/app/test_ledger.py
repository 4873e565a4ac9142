"""The shared ledger services: one set of rules for every page that logs staff time and costs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.ledger import COST_KINDS, LedgerError, log_cost, log_staff_time
from app.models import Activity, Cost, StaffTime
from app.web.ledger_forms import CostForm

NOW = datetime(2011, 9, 17, 12, 0, tzinfo=UTC)
TODAY = date(2011, 9, 17)
ACTOR = SimpleNamespace(id=None, email="Sam@Involve.test")


@pytest.fixture
def activity(app: Flask) -> Activity:
    row = Activity(name="Tenants' forum", category="event")
    db.session.add(row)
    db.session.commit()
    return row


def test_an_unknown_cost_kind_is_refused_and_nothing_written(activity: Activity) -> None:
    with pytest.raises(LedgerError) as caught:
        log_cost(
            activity, day=TODAY, amount=Decimal("5"), kind="yachts", description="", actor=ACTOR, now=NOW
        )
    assert caught.value.field == "kind"
    assert db.session.scalar(select(func.count()).select_from(Cost)) == 0


def test_the_cost_form_offers_exactly_the_kinds_the_service_accepts(app: Flask) -> None:
    with app.test_request_context():
        form = CostForm(formdata=None)
    assert tuple(choice.value for choice in form.kind.iter_choices()) == COST_KINDS


def test_staff_time_dates_stop_at_today_unless_a_later_day_is_allowed(activity: Activity) -> None:
    later = TODAY + timedelta(days=30)
    with pytest.raises(LedgerError) as caught:
        log_staff_time(activity, day=later, hours=Decimal("2"), staff_email="", note="", actor=ACTOR, now=NOW)
    assert caught.value.field == "date"
    row = log_staff_time(
        activity,
        day=later,
        hours=Decimal("2"),
        staff_email="",
        note=" Prep ",
        actor=ACTOR,
        now=NOW,
        latest=later,
    )
    assert (row.date, row.staff_email, row.note) == (later, "sam@involve.test", "Prep")
    assert db.session.scalar(select(func.count()).select_from(StaffTime)) == 1


def test_a_source_writes_once_and_undoing_it_removes_exactly_its_rows(activity: Activity) -> None:
    from app import ledger
    from app.models import Participation

    values = {
        "activity_id": activity.id,
        "date": TODAY,
        "channel": "sms",
        "hours": Decimal("0.05"),
        "headcount": 1,
    }
    first = ledger.write_once(Participation, "survey-response:1", values, now=NOW)
    again = ledger.write_once(Participation, "survey-response:1", {**values, "hours": Decimal(9)}, now=NOW)
    assert again.id == first.id and again.hours == Decimal("0.05")
    ledger.write_once(Participation, "survey-response:2", values, now=NOW)
    ledger.sync_source(
        "event:7:", {"event:7:guests": {**values, "channel": "event", "headcount": 3}}, now=NOW
    )
    ledger.write_once(
        Cost, "sms:5", {"activity_id": activity.id, "date": TODAY, "amount": Decimal("0.04")}, now=NOW
    )
    staff = log_staff_time(
        activity, day=TODAY, hours=Decimal(2), staff_email="", note="", actor=ACTOR, now=NOW
    )
    other = log_staff_time(
        activity, day=TODAY, hours=Decimal(2), staff_email="", note="", actor=ACTOR, now=NOW
    )
    assert staff.source_key.startswith("staff:staff-time:") and staff.source_key != other.source_key

    assert ledger.undo_source("survey-response:1") == 1
    assert ledger.undo_source("event:7:", prefix=True) == 1
    assert ledger.undo_source(staff.source_key) == 1
    left = {
        k for model in (Participation, StaffTime, Cost) for k in db.session.scalars(select(model.source_key))
    }
    assert left == {"survey-response:2", "sms:5", other.source_key}


def test_bulk_add_writes_new_keys_only(activity: Activity) -> None:
    from app import ledger

    names = ("activity_id", "date", "amount", "description", "source_key")
    rows = [(activity.id, TODAY, Decimal(i + 1), f"line {i}", f"import:costs:{i}") for i in range(3)]
    assert ledger.bulk_add(Cost, names, rows, constants={"created_at": NOW}) == 3
    more = [*rows, (activity.id, TODAY, Decimal(9), "new", "import:costs:new")]
    assert ledger.bulk_add(Cost, names, more, constants={"created_at": NOW}) == 1
    assert db.session.scalar(select(func.count()).select_from(Cost)) == 4


def test_nothing_but_app_ledger_writes_ledger_rows() -> None:
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for package in ("app", "consultations", "messaging", "reporting"):
        for path in (root / package).rglob("*.py"):
            if path == root / "app" / "ledger.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                made = isinstance(node, ast.Call) and getattr(node.func, "id", "") in (
                    "Participation",
                    "StaffTime",
                    "Cost",
                )
                table_write = (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", "") in ("insert", "delete", "update")
                    and any(getattr(a, "id", "") in ("Participation", "StaffTime", "Cost") for a in node.args)
                )
                if made or table_write:
                    offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []
