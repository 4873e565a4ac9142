"""Publish, delete and erase say what they change first, and a POST without the confirmation changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity, AuditEvent, Cost, Customer, Participation, StaffTime, StaffUser
from reporting.models import PublishedReport
from tests.conftest import signed_in
from tests.security.world import build_world

DAY = date(2011, 6, 1)
PERIOD = {"from": "2011-04-01", "to": "2012-03-31"}


def _activity() -> Activity:
    activity = Activity(name="Reading Panel", category="panel", counts_toward_budget=True)
    ann, bob = Customer(ref="DL1", first_name="Ann", last_name="A"), Customer(ref="DL2", first_name="Bob")
    db.session.add_all([activity, ann, bob])
    db.session.flush()
    db.session.add_all([
        Participation(activity_id=activity.id, customer_id=ann.id, date=DAY, channel="sms", hours=Decimal("1.5")),
        Participation(activity_id=activity.id, customer_id=ann.id, date=DAY, channel="email", hours=Decimal("1")),
        Participation(activity_id=activity.id, customer_id=bob.id, date=DAY, channel="sms", hours=Decimal("2")),
        Participation(activity_id=activity.id, customer_id=None, date=DAY, channel="event", headcount=4),
        StaffTime(activity_id=activity.id, date=DAY, hours=Decimal("3.25")),
        Cost(activity_id=activity.id, date=DAY, amount=Decimal("40.00"), description="Room"),
        Cost(activity_id=activity.id, date=DAY, amount=Decimal("2.50"), description="Tea"),
    ])  # fmt: skip
    db.session.commit()
    return activity


def _cells(page: str) -> list[tuple[str, str, str]]:
    """Return (figure, now, after) rows of the confirmation's table of changes."""
    table = page[page.index('id="delete-changes"') :]
    return re.findall(
        r'<th scope="row">([^<]+)</th><td class="num">([^<]+)</td><td class="num">([^<]+)</td>', table
    )


