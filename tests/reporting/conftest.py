"""A small ledger with the report's edge cases, and helpers to build the report from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import Flask

from app.extensions import db
from app.models import Action, Activity, Area, Budget, Cost, Customer, OutcomeLog, Participation, StaffTime
from reporting.metrics import ReportSettings, build_report
from reporting.report import ImpactReport

FROM = date(2011, 4, 1)
TO = date(2012, 3, 31)
NOW = datetime(2012, 4, 10, 9, 0, tzinfo=UTC)


@dataclass
class Ledger:
    """What the fixture wrote, by name, so tests can compute expectations themselves."""

    activities: dict[str, Activity] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    participations: list[Participation] = field(default_factory=list)
    staff: list[StaffTime] = field(default_factory=list)
    costs: list[Cost] = field(default_factory=list)


def make_report(date_from: date = FROM, date_to: date = TO, **settings: object) -> ImpactReport:
    """Build the live report for a period at NOW."""
    return build_report(date_from, date_to, now=NOW, settings=ReportSettings(**settings))  # type: ignore[arg-type]


def _customer(ledger: Ledger, ref: str, area: Area | None, **profile: object) -> Customer:
    fields = {"age_band": "25-44", "gender": "Female", "ethnicity": "White British", "disability": "No"}
    fields.update(profile)  # type: ignore[arg-type]
    customer = Customer(ref=ref, first_name=ref, area=area, tenure=fields.pop("tenure", "Tenant"), **fields)
    db.session.add(customer)
    ledger.customers[ref] = customer
    return customer


@pytest.fixture
def ledger(app: Flask) -> Ledger:
    """Write activities, customers and the three ledgers with boundary and rounding cases."""
    led = Ledger()
    derby = Area(name="Derby", homes=3000)
    lincoln = Area(name="Lincoln", homes=2000)
    db.session.add_all([derby, lincoln])
    for ref in ("c1", "c2", "c3", "c6", "c7"):
        _customer(led, ref, derby)
    _customer(led, "c9", lincoln, tenure="Leaseholder", gender="Male")
    _customer(led, "c4", lincoln, gender="Male")
    _customer(led, "c5", lincoln, gender="Male", age_band=None)  # incomplete profile
    _customer(led, "c8", None, gender="Male")  # incomplete: no area
    for ref in ("c10", "c11", "c12"):
        _customer(led, ref, derby, tenure="Leaseholder", ethnicity=None)  # incomplete
    gone = _customer(led, "erased", derby)
    gone.erased_at = NOW

    def activity(name: str, category: str, **kw: object) -> Activity:
        kw.setdefault("aim", f"Aim of {name}")
        kw.setdefault("outcomes", f"Outcomes of {name}")
        act = Activity(name=name, category=category, **kw)
        db.session.add(act)
        led.activities[name] = act
        return act

    texts = activity(
        "Text survey", "consultation", homes_affected=5000, target_customers=4,
        target_cost_per_customer=Decimal("10.00"), start_date=date(2011, 4, 1), end_date=date(2012, 3, 31),
    )  # fmt: skip
    bgt = activity(
        "Big Get Together", "event", homes_affected=None, target_customers=40, start_date=date(2011, 9, 17),
        end_date=date(2011, 9, 17),
    )  # fmt: skip
    panel = activity(
        "Reading Panel", "panel", homes_affected=10, target_customers=4, start_date=date(2011, 5, 1),
        end_date=date(2012, 3, 1),
    )  # fmt: skip
    forum = activity(
        "Challenge Hour", "forum", homes_affected=4866, target_cost_per_customer=Decimal("50"),
        start_date=date(2011, 1, 1),
    )  # fmt: skip
    training = activity(
        "Customer Training", "training", aim="", counts_toward_budget=False, start_date=date(2011, 4, 1),
        end_date=date(2011, 6, 30), homes_affected=6000,
    )  # fmt: skip
    activity("Dormant", "other", start_date=date(2010, 1, 1))
    db.session.flush()
    c = led.customers

    def took_part(
        act: Activity, who: Customer | None, day: date, channel: str, hours: str = "1", n: int = 1
    ) -> None:
        row = Participation(
            activity=act, customer=who, date=day, channel=channel, hours=Decimal(hours), headcount=n
        )
        db.session.add(row)
        led.participations.append(row)

    took_part(texts, c["c1"], FROM, "sms", "0.0333")  # first day of the period
    took_part(texts, c["c2"], date(2011, 6, 1), "sms", "0.0333")
    took_part(texts, c["c3"], date(2011, 6, 2), "email", "0.0333")
    took_part(texts, c["c1"], TO, "email", "0.0333")  # last day; same customer, second channel
    took_part(texts, c["c4"], date(2011, 3, 31), "sms")  # the day before: not counted
    took_part(texts, c["c5"], date(2012, 4, 1), "sms")  # the day after: not counted
    took_part(bgt, None, date(2011, 9, 17), "online", "30", 30)
    took_part(bgt, None, date(2011, 9, 17), "online", "12", 12)
    took_part(bgt, None, date(2011, 9, 17), "event", "20", 5)
    took_part(panel, c["c6"], date(2011, 5, 1), "in person", "2")
    took_part(panel, c["c6"], date(2011, 6, 1), "in person", "2")
    took_part(panel, c["c7"], date(2011, 5, 1), "in person", "2")
    took_part(panel, c["c7"], date(2011, 6, 1), "in person", "2")
    took_part(forum, c["c7"], date(2011, 2, 1), "in person", "1.5")  # before the period: c7 is not new
    took_part(training, c["c1"], date(2011, 5, 5), "in person", "3")
    took_part(training, c["c9"], date(2011, 7, 15), "in person", "3")  # after the activity ended

    def staff(act: Activity, day: date, hours: str) -> None:
        row = StaffTime(activity=act, date=day, hours=Decimal(hours))
        db.session.add(row)
        led.staff.append(row)

    staff(texts, date(2011, 4, 2), "3.5")
    staff(forum, date(2011, 10, 1), "20.25")
    staff(forum, date(2010, 10, 1), "99")  # outside

    def cost(act: Activity, day: date, amount: str) -> None:
        row = Cost(activity=act, date=day, amount=Decimal(amount))
        db.session.add(row)
        led.costs.append(row)

    cost(texts, date(2011, 4, 3), "4.00")
    cost(texts, TO, "6.00")
    cost(texts, date(2012, 4, 1), "99.00")  # outside
    cost(panel, date(2011, 5, 1), "0.25")  # half a penny per customer and per home
    cost(forum, date(2011, 11, 1), "100.00")
    cost(training, date(2011, 5, 5), "50.00")  # does not count toward the budget

    db.session.add_all(
        [
            Budget(start_date=FROM, end_date=TO, amount=Decimal("1000.00")),
            Budget(start_date=date(2011, 1, 1), end_date=date(2011, 12, 31), amount=Decimal("500.00")),
            Budget(start_date=date(2011, 5, 1), end_date=date(2012, 4, 30), amount=Decimal("700.00")),
            OutcomeLog(where_who="Kirkby residents", what="Grit stolen", outcome="Locks fitted",
                       raised_on=date(2011, 1, 5), resolved_on=date(2011, 4, 1)),
            OutcomeLog(where_who="=cmd|' /C calc'!A0", what="Parking", outcome="",
                       raised_on=date(2012, 3, 31)),
            OutcomeLog(where_who="Old", what="Before", outcome="Done",
                       raised_on=date(2010, 1, 1), resolved_on=date(2011, 3, 31)),
            Action(aim="Strategic forum", expected_outcome="Forum formed", due_date=date(2011, 9, 30)),
            Action(aim="Profiling", expected_outcome="90%", due_date=date(2012, 12, 31), status="in progress"),
            Action(aim="Finished", expected_outcome="Done", due_date=date(2011, 5, 1), status="done"),
        ]
    )  # fmt: skip
    db.session.commit()
    return led
