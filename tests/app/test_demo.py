"""`flask demo load`: a realistic, deterministic demo that loads fast and only into an empty register."""

from __future__ import annotations

import random
import threading
from datetime import datetime
from decimal import Decimal

import phonenumbers
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import distinct, func, select

from app.demo import EXTENSIONS_KEY, SEED, register_demo_extension
from app.demo.people import customer_rows
from app.extensions import db
from app.models import (
    Action,
    Activity,
    Area,
    Budget,
    Cost,
    Customer,
    OutcomeLog,
    Participation,
    StaffTime,
    StaffUser,
    utcnow,
)
from app.periods import financial_year
from app.vocabulary.lists import load_all

PASSWORD = "demo password 1"


@pytest.fixture
def loaded(runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_the_register_is_realistic(loaded: str) -> None:
    assert "Loaded 2,013 customers" in loaded
    areas = dict(db.session.execute(select(Area.name, Area.homes)).all())
    assert set(areas) == {"Derby", "Kirkby", "Beeston", "Lincoln", "Langley Mill"}
    assert sum(areas.values()) == 6000
    people = db.session.scalars(select(Customer)).all()
    assert len(people) == 2013
    phones = [p.phone for p in people if p.phone]
    assert len(phones) > 1000 and len(set(phones)) == len(phones)
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(p)) for p in phones)
    assert not any(p.startswith("+447700900") for p in phones)
    assert all(p.email.endswith("@example.org") for p in people if p.email)
    coverage = sum(p.profile_complete for p in people) / len(people)
    assert 0.89 <= coverage <= 0.95
    assert 0.4 < sum(p.sms_consent for p in people) / len(people) < 0.8
    assert 0.1 < sum(p.email_consent for p in people) / len(people) < 0.5
    assert any(p.sms_opted_out_at for p in people)
    assert all(p.area_id for p in people)
    # Every profile value is one of the shipped lists' own values, written as listed.
    lists = load_all()
    for name in ("tenure", "age_band", "gender", "ethnicity", "disability", "language"):
        held = {getattr(p, name) for p in people} - {None}
        assert held <= set(lists[name].values), (name, held - set(lists[name].values))
    assert {p.ethnicity for p in people} >= {"White", "Asian or Asian British"}


def test_activities_and_ledgers_follow_the_reference_report(loaded: str) -> None:
    names = set(db.session.scalars(select(Activity.name)))
    for expected in (
        "Local Offers",
        "Resident Scrutiny",
        "Derwent Life newsletter",
        "Mystery Shopping",
        "Reading Panel",
        "Customer Training",
        "Home Group welcome events",
        "Resident Involvement Strategy",
        "Challenge Hour area forums",
        "The Big Get together",
        "Involvement through text & email",
    ):
        assert expected in names
    assert len(names) >= 12
    today = utcnow().date()
    year = financial_year(today)
    last = financial_year(year.start.replace(year=year.start.year - 1))
    dates = db.session.execute(select(func.min(Participation.date), func.max(Participation.date))).one()
    assert dates[1] <= today
    assert last.start <= dates[0] < year.start  # some involvement in the previous year too
    assert count(StaffTime) > 0 and count(Cost) > 0
    # Anonymous headcounts, e.g. the 30 watching The Big Get together online.
    big = db.session.scalar(select(Activity).where(Activity.name == "The Big Get together"))
    online = db.session.scalar(
        select(Participation.headcount).where(
            Participation.activity_id == big.id, Participation.customer_id.is_(None)
        )
    )
    assert online == 30
    # Repeat attendance: forum members on more than one date.
    forum = db.session.scalar(select(Activity).where(Activity.name == "Challenge Hour area forums"))
    repeaters = db.session.scalar(
        select(func.count()).select_from(
            select(Participation.customer_id)
            .where(Participation.activity_id == forum.id, Participation.customer_id.is_not(None))
            .group_by(Participation.customer_id)
            .having(func.count(distinct(Participation.date)) >= 2)
            .subquery()
        )
    )
    assert repeaters >= 10
    # Text surveys only reached customers who agreed to texts.
    newsletter = db.session.scalar(select(Activity).where(Activity.name == "Derwent Life newsletter"))
    unconsented = db.session.scalar(
        select(func.count())
        .select_from(Participation)
        .join(Customer, Participation.customer_id == Customer.id)
        .where(Participation.activity_id == newsletter.id, Customer.sms_consent.is_(False))
    )
    assert unconsented == 0
    assert all(a.aim and a.method and a.outcomes and a.evidence for a in db.session.scalars(select(Activity)))


