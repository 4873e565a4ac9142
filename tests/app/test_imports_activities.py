"""Importing activities, budgets, outcomes and actions."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from flask import Flask

from app.extensions import db
from app.imports import ImportRejected, ImportResult, import_rows
from app.models import Action, Activity, Budget, OutcomeLog

NOW = datetime(2011, 6, 1, 9, 0, tzinfo=UTC)
ACTIVITIES = (
    "name,category,aim,method,outcomes,evidence,homes_affected,start_date,end_date,"
    "target_customers,target_cost_per_customer,counts_toward_budget\r\n"
    'Derwent Life newsletter,Newsletter,"Keep customers informed, quarterly",Print,Read by 60%,Survey,'
    '"4,500",2011-04-01,2012-03-31,300,£2.50,yes\r\n'
    "Scrutiny panel,scrutiny,Review repairs,,,,,2011-04-01,,12,,no\r\n"
)


def load(kind: str, text: str, now: datetime = NOW) -> ImportResult:
    result = import_rows(kind, f"{kind}.csv", io.StringIO(text, newline=""), now=now)
    db.session.commit()
    return result


def problems(kind: str, text: str) -> list[str]:
    with pytest.raises(ImportRejected) as info:
        import_rows(kind, f"{kind}.csv", io.StringIO(text, newline=""), now=NOW)
    db.session.rollback()
    return info.value.errors


def rows(model: type) -> list:
    return list(db.session.execute(db.select(model).order_by(model.id)).scalars())


def test_activities_are_added_with_their_targets(app: Flask) -> None:
    assert load("activities", ACTIVITIES).added == 2
    newsletter, panel = rows(Activity)
    assert (newsletter.category, newsletter.aim, newsletter.homes_affected) == (
        "newsletter",
        "Keep customers informed, quarterly",
        4500,
    )
    assert (newsletter.start_date, newsletter.end_date) == (date(2011, 4, 1), date(2012, 3, 31))
    assert (newsletter.target_customers, newsletter.target_cost_per_customer) == (300, Decimal("2.50"))
    assert newsletter.counts_toward_budget is True
    assert (panel.category, panel.end_date, panel.homes_affected, panel.counts_toward_budget) == (
        "scrutiny",
        None,
        None,
        False,
    )


def test_activities_reimport_is_idempotent_and_a_correction_updates(app: Flask) -> None:
    load("activities", ACTIVITIES)
    again = load("activities", ACTIVITIES)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    corrected = load("activities", "Name,Target Customers\nscrutiny PANEL,15\nTraining day,\n")
    assert (corrected.added, corrected.updated) == (1, 1)
    panel = db.session.execute(db.select(Activity).filter_by(name="Scrutiny panel")).scalar_one()
    assert (panel.target_customers, panel.aim) == (15, "Review repairs")
    training = db.session.execute(db.select(Activity).filter_by(name="Training day")).scalar_one()
    assert (training.category, training.counts_toward_budget) == ("other", True)
    assert len(rows(Activity)) == 3


def test_bad_activities_are_refused_whole(app: Flask) -> None:
    text = (
        "name,category,start_date,end_date,target_cost_per_customer\n"
        "Forum,gossip,2011-04-01,2011-03-01,1.234\n"
        "Panel,panel,31/04/2011,,\n"
        "forum,forum,,,\n"
        "Fine,forum,,,\n"
    )
    assert problems("activities", text) == [
        'activities.csv row 2, category: "gossip" is not one of: consultation, forum, panel, scrutiny, '
        "training, event, newsletter, mystery shopping, other",
        'activities.csv row 2, target_cost_per_customer: "1.234" has more than 2 decimal places',
        "activities.csv row 2, end_date: 2011-03-01 is before the start date 2011-04-01",
        'activities.csv row 3, start_date: "31/04/2011" is not a real date',
        'activities.csv row 4, name: "forum" appears twice: rows 2 and 4',
    ]
    assert rows(Activity) == []
    assert problems("activities", "name\nForum\nFORUM\n") == [
        'activities.csv row 3, name: "FORUM" appears twice: rows 2 and 3'
    ]


def test_budgets_keyed_by_dates(app: Flask) -> None:
    text = 'start_date,end_date,amount\n2011-04-01,2012-03-31,45000\n2012-04-01,2013-03-31,"£47,500.00"\n'
    assert load("budgets", text).added == 2
    assert load("budgets", text).unchanged == 2
    result = load("budgets", "start_date,end_date,amount\n2011-04-01,2012-03-31,46000.50\n")
    assert (result.updated, result.unchanged) == (1, 0)
    assert [(b.start_date.year, b.amount) for b in rows(Budget)] == [
        (2011, Decimal("46000.50")),
        (2012, Decimal("47500.00")),
    ]


def test_bad_budgets(app: Flask) -> None:
    text = (
        "start_date,end_date,amount\n"
        "2011-04-01,2011-03-31,100\n"
        "2012-04-01,2013-03-31,-5\n"
        "2013-04-01,2014-03-31,NaN\n"
        "2014-04-01,2015-03-31,10.005\n"
        "2015-04-01,2016-03-31,1\n"
        "2015-04-01,2016-03-31,2\n"
    )
    assert problems("budgets", text) == [
        "budgets.csv row 2, end_date: 2011-03-31 is before the start date 2011-04-01",
        'budgets.csv row 3, amount: "-5" is negative; an amount of money cannot be less than 0',
        'budgets.csv row 4, amount: "NaN" is not an amount of money (write it like 12.50)',
        'budgets.csv row 5, amount: "10.005" has more than 2 decimal places',
        "budgets.csv row 7, start_date: the budget 2015-04-01 to 2016-03-31 appears twice: rows 6 and 7",
    ]
    assert rows(Budget) == []


OUTCOMES = (
    "where_who,what,outcome,raised_on,resolved_on,activity\n"
    "Scrutiny panel,Repairs take too long,New appointment slots,2011-05-03,2011-09-01,scrutiny panel\n"
    "Derby forum,Bins not emptied,,2011-06-10,,\n"
)


def test_outcomes_link_activities_and_update_on_reimport(app: Flask) -> None:
    load("activities", ACTIVITIES)
    assert load("outcomes", OUTCOMES).added == 2
    assert load("outcomes", OUTCOMES).unchanged == 2
    later = OUTCOMES.replace(
        "Bins not emptied,,2011-06-10,,", "Bins not emptied,Extra collection,2011-06-10,2011-07-01,"
    )
    assert load("outcomes", later).updated == 1
    panel, bins = rows(OutcomeLog)
    assert panel.activity is not None and panel.activity.name == "Scrutiny panel"
    assert (bins.outcome, bins.resolved_on, bins.activity_id) == ("Extra collection", date(2011, 7, 1), None)
    assert len(rows(OutcomeLog)) == 2


def test_bad_outcomes(app: Flask) -> None:
    text = (
        "where_who,what,outcome,raised_on,resolved_on,activity\n"
        "Forum,Bins,,2011-06-10,2011-06-01,Bin club\n"
        ",Lights,,,,\n"
        "Forum,Bins,,2011-06-10,,\n"
        "forum,BINS,,2011-06-10,,\n"
    )
    assert problems("outcomes", text) == [
        "outcomes.csv row 2, resolved_on: 2011-06-01 is before the date it was raised",
        'outcomes.csv row 2, activity: "Bin club" is not a known activity (import the activities file first)',
        "outcomes.csv row 3, where_who: a value is required",
        "outcomes.csv row 3, raised_on: a value is required",
        "outcomes.csv row 4, what: the same outcome appears twice: rows 2 and 4",
        "outcomes.csv row 5, what: the same outcome appears twice: rows 2 and 5",
    ]
    assert rows(OutcomeLog) == []


def test_actions_keyed_by_aim_and_due_date_with_closing_times(app: Flask) -> None:
    text = "aim,expected_outcome,due_date,status\nRecruit panel members,12 members,2011-09-30,In Progress\n"
    text += "Publish report,On website,2011-07-31,done\n"
    assert load("actions", text).added == 2
    recruit, publish = rows(Action)
    assert (recruit.status, recruit.closed_at) == ("in progress", None)
    assert (publish.status, publish.closed_at) == ("done", NOW)
    assert load("actions", text, now=NOW + timedelta(days=5)).unchanged == 2
    db.session.expire_all()
    assert rows(Action)[1].closed_at == NOW
    reopened = load("actions", "aim,due_date,status\npublish report,2011-07-31,open\n")
    assert reopened.updated == 1
    db.session.expire_all()
    assert (rows(Action)[1].status, rows(Action)[1].closed_at) == ("open", None)


def test_bad_actions(app: Flask) -> None:
    text = "aim,due_date,status\nRecruit,2011-09-31,open\nPublish,2011-07-31,finished\n,,\n"
    assert problems("actions", text) == [
        'actions.csv row 2, due_date: "2011-09-31" is not a real date',
        'actions.csv row 3, status: "finished" is not one of: open, in progress, done, cancelled',
    ]
    assert problems("actions", "aim,due_date\nRecruit,2011-09-30\nrecruit,2011-09-30\n") == [
        "actions.csv row 3, aim: the same action appears twice: rows 2 and 3"
    ]
    assert rows(Action) == []
