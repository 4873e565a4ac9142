"""The respondents' profile lists values in the landlord's order and groups synonyms under one value."""

from __future__ import annotations

from datetime import date

from flask import Flask

from app.extensions import db
from app.models import Activity, Customer, Participation, utcnow
from app.vocabulary import services
from reporting.state import current_version
from tests.reporting.conftest import make_report


def _register() -> None:
    panel = Activity(name="Reading Panel", category="panel")
    db.session.add(panel)
    people = (
        [("Leaseholder", "Asian British")] * 5
        + [("general needs", "Asian or Asian British")] * 5
        + [("General needs", "White")] * 5
        + [("Council flat", "White")] * 5
        + [(None, None)] * 5
    )
    for n, (tenure, ethnicity) in enumerate(people):
        customer = Customer(ref=f"p{n}", tenure=tenure, ethnicity=ethnicity)
        db.session.add(customer)
        if n % 5 < 3 or tenure is None:
            db.session.add(
                Participation(activity=panel, customer=customer, date=date(2011, 7, 1), channel="post")
            )
    db.session.commit()


def test_profile_follows_the_landlords_order_and_groups_by_listed_value(app: Flask) -> None:
    _register()
    fields = make_report().profile.fields
    assert list(fields["tenure"]) == ["General needs", "Leaseholder", "Council flat", "Not recorded"]
    general = fields["tenure"]["General needs"]
    assert (general.participants, general.base) == (6, 10)  # "general needs" and "General needs" together
    assert list(fields["ethnicity"]) == ["Asian or Asian British", "White", "Not recorded"]
    asian = fields["ethnicity"]["Asian or Asian British"]
    assert (asian.participants, asian.base) == (6, 10)  # "Asian British" is a synonym, not a second group
    data = make_report().to_json()["profile"]["fields"]
    assert list(data["tenure"]) == ["General needs", "Leaseholder", "Council flat", "Not recorded"]


def test_reordering_a_list_moves_the_report_on(app: Flask) -> None:
    _register()
    before = current_version()
    services.move_value("tenure", "Leaseholder", -1, actor=None, now=utcnow())
    for _ in range(3):
        services.move_value("tenure", "Leaseholder", -1, actor=None, now=utcnow())
    db.session.commit()
    assert current_version() > before  # a cached report is not served in the old order
    assert list(make_report().profile.fields["tenure"]) == [
        "Leaseholder",
        "General needs",
        "Council flat",
        "Not recorded",
    ]
