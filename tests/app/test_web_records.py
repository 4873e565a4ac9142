"""Outcomes ("you said, we did"), actions underway, budgets, and the home page tiles."""

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
from app.models import Action, Activity, AuditEvent, Budget, Cost, Customer, OutcomeLog, Participation, utcnow
from app.periods import financial_year, local_date

TODAY = local_date(utcnow())


def field_error(response: Any, field: str) -> str:
    match = re.search(
        rf'<small id="{field}-error" class="field-error" role="alert">([^<]*)</small>',
        response.get_data(as_text=True),
    )
    return html.unescape(match.group(1)) if match else ""


def test_outcomes_are_created_listed_edited_and_resolved(staff_client: FlaskClient) -> None:
    forum = Activity(name="Challenge Hour area forums", category="forum")
    db.session.add(forum)
    db.session.commit()
    created = staff_client.post(
        "/outcomes/new",
        data={
            "where_who": "Kirkby Residents meeting",
            "what": "Grit stolen from bins",
            "outcome": "",
            "raised_on": "2026-05-01",
            "resolved_on": "",
            "activity_id": str(forum.id),
        },
    )
    assert created.status_code == 303
    outcome = db.session.scalar(select(OutcomeLog))
    assert outcome.activity_id == forum.id and outcome.resolved_on is None
    listing = staff_client.get("/outcomes?show=open").get_data(as_text=True)
    assert "Grit stolen from bins" in listing and "Mark resolved" in listing

    edited = staff_client.post(
        f"/outcomes/{outcome.id}/edit",
        data={
            "where_who": "Kirkby Residents meeting",
            "what": "Grit stolen from bins",
            "outcome": "Security locks fitted",
            "raised_on": "2026-05-01",
            "resolved_on": "",
            "activity_id": "",
        },
    )
    assert edited.status_code == 303
    staff_client.post(f"/outcomes/{outcome.id}/resolve")
    db.session.expire_all()
    outcome = db.session.get(OutcomeLog, outcome.id)
    assert outcome.outcome == "Security locks fitted" and outcome.activity_id is None
    assert outcome.resolved_on == TODAY
    assert "Grit stolen" not in staff_client.get("/outcomes?show=open").get_data(as_text=True)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"outcome.create", "outcome.update", "outcome.resolve"} <= actions


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"where_who": ""}, "where_who", "Say where the issue was raised, or by whom."),
        ({"what": ""}, "what", "Describe what customers raised."),
        ({"raised_on": ""}, "raised_on", "Enter the date it was raised."),
        ({"resolved_on": "2026-04-01"}, "resolved_on", "It cannot be resolved before it was raised."),
        ({"activity_id": "999"}, "activity_id", "Not a valid choice"),
    ],
)
def test_outcome_messages(staff_client: FlaskClient, data: dict[str, str], field: str, message: str) -> None:
    form = {
        "where_who": "ASB Forum",
        "what": "Survey too long",
        "raised_on": "2026-05-01",
        "activity_id": "",
        **data,
    }
    response = staff_client.post("/outcomes/new", data=form)
    assert response.status_code == 422
    assert message in field_error(response, field)
    assert db.session.scalar(select(func.count()).select_from(OutcomeLog)) == 0


def test_actions_list_marks_overdue_and_closing_stamps_the_time(staff_client: FlaskClient) -> None:
    late = staff_client.post(
        "/actions/new",
        data={
            "aim": "Establish a Strategic customer forum",
            "expected_outcome": "Forum formed",
            "due_date": (TODAY - timedelta(days=3)).isoformat(),
            "status": "in progress",
        },
    )
    assert late.status_code == 303
    staff_client.post(
        "/actions/new",
        data={
            "aim": "Achieve 90% profiling",
            "due_date": (TODAY + timedelta(days=30)).isoformat(),
            "status": "open",
        },
    )
    text = staff_client.get("/actions").get_data(as_text=True)
    assert text.count('<span class="overdue">Overdue</span>') == 1
    row = text[text.index("Establish a Strategic") : text.index("Achieve 90%")]
    assert "Overdue" in row

    action = db.session.scalar(select(Action).where(Action.aim.like("Establish%")))
    staff_client.post(f"/actions/{action.id}/close")
    db.session.expire_all()
    action = db.session.get(Action, action.id)
    assert action.status == "done" and action.closed_at is not None
    assert '<span class="overdue">Overdue</span>' not in staff_client.get("/actions").get_data(as_text=True)
    # Reopening by edit clears the closing time.
    staff_client.post(
        f"/actions/{action.id}/edit",
        data={
            "aim": action.aim,
            "expected_outcome": "",
            "due_date": action.due_date.isoformat(),
            "status": "open",
        },
    )
    db.session.expire_all()
    assert db.session.get(Action, action.id).closed_at is None


def test_action_messages(staff_client: FlaskClient) -> None:
    response = staff_client.post("/actions/new", data={"aim": "", "due_date": "", "status": "someday"})
    assert response.status_code == 422
    assert field_error(response, "aim") == "Enter the aim."
    assert field_error(response, "due_date") == "Enter the due date."
    assert "Not a valid choice" in field_error(response, "status")
    assert db.session.scalar(select(func.count()).select_from(Action)) == 0


