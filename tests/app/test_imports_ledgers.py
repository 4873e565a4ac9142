"""Importing the ledgers: participation, staff time and costs, each line written exactly once."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import Flask

from app.extensions import db
from app.imports import ImportRejected, ImportResult, import_rows
from app.models import Cost, Customer, Participation, StaffTime, StaffUser

NOW = datetime(2011, 6, 1, 9, 0, tzinfo=UTC)
PARTICIPATION = (
    "activity,customer_ref,date,channel,hours,headcount\r\n"
    "Scrutiny panel,DH001,2011-05-03,In Person,2,\r\n"
    "scrutiny PANEL,DH002,2011-05-03,in person,2.0,1\r\n"
    "Big Get Together,,2011-09-17,event,120,40\r\n"
    "Big Get Together,,2011-09-17,online,,\r\n"
    "Big Get Together,,2011-09-17,online,,\r\n"
)


def load(kind: str, text: str) -> ImportResult:
    result = import_rows(kind, f"{kind}.csv", io.StringIO(text, newline=""), now=NOW)
    db.session.commit()
    return result


def problems(kind: str, text: str) -> list[str]:
    with pytest.raises(ImportRejected) as info:
        import_rows(kind, f"{kind}.csv", io.StringIO(text, newline=""), now=NOW)
    db.session.rollback()
    return info.value.errors


def rows(model: type) -> list:
    return list(db.session.execute(db.select(model).order_by(model.id)).scalars())


@pytest.fixture
def setting(app: Flask) -> None:
    load("activities", "name,category\nScrutiny panel,scrutiny\nBig Get Together,event\n")
    load("customers", "ref,first_name\nDH001,Jane\nDH002,Bob\n")


def test_participation_rows_identified_and_anonymous(setting: None) -> None:
    result = load("participation", PARTICIPATION)
    assert result.summary() == "participation.csv: 5 rows — 5 added, 0 updated, 0 unchanged"
    jane, bob, crowd, online, online_again = rows(Participation)
    assert jane.customer is not None and jane.customer.ref == "DH001"
    assert (jane.activity.name, jane.date, jane.channel, jane.hours, jane.headcount) == (
        "Scrutiny panel",
        date(2011, 5, 3),
        "in person",
        Decimal(2),
        1,
    )
    assert bob.activity_id == jane.activity_id
    assert (crowd.customer_id, crowd.headcount, crowd.hours, crowd.channel) == (
        None,
        40,
        Decimal(120),
        "event",
    )
    assert (online.headcount, online.hours) == (1, Decimal(0))
    assert all(p.source == "import" and p.created_at == NOW for p in (jane, crowd))
    assert jane.source_key.startswith("import:participation:")
    # Two identical lines are two rows with two keys.
    assert online.source_key != online_again.source_key


def test_participation_reimport_inserts_nothing(setting: None) -> None:
    load("participation", PARTICIPATION)
    keys = [p.source_key for p in rows(Participation)]
    again = load("participation", PARTICIPATION)
    assert (again.added, again.unchanged) == (0, 5)
    # The same line spelt differently (case, trailing zeros) is still the same line.
    respelt = load(
        "participation",
        "Activity,Customer Ref,Date,Channel,Hours\nSCRUTINY PANEL,DH001,2011-05-03,IN-PERSON,2.00\n",
    )
    assert (respelt.added, respelt.unchanged) == (0, 1)
    # A third identical online line is new.
    third = load("participation", PARTICIPATION + "Big Get Together,,2011-09-17,online,,\r\n")
    assert (third.added, third.unchanged) == (1, 5)
    assert [p.source_key for p in rows(Participation)][:5] == keys


def test_bad_participation_rows_are_all_listed_and_nothing_written(setting: None) -> None:
    text = (
        "activity,customer_ref,date,channel,hours,headcount\n"
        "Scrutiny panel,DH001,2011-05-03,in person,2,\n"
        "Tenants conference,DH001,2011-05-03,in person,2,1\n"
        "Scrutiny panel,DH404,2011-13-03,pigeon,-1,1\n"
        "Scrutiny panel,DH002,2011-05-03,sms,0.1,3\n"
        "Big Get Together,,2011-09-17,event,1,0\n"
        ",,,,,\n"
        ",DH001,,,,\n"
    )
    assert problems("participation", text) == [
        'participation.csv row 3, activity: "Tenants conference" is not a known activity (import the activities file first)',
        'participation.csv row 4, date: "2011-13-03" is not a real date',
        'participation.csv row 4, channel: "pigeon" is not one of: sms, email, web, event, online, phone, post, in person',
        'participation.csv row 4, hours: "-1" is negative; a number of hours cannot be less than 0',
        'participation.csv row 4, customer_ref: "DH404" is not a known customer (import the customers file first)',
        "participation.csv row 5, headcount: must be 1 for a named customer, not 3",
        "participation.csv row 6, headcount: must be at least 1",
        "participation.csv row 8, activity: a value is required",
        "participation.csv row 8, date: a value is required",
        "participation.csv row 8, channel: a value is required",
    ]
    assert rows(Participation) == []


STAFF_TIME = (
    "activity,date,hours,staff_email,note\n"
    "Scrutiny panel,2011-05-03,3.5,Officer@Involve.test,Prepared papers\n"
    "Scrutiny panel,2011-05-03,1,agency.worker@example.org,\n"
    "Big Get Together,2011-09-17,8,,\n"
)


def test_staff_time_links_staff_logins_by_email(setting: None, make_user: Callable[..., StaffUser]) -> None:
    officer = make_user("staff", email="officer@involve.test")
    assert load("staff-time", STAFF_TIME).added == 3
    linked, agency, unnamed = rows(StaffTime)
    assert (linked.staff_user_id, linked.staff_email, linked.hours, linked.note) == (
        officer.id,
        "officer@involve.test",
        Decimal("3.5"),
        "Prepared papers",
    )
    assert (agency.staff_user_id, agency.staff_email) == (None, "agency.worker@example.org")
    assert (unnamed.staff_email, unnamed.source_key.startswith("import:staff-time:")) == ("", True)
    again = load("staff-time", STAFF_TIME)
    assert (again.added, again.unchanged) == (0, 3)
    assert len(rows(StaffTime)) == 3


def test_bad_staff_time(setting: None) -> None:
    text = "activity,date,hours,staff_email\nScrutiny panel,2011-05-03,,bob@\nScrutiny panel,3 May,NaN,\n"
    assert problems("staff-time", text) == [
        "staff-time.csv row 2, hours: a value is required",
        'staff-time.csv row 2, staff_email: "bob@" is not an email address (There must be something after the @-sign.)',
        'staff-time.csv row 3, date: "3 May" is not a date written YYYY-MM-DD or DD/MM/YYYY '
        "(e.g. 2011-09-17 or 17/09/2011)",
        'staff-time.csv row 3, hours: "NaN" is not a number of hours (write it like 12.50)',
    ]
    assert problems("staff-time", "activity,date\nScrutiny panel,2011-05-03\n") == [
        "staff-time.csv row 1: missing column(s): hours; these must be in the header: activity, date, hours"
    ]
    assert rows(StaffTime) == []


COSTS = (
    "activity,date,amount,description\n"
    'Big Get Together,2011-09-17,"£1,250.00",Venue hire\n'
    "Big Get Together,2011-09-17,85.5,Catering\n"
    "Big Get Together,2011-09-17,85.50,Catering\n"
)


def test_costs_are_written_once_and_repeats_kept(setting: None) -> None:
    assert load("costs", COSTS).added == 3
    venue, catering, catering_again = rows(Cost)
    assert (venue.amount, venue.description, venue.activity.name) == (
        Decimal("1250.00"),
        "Venue hire",
        "Big Get Together",
    )
    assert catering.amount == catering_again.amount == Decimal("85.50")
    again = load("costs", COSTS)
    assert (again.added, again.unchanged) == (0, 3)
    assert len(rows(Cost)) == 3


def test_bad_costs(setting: None) -> None:
    text = (
        "activity,date,amount,description\nBig Get Together,2011-09-17,12.345,Print\nBingo,2011-09-17,-1,\n"
    )
    assert problems("costs", text) == [
        'costs.csv row 2, amount: "12.345" has more than 2 decimal places',
        'costs.csv row 3, activity: "Bingo" is not a known activity (import the activities file first)',
        'costs.csv row 3, amount: "-1" is negative; an amount of money cannot be less than 0',
    ]
    assert rows(Cost) == []


def test_customer_refs_match_ignoring_case_and_spaces(setting: None) -> None:
    text = (
        "activity,customer_ref,date,channel,hours,headcount\r\n"
        "Scrutiny panel,dh001,2011-05-03,in person,2,\r\n"
        'Scrutiny panel," Dh002 ",2011-05-03,in person,2,\r\n'
    )
    assert load("participation", text).added == 2
    assert [p.customer.ref for p in rows(Participation)] == ["DH001", "DH002"]


def test_a_ref_matching_two_customers_only_by_case_must_be_exact(setting: None) -> None:
    db.session.add(Customer(ref="dh001", first_name="Other"))
    db.session.commit()
    text = (
        "activity,customer_ref,date,channel,hours,headcount\r\n"
        "Scrutiny panel,Dh001,2011-05-03,in person,2,\r\n"
        "Scrutiny panel,dh001,2011-05-03,in person,2,\r\n"
    )
    assert problems("participation", text) == [
        'participation.csv row 2, customer_ref: "Dh001" matches more than one customer ("DH001", "dh001"); '
        "write the ref exactly"
    ]
    assert load("participation", text.replace("Dh001", "DH001")).added == 2
    assert [p.customer.first_name for p in rows(Participation)] == ["Jane", "Other"]


def test_rows_made_of_cells_already_accepted_still_get_every_check(setting: None) -> None:
    text = (
        "activity,customer_ref,date,channel,hours,headcount\n"
        "Big Get Together,,2011-09-17,event,1,2\n"
        "Scrutiny panel,DH001,17/09/2011,event,1,\n"
        "Scrutiny panel,DH001,17/09/2011,event,1,2\n"
        "Scrutiny panel,DH001,17/09/2011,event,1,1,by hand\n"
        "Scrutiny panel,DH001,31/02/2011,event,1,\n"
        "Scrutiny panel,dh404,17/09/2011,event,1,\n"
    )
    assert problems("participation", text) == [
        "participation.csv row 4, headcount: must be 1 for a named customer, not 2",
        "participation.csv row 5: has a value in column 7, which has no header",
        'participation.csv row 6, date: "31/02/2011" is not a real date',
        'participation.csv row 7, customer_ref: "dh404" is not a known customer (import the customers file first)',
    ]
    assert rows(Participation) == []


def test_the_quick_path_stores_what_the_full_checks_store(
    setting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.imports.ledgers import KnownCells

    lines = ["activity,customer_ref,date,channel,hours,headcount"]
    for n in range(60):
        ref = ("", "DH001", "dh002", " DH002 ")[n % 4]
        day = ("2011-05-03", "03/05/2011", "3/5/2011")[n % 3]
        hours = ("2", "2.0", "", "1.25")[n % 4]
        lines.append(f"{('Scrutiny panel', 'BIG GET TOGETHER')[n % 2]},{ref},{day},In-Person,{hours},")
    text = "\n".join(lines) + "\n"

    def stored() -> list[tuple[object, ...]]:
        result = load("participation", text)
        got = [
            (p.activity_id, p.customer_id, p.date, p.channel, p.hours, p.headcount, p.source_key)
            for p in rows(Participation)
        ]
        db.session.query(Participation).delete()
        db.session.commit()
        return [result.added, *got]

    quick = stored()
    monkeypatch.setattr(KnownCells, "quick", lambda self, values: None)
    assert stored() == quick
    assert quick[0] == 60