def test_budgets_outcomes_actions_and_the_admin_login(loaded: str, app: Flask) -> None:
    year = financial_year(utcnow().date())
    budget = db.session.scalar(select(Budget).where(Budget.start_date == year.start))
    assert budget.amount == Decimal("52100.00")
    assert count(OutcomeLog) == 10
    assert (
        db.session.scalar(
            select(func.count()).select_from(OutcomeLog).where(OutcomeLog.resolved_on.is_(None))
        )
        == 2
    )
    actions = db.session.scalars(select(Action)).all()
    assert len(actions) == 5
    assert sum(a.due_date < utcnow().date() and a.status not in ("done", "cancelled") for a in actions) == 1
    assert f"Sign in as admin@example.org with password {PASSWORD}" in loaded
    admin = db.session.scalar(select(StaffUser).where(StaffUser.email == "admin@example.org"))
    assert admin.role == "admin" and admin.check_password(PASSWORD)
    client = app.test_client()
    response = client.post("/login", data={"email": "admin@example.org", "password": PASSWORD})
    assert response.status_code == 303
    assert client.get("/activities").status_code == 200
    assert "1–50 of 2,013" in client.get("/customers/").get_data(as_text=True)


def test_if_empty_leaves_a_loaded_database_alone(loaded: str, runner: FlaskCliRunner) -> None:
    before = (count(Customer), count(Activity), count(Participation), count(Budget))
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0
    assert "already has customers" in again.output
    refused = runner.invoke(args=["demo", "load"])
    assert refused.exit_code != 0
    assert "only goes into an empty database" in refused.output
    assert (count(Customer), count(Activity), count(Participation), count(Budget)) == before


def test_if_empty_loads_an_empty_database(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert count(Customer) == 2013
    # Without DEMO_PASSWORD a random password is made up and printed.
    assert "Sign in as admin@example.org with password " in result.output


def test_a_short_demo_password_is_refused_cleanly(
    runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "short")
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code != 0
    assert "at least 8 characters" in result.output
    assert count(Customer) == 0


def test_the_register_is_the_same_every_time() -> None:
    now = datetime(2026, 11, 1, 12, 0, tzinfo=utcnow().tzinfo)
    areas = {"Derby": 1, "Kirkby": 2, "Beeston": 3, "Lincoln": 4, "Langley Mill": 5}
    first = customer_rows(random.Random(SEED), 50, areas, now)
    second = customer_rows(random.Random(SEED), 50, areas, now)
    assert first == second


def test_extensions_run_after_the_core_data(app: Flask, runner: FlaskCliRunner) -> None:
    seen: list[tuple[datetime, int]] = []

    def add_events(now: datetime) -> None:
        seen.append((now, count(Activity)))

    register_demo_extension(add_events, app)
    register_demo_extension(add_events, app)  # registering twice runs it once
    # Feature packages register their own demo records too; this one is listed once, last.
    assert app.extensions[EXTENSIONS_KEY][-1] == add_events
    assert app.extensions[EXTENSIONS_KEY].count(add_events) == 1
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert len(seen) == 1
    assert seen[0][1] >= 12
    assert seen[0][0].tzinfo is not None


def test_registering_outside_an_app_context_needs_the_app() -> None:
    errors: list[str] = []

    def register() -> None:
        try:
            register_demo_extension(lambda now: None)
        except RuntimeError as exc:
            errors.append(str(exc))

    # A new thread starts with no app context, like a package's init_app called before any request.
    worker = threading.Thread(target=register)
    worker.start()
    worker.join()
    assert errors and "needs app=" in errors[0]
