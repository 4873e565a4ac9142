"""Activities and customers for the activity screens' tests."""

from __future__ import annotations

from app.extensions import db
from app.models import Activity, Customer, utcnow
from app.periods import local_date

TODAY = local_date(utcnow())


def make_activity(name: str = "Local Offers", homes: int | None = 5000) -> Activity:
    activity = Activity(name=name, category="consultation", homes_affected=homes)
    db.session.add(activity)
    db.session.commit()
    return activity


def customers(*refs: str) -> list[Customer]:
    people = [Customer(ref=ref, first_name="C", last_name=ref) for ref in refs]
    db.session.add_all(people)
    db.session.commit()
    return people
