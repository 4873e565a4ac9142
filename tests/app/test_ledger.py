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