def test_deleting_a_ledger_row_shows_the_totals_before_and_after(manager_client: FlaskClient) -> None:
    activity = _activity()
    rows = list(db.session.scalars(select(Participation).order_by(Participation.id)))
    base = f"/activities/{activity.id}/ledger"
    page = manager_client.get(f"/activities/{activity.id}").get_data(as_text=True)
    assert f'href="{base}/participation/{rows[1].id}/delete"' in page  # a link to the check, not a form

    # Ann has another row, so deleting one of hers keeps 6 involved; Bob's only row takes one away.
    ann = manager_client.get(f"{base}/participation/{rows[1].id}/delete").get_data(as_text=True)
    assert _cells(ann) == [("Customers involved", "6", "6"), ("Customer hours", "4.5", "3.5")]
    bob = manager_client.get(f"{base}/participation/{rows[2].id}/delete").get_data(as_text=True)
    assert _cells(bob)[0] == ("Customers involved", "6", "5")
    crowd = manager_client.get(f"{base}/participation/{rows[3].id}/delete").get_data(as_text=True)
    assert _cells(crowd)[0] == ("Customers involved", "6", "2") and "Anonymous headcount of 4" in crowd
    staff = db.session.scalar(select(StaffTime.id))
    assert _cells(manager_client.get(f"{base}/staff-time/{staff}/delete").get_data(as_text=True)) == [
        ("Staff hours", "3.25", "0")
    ]
    tea = db.session.scalar(select(Cost.id).where(Cost.description == "Tea"))
    assert _cells(manager_client.get(f"{base}/cost/{tea}/delete").get_data(as_text=True)) == [
        ("Total cost", "£42.50", "£40.00")
    ]

    unconfirmed = manager_client.post(f"{base}/cost/{tea}/delete")
    assert unconfirmed.status_code == 303 and unconfirmed.headers["Location"].endswith(
        f"{base}/cost/{tea}/delete"
    )
    assert db.session.scalar(select(func.count()).select_from(Cost)) == 2
    assert db.session.scalars(select(AuditEvent)).all() == []
    assert manager_client.post(f"{base}/cost/{tea}/delete", data={"confirm": "yes"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Cost, tea) is None
    assert manager_client.get(f"{base}/cost/{tea}/delete").status_code == 404


def test_staff_cannot_open_the_delete_check(staff_client: FlaskClient) -> None:
    activity = _activity()
    cost = db.session.scalar(select(Cost.id))
    assert staff_client.get(f"/activities/{activity.id}/ledger/cost/{cost}/delete").status_code == 403


def test_publishing_shows_what_it_freezes_and_needs_the_confirmation(manager_client: FlaskClient) -> None:
    _activity()
    form = {**PERIOD, "title": "Our year"}
    unconfirmed = manager_client.post("/reports/publish", data=form)
    assert unconfirmed.status_code == 303 and "/reports/publish?" in unconfirmed.headers["Location"]
    assert db.session.scalars(select(PublishedReport)).all() == []
    page = manager_client.get(unconfirmed.headers["Location"]).get_data(as_text=True)
    counts = page[page.index('id="publish-counts"') :]
    assert "1 activity" in counts and "2 customers participated, plus 4 unidentified" in counts
    assert "Spend £42.50" in counts and "Nothing has been published for this period yet" in page
    assert 'value="Our year"' in page and 'name="confirm" value="yes"' in page
    assert manager_client.post("/reports/publish", data={**form, "confirm": "yes"}).status_code == 303
    assert db.session.scalars(select(PublishedReport.title)).all() == ["Our year"]
    again = manager_client.get("/reports/publish", query_string=PERIOD).get_data(as_text=True)
    assert "1 earlier copy for this period stays published" in again
    assert manager_client.get("/reports/publish", query_string={"from": "x", "to": "y"}).status_code == 400


def test_erasing_counts_what_goes_and_needs_the_confirmation(
    app: Flask, make_user: Callable[..., StaffUser]
) -> None:
    world = build_world("Residents asked for evening meetings")
    customer_id = world.customer.id
    manager = signed_in(app, make_user("manager"))
    unconfirmed = manager.post(f"/customers/{customer_id}/erase", data={"confirm": "no"})
    assert unconfirmed.status_code == 303 and unconfirmed.headers["Location"].endswith(
        f"/customers/{customer_id}/erase"
    )
    db.session.expire_all()
    assert db.session.get(Customer, customer_id).erased_at is None
    page = manager.get(f"/customers/{customer_id}/erase").get_data(as_text=True)
    counts = dict(re.findall(r"<li>([A-Z][a-z ]+): ([\d,]+) rows?</li>", page))
    assert set(counts) == {"Outbound messages", "Inbound messages", "Survey answers", "Event bookings"}
    assert all(int(n) >= 1 for n in counts.values()), counts
    kept = db.session.scalar(select(func.count()).where(Participation.customer_id == customer_id))
    assert kept and f"{kept} participation row" in page
    g.pop("_login_user", None)
    staff = signed_in(app, make_user("staff"))
    assert staff.get(f"/customers/{customer_id}/erase").status_code == 403
    g.pop("_login_user", None)
    assert manager.post(f"/customers/{customer_id}/erase", data={"confirm": "yes"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Customer, customer_id).erased_at is not None
    assert "already erased" in manager.get(f"/customers/{customer_id}/erase").get_data(as_text=True)


def test_deleting_a_survey_question_asks_first(staff_client: FlaskClient) -> None:
    from tests.consultations.helpers import make_consultation

    routed = {"key": "why", "text": "Why not?", "type": "text", "ask_if": {"key": "reads", "in": ["No"]}}
    consultation = make_consultation(
        questions=[
            {"key": "reads", "text": "Do you read Derwent Life?", "type": "choice", "options": ["Yes", "No"]},
            {"key": "score", "text": "How useful is it, 1 to 5?", "type": "scale", "min": 1, "max": 5},
            routed,
        ]
    )
    base = f"/consultations/{consultation.id}/questions"
    page = staff_client.post(base, data={"action": "delete", "index": "0"}).get_data(as_text=True)
    assert "“Do you read Derwent Life?” (key reads) goes; 2 questions stay." in page
    assert "1 later question is asked only after an answer to it: “Why not?”" in page
    db.session.expire_all()
    assert [q.key for q in consultation.questions] == ["reads", "score", "why"]
    staff_client.post(base, data={"action": "delete", "index": "1", "confirm": "yes"})
    db.session.expire_all()
    assert [q.key for q in consultation.questions] == ["reads", "why"]
