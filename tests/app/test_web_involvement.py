"""Activity screens: create and edit with validation, the three ledger forms, running totals, deletes."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity, AuditEvent, Cost, Participation, StaffTime
from tests.app.activity_helpers import TODAY, customers, make_activity

YES = {"confirm": "yes"}


def activity_form(**overrides: str) -> dict[str, str]:
    form = {
        "name": "Local Offers",
        "category": "consultation",
        "aim": "Create Local Offers",
        "method": "Meetings",
        "outcomes": "Offers published",
        "evidence": "Website",
        "homes_affected": "5000",
        "start_date": "2026-04-01",
        "end_date": "2027-03-31",
        "target_customers": "500",
        "target_cost_per_customer": "8.67",
        "counts_toward_budget": "y",
    }
    form.update(overrides)
    return form


def totals(client: FlaskClient, activity: Activity) -> dict[str, str]:
    text = client.get(f"/activities/{activity.id}").get_data(as_text=True)
    return dict(re.findall(r'data-total="(\w+)">([^<]*)<', text))


def field_error(response: Any, field: str) -> str:
    match = re.search(
        rf'<small id="{field}-error" class="field-error" role="alert">([^<]*)</small>',
        response.get_data(as_text=True),
    )
    return html.unescape(match.group(1)) if match else ""


def test_creating_an_activity_stores_every_csv_column(staff_client: FlaskClient) -> None:
    response = staff_client.post("/activities/new", data=activity_form())
    assert response.status_code == 303
    activity = db.session.scalar(select(Activity))
    assert response.headers["Location"] == f"/activities/{activity.id}"
    assert (activity.category, activity.aim, activity.method) == (
        "consultation",
        "Create Local Offers",
        "Meetings",
    )
    assert (activity.outcomes, activity.evidence, activity.homes_affected) == (
        "Offers published",
        "Website",
        5000,
    )
    assert (activity.start_date, activity.end_date) == (date(2026, 4, 1), date(2027, 3, 31))
    assert activity.target_customers == 500
    assert activity.target_cost_per_customer == Decimal("8.67")
    assert activity.counts_toward_budget is True
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Create Local Offers" in page and "500 customers" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the activity's name."),
        ({"category": "party"}, "category", "Not a valid choice"),
        ({"end_date": "2026-01-01"}, "end_date", "The end date is before the start date."),
        ({"homes_affected": "-3"}, "homes_affected", "Enter a number of homes, 0 or more."),
        ({"homes_affected": "lots"}, "homes_affected", "Not a valid integer value"),
        (
            {"target_cost_per_customer": "-1"},
            "target_cost_per_customer",
            "Enter an amount in pounds, 0 or more.",
        ),
        ({"start_date": "31/12/2026"}, "start_date", "Not a valid date value"),
    ],
)
def test_activity_validation_messages(
    staff_client: FlaskClient, overrides: dict[str, str], field: str, message: str
) -> None:
    response = staff_client.post("/activities/new", data=activity_form(**overrides))
    assert response.status_code == 422
    assert message in field_error(response, field)
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0


def test_activity_names_are_unique_but_an_edit_may_keep_its_own(staff_client: FlaskClient) -> None:
    first = make_activity("Local Offers")
    make_activity("Reading Panel")
    clash = staff_client.post("/activities/new", data=activity_form(name="Reading Panel"))
    assert "There is already an activity called “Reading Panel”." in field_error(clash, "name")
    edit = staff_client.post(f"/activities/{first.id}/edit", data=activity_form(aim="Sharper aim"))
    assert edit.status_code == 303
    db.session.expire_all()
    assert db.session.get(Activity, first.id).aim == "Sharper aim"
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "activity.update"))
    assert "aim" in audit.detail["fields"]


def test_pasted_references_log_several_customers_at_once(staff_client: FlaskClient) -> None:
    activity = make_activity()
    customers("DL1", "DL2", "DL3")
    response = staff_client.post(
        f"/activities/{activity.id}/participation",
        data={
            "p-refs": "DL1, DL2\nDL3 DL1",
            "p-date": TODAY.isoformat(),
            "p-channel": "in person",
            "p-hours": "1.5",
        },
    )
    assert response.status_code == 303
    rows = db.session.scalars(select(Participation)).all()
    assert len(rows) == 3
    assert {r.hours for r in rows} == {Decimal("1.5")}
    got = totals(staff_client, activity)
    assert got["customers"] == "3"
    assert got["customer_hours"] == "4.5"


def test_an_unknown_reference_writes_nothing_and_says_which(staff_client: FlaskClient) -> None:
    activity = make_activity()
    customers("DL1")
    response = staff_client.post(
        f"/activities/{activity.id}/participation",
        data={"p-refs": "DL1 DL404", "p-date": TODAY.isoformat(), "p-channel": "sms", "p-hours": "1"},
    )
    assert response.status_code == 422
    assert "No customer with reference DL404; nothing was recorded." in field_error(response, "p-refs")
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 0


def test_repeat_submissions_on_the_same_date_add_nobody_twice(staff_client: FlaskClient) -> None:
    activity = make_activity()
    customers("DL1", "DL2")
    data = {"p-refs": "DL1", "p-date": TODAY.isoformat(), "p-channel": "in person", "p-hours": "2"}
    staff_client.post(f"/activities/{activity.id}/participation", data=data)
    again = staff_client.post(
        f"/activities/{activity.id}/participation", data={**data, "p-refs": "DL1 DL2"}, follow_redirects=True
    )
    assert "Already recorded on that date, so skipped: DL1." in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 2
    # The same customer on another date (a second forum meeting) is a new row but still one customer.
    staff_client.post(
        f"/activities/{activity.id}/participation",
        data={**data, "p-date": (TODAY - timedelta(days=7)).isoformat()},
    )
    got = totals(staff_client, activity)
    assert got["customers"] == "2"
    assert got["customer_hours"] == "6"


def test_anonymous_headcounts_add_to_customers_involved(staff_client: FlaskClient) -> None:
    activity = make_activity()
    customers("DL1")
    staff_client.post(
        f"/activities/{activity.id}/participation",
        data={"p-refs": "DL1", "p-date": TODAY.isoformat(), "p-channel": "event", "p-hours": "4"},
    )
    response = staff_client.post(
        f"/activities/{activity.id}/participation",
        data={"p-headcount": "30", "p-date": TODAY.isoformat(), "p-channel": "online", "p-hours": "0.5"},
    )
    assert response.status_code == 303
    anonymous = db.session.scalar(select(Participation).where(Participation.customer_id.is_(None)))
    assert (anonymous.headcount, anonymous.hours, anonymous.channel) == (30, Decimal("15"), "online")
    got = totals(staff_client, activity)
    assert got["customers"] == "31"
    assert got["customer_hours"] == "19"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "p-refs", "Enter customer references or an anonymous headcount (one or the other)."),
        ({"p-refs": "DL1", "p-headcount": "3"}, "p-refs", "one or the other"),
        ({"p-headcount": "0"}, "p-headcount", "Enter a headcount of at least 1."),
        ({"p-headcount": "2", "p-hours": "-1"}, "p-hours", "Enter hours between 0 and 1,000."),
        ({"p-headcount": "2", "p-date": ""}, "p-date", "Enter the date they took part."),
        ({"p-headcount": "2", "p-date": (TODAY + timedelta(days=3)).isoformat()}, "p-date", "in the future"),
        ({"p-headcount": "2", "p-channel": "pigeon"}, "p-channel", "Not a valid choice"),
    ],
)
def test_participation_form_messages(
    staff_client: FlaskClient, data: dict[str, str], field: str, message: str
) -> None:
    activity = make_activity()
    customers("DL1")
    form = {"p-date": TODAY.isoformat(), "p-channel": "in person", "p-hours": "1", **data}
    response = staff_client.post(f"/activities/{activity.id}/participation", data=form)
    assert response.status_code == 422
    assert message in field_error(response, field)
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 0


def test_staff_time_and_costs_change_the_running_totals(staff_client: FlaskClient) -> None:
    activity = make_activity(homes=5000)
    customers("DL1", "DL2", "DL3")
    staff_client.post(
        f"/activities/{activity.id}/participation",
        data={"p-refs": "DL1 DL2 DL3", "p-date": TODAY.isoformat(), "p-channel": "web", "p-hours": "0.25"},
    )
    assert (
        staff_client.post(
            f"/activities/{activity.id}/staff-time",
            data={"s-date": TODAY.isoformat(), "s-hours": "7.5", "s-note": "Prep"},
        ).status_code
        == 303
    )
    assert (
        staff_client.post(
            f"/activities/{activity.id}/costs",
            data={
                "c-date": TODAY.isoformat(),
                "c-amount": "100.00",
                "c-kind": "venue",
                "c-description": "Hall",
            },
        ).status_code
        == 303
    )
    got = totals(staff_client, activity)
    assert got["staff_hours"] == "7.5"
    assert got["total_cost"] == "£100.00"
    assert got["cost_per_customer"] == "£33.33"
    staff = db.session.scalar(select(StaffTime))
    assert staff.staff_email.endswith("@involve.test") and staff.staff_user_id is not None


@pytest.mark.parametrize(
    ("path", "data", "field", "message"),
    [
        ("staff-time", {"s-hours": "0"}, "s-hours", "Enter the hours spent (more than 0)."),
        ("staff-time", {"s-hours": "two"}, "s-hours", "Not a valid decimal value"),
        (
            "staff-time",
            {"s-hours": "1", "s-staff_email": "not-an-email"},
            "s-staff_email",
            "Enter a full email address",
        ),
        (
            "costs",
            {"c-amount": "0", "c-kind": "venue"},
            "c-amount",
            "Enter the amount in pounds (more than £0).",
        ),
        ("costs", {"c-amount": "", "c-kind": "venue"}, "c-amount", "Enter the amount spent."),
    ],
)
def test_staff_time_and_cost_messages(
    staff_client: FlaskClient, path: str, data: dict[str, str], field: str, message: str
) -> None:
    activity = make_activity()
    prefix = field[0]
    response = staff_client.post(
        f"/activities/{activity.id}/{path}", data={f"{prefix}-date": TODAY.isoformat(), **data}
    )
    assert response.status_code == 422
    assert message in field_error(response, field)
    assert db.session.scalar(select(func.count()).select_from(StaffTime)) == 0
    assert db.session.scalar(select(func.count()).select_from(Cost)) == 0


def test_managers_delete_ledger_rows_and_the_audit_log_keeps_them(manager_client: FlaskClient) -> None:
    activity = make_activity()
    other = make_activity("Reading Panel")
    cost = Cost(
        activity_id=activity.id, date=TODAY, amount=Decimal("42.50"), kind="print", description="Flyers"
    )
    foreign = Cost(activity_id=other.id, date=TODAY, amount=Decimal("1.00"))
    db.session.add_all([cost, foreign])
    db.session.commit()
    page = manager_client.get(f"/activities/{activity.id}").get_data(as_text=True)
    assert f"/activities/{activity.id}/ledger/cost/{cost.id}/delete" in page
    response = manager_client.post(f"/activities/{activity.id}/ledger/cost/{cost.id}/delete", data=YES)
    assert response.status_code == 303
    assert db.session.get(Cost, cost.id) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cost.delete"))
    assert event.detail["amount"] == "42.50" and event.detail["description"] == "Flyers"
    assert event.actor_email.startswith("manager-")
    # A row of another activity cannot be deleted through this one.
    manager_client.post(f"/activities/{activity.id}/ledger/cost/{foreign.id}/delete", data=YES)
    assert db.session.get(Cost, foreign.id) is not None
    assert totals(manager_client, activity)["total_cost"] == "£0.00"


def test_staff_see_no_delete_buttons(staff_client: FlaskClient) -> None:
    activity = make_activity()
    db.session.add(Cost(activity_id=activity.id, date=TODAY, amount=Decimal("5.00")))
    db.session.commit()
    assert "/ledger/cost/" not in staff_client.get(f"/activities/{activity.id}").get_data(as_text=True)


def test_an_unknown_activity_is_404(staff_client: FlaskClient) -> None:
    assert staff_client.get("/activities/404").status_code == 404
    assert staff_client.post("/activities/404/costs", data={}).status_code == 404


def test_hours_show_at_most_two_decimals(staff_client: FlaskClient) -> None:
    activity = make_activity()
    (person,) = customers("DL9")
    db.session.add(Participation(activity_id=activity.id, customer_id=person.id, date=TODAY, channel="web",
                                 hours=Decimal("1159.0845")))  # fmt: skip
    db.session.add(StaffTime(activity_id=activity.id, date=TODAY, hours=Decimal("0.0833")))
    db.session.commit()
    page = staff_client.get(f"/activities/{activity.id}").get_data(as_text=True)
    assert "1,159.08" in page and "1,159.0845" not in page
    assert "0.08" in page and "0.0833" not in page
    assert totals(staff_client, activity)["customer_hours"] == "1,159.08"


def test_more_than_a_day_of_staff_hours_asks_to_confirm(staff_client: FlaskClient) -> None:
    activity = make_activity()
    form = {"s-date": TODAY.isoformat(), "s-hours": "5000"}
    asked = staff_client.post(f"/activities/{activity.id}/staff-time", data=form)
    assert asked.status_code == 422
    assert "5,000 hours is more than a day on one row" in field_error(asked, "s-hours")
    assert 'name="s-confirm_hours"' in asked.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(StaffTime)) == 0
    # 24 hours on one row is a long day, but possible: no question asked.
    assert 'name="s-confirm_hours"' not in staff_client.get(f"/activities/{activity.id}").get_data(
        as_text=True
    )
    ok = staff_client.post(f"/activities/{activity.id}/staff-time", data={**form, "s-hours": "24"})
    assert ok.status_code == 303
    confirmed = staff_client.post(
        f"/activities/{activity.id}/staff-time", data={**form, "s-confirm_hours": "y"}
    )
    assert confirmed.status_code == 303
    assert sorted(db.session.scalars(select(StaffTime.hours))) == [Decimal(24), Decimal(5000)]