def test_managers_set_budgets_and_see_spend_against_them(manager_client: FlaskClient) -> None:
    year = financial_year(TODAY)
    response = manager_client.post(
        "/budgets/new",
        data={
            "start_date": year.start.isoformat(),
            "end_date": year.end.isoformat(),
            "amount": "52100",
            "note": "",
        },
    )
    assert response.status_code == 303
    counted = Activity(name="Local Offers", category="consultation")
    uncounted = Activity(name="Complaints Improvement Group", category="panel", counts_toward_budget=False)
    db.session.add_all([counted, uncounted])
    db.session.flush()
    db.session.add_all(
        [
            Cost(activity_id=counted.id, date=year.start, amount=Decimal("13368.00")),
            Cost(activity_id=uncounted.id, date=year.start, amount=Decimal("500.00")),
            Cost(activity_id=counted.id, date=year.start - timedelta(days=1), amount=Decimal("999.00")),
        ]
    )
    db.session.commit()
    text = manager_client.get("/budgets").get_data(as_text=True)
    assert "£52,100.00" in text and "£13,368.00" in text and "£38,732.00" in text

    budget = db.session.scalar(select(Budget))
    manager_client.post(
        f"/budgets/{budget.id}/edit",
        data={
            "start_date": year.start.isoformat(),
            "end_date": year.end.isoformat(),
            "amount": "60000.50",
            "note": "Top-up",
        },
    )
    db.session.expire_all()
    assert db.session.get(Budget, budget.id).amount == Decimal("60000.50")
    assert (
        db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "budget.update"))
        == "budget.update"
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"end_date": "2026-01-01"}, "end_date", "The end date is before the start date."),
        ({"amount": "-5"}, "amount", "Enter the budget in pounds (0 or more)."),
        ({"amount": ""}, "amount", "Enter the budget in pounds."),
        ({"start_date": ""}, "start_date", "Enter the first day the budget covers."),
    ],
)
def test_budget_messages(manager_client: FlaskClient, data: dict[str, str], field: str, message: str) -> None:
    form = {"start_date": "2026-04-01", "end_date": "2027-03-31", "amount": "100", **data}
    response = manager_client.post("/budgets/new", data=form)
    assert response.status_code == 422
    assert message in field_error(response, field)
    assert db.session.scalar(select(func.count()).select_from(Budget)) == 0


def test_a_second_budget_for_the_same_dates_is_refused(manager_client: FlaskClient) -> None:
    db.session.add(Budget(start_date=date(2026, 4, 1), end_date=date(2027, 3, 31), amount=Decimal("1")))
    db.session.commit()
    response = manager_client.post(
        "/budgets/new", data={"start_date": "2026-04-01", "end_date": "2027-03-31", "amount": "2"}
    )
    assert response.status_code == 422
    assert "There is already a budget for exactly these dates" in field_error(response, "start_date")


def test_staff_read_budgets_but_cannot_change_them(staff_client: FlaskClient) -> None:
    assert "Only managers can set or change budgets." in staff_client.get("/budgets").get_data(as_text=True)
    assert staff_client.post("/budgets/new", data={"amount": "1"}).status_code == 403


def test_home_tiles_count_the_register_this_year_and_actions(staff_client: FlaskClient) -> None:
    year = financial_year(TODAY)
    people = [
        Customer(ref="A", phone="+447911100001", sms_consent=True),
        Customer(ref="B", phone="+447911100002", sms_consent=True, sms_opted_out_at=utcnow()),
        Customer(ref="C", email="c@example.org", email_consent=True),
        Customer(ref="D", erased_at=utcnow()),
    ]
    activity = Activity(name="The Big Get together", category="event")
    old = Activity(name="Old forum", category="forum")
    db.session.add_all([*people, activity, old])
    db.session.flush()
    db.session.add_all(
        [
            Participation(
                activity_id=activity.id,
                customer_id=people[0].id,
                date=TODAY,
                channel="event",
                hours=Decimal(4),
            ),
            Participation(
                activity_id=activity.id,
                customer_id=None,
                headcount=30,
                date=TODAY,
                channel="online",
                hours=Decimal(15),
            ),
            Participation(
                activity_id=old.id,
                customer_id=people[2].id,
                date=year.start - timedelta(days=5),
                channel="event",
                hours=Decimal(1),
            ),
            Action(aim="Late", due_date=TODAY - timedelta(days=1), status="open"),
            Action(aim="Soon", due_date=TODAY + timedelta(days=1), status="in progress"),
            Action(aim="Done", due_date=TODAY - timedelta(days=9), status="done"),
        ]
    )
    db.session.commit()
    text = staff_client.get("/").get_data(as_text=True)
    tiles = dict(re.findall(r'data-tile="([\w-]+)">([^<]*)<', text))
    assert tiles["customers"] == "3"
    assert tiles["sms"] == "1"
    assert tiles["email"] == "1"
    assert tiles["activities"] == "1"
    assert tiles["participants"] == "1"
    assert "plus 30 in anonymous headcounts" in text
    assert tiles["open-actions"] == "2"
    assert tiles["overdue-actions"] == "1 overdue"
    assert "Add a customer" in text
