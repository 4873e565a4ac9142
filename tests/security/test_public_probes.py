"""The outside probe of the public forms, kept: scripted bookings, reference enumeration, crediting."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Customer, Participation
from app.models.base import utcnow
from consultations.events.definitions import save_definition
from consultations.events.models import Booking, Event
from consultations.surveys.launch import launch
from consultations.surveys.models import Response
from reporting.metrics import ReportSettings, build_report
from tests.consultations import factories
from tests.consultations.helpers import make_consultation


@pytest.fixture
def app_config() -> dict[str, Any]:
    """The limits as shipped, counted in the database as production counts them."""
    return {"RATELIMIT_STORAGE_URI": "involve+db://"}


@pytest.fixture
def event(app: Flask) -> Event:
    start = (utcnow() + timedelta(days=10)).replace(tzinfo=None, microsecond=0)
    made, _ = save_definition(
        {"slug": "park-day", "title": "Park day", "activity": "Park day", "capacity": 100, "max_places": 5,
         "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat()},
        now=utcnow(),
    )  # fmt: skip
    factories.customer(ref="DL0001", first_name="Ann", last_name="Hill", email="ann.hill@example.org",
                       phone="+447912345620", postcode="DE1 2AB")  # fmt: skip
    db.session.commit()
    return made


def _page_text(html: str) -> str:
    """The page without its per-request token, so two answers can be compared whole."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


def test_twenty_scripted_bookings_from_one_address_are_held_back(client, event) -> None:
    statuses = [
        client.post(
            "/e/park-day", data={"name": f"Bot {n}", "email": f"bot{n}@example.net", "places": "5"}
        ).status_code
        for n in range(20)
    ]
    assert statuses.count(303) == 6 and statuses[6:] == [429] * 14
    db.session.expire_all()
    assert db.session.get(Event, event.id).places_taken == 30  # not 96 of 100


def test_real_and_made_up_references_get_the_same_answer_then_none(client, event) -> None:
    real = client.post("/e/park-day", data={"ref": "DL0001", "check": "Smith", "places": "1"})
    made_up = client.post("/e/park-day", data={"ref": "DL0002", "check": "Smith", "places": "1"})
    assert real.status_code == made_up.status_code == 422
    # Byte for byte the same page, but for the reference echoed back in its field.
    echoed = made_up.get_data(as_text=True).replace("DL0002", "DL0001")
    assert _page_text(real.get_data(as_text=True)) == _page_text(echoed)
    assert "Hill" not in real.get_data(as_text=True) and "ann.hill" not in real.get_data(as_text=True)
    client.post("/e/park-day", data={"ref": "DL0003", "check": "x", "places": "1"})
    # Three misses in a minute from one address: the next try is refused, right details or not.
    enumerating = client.post("/e/park-day", data={"ref": "DL0001", "check": "Hill", "places": "1"})
    assert enumerating.status_code == 429
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


@pytest.mark.parametrize("detail", [{"check": "hill"}, {"check": "de12ab"}, {"email": "Ann.Hill@example.org"},
                                    {"phone": "07912 345620"}, {"name": "Ann Hill"}])  # fmt: skip
def test_each_second_detail_links_the_booking(client, event, detail) -> None:
    data = {"ref": "dl0001", "places": "1", **detail}
    response = client.post("/e/park-day", data=data)
    assert response.status_code == 303
    booking = db.session.scalar(select(Booking))
    assert booking.customer is not None and booking.customer.ref == "DL0001"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    # Only what was typed comes back; nothing from the register.
    for hidden in ("Hill", "ann.hill", "345620", "DE1"):
        if hidden.lower() not in " ".join(detail.values()).lower().replace(" ", ""):
            assert hidden not in page


def test_a_typed_name_and_phone_alone_do_not_claim_a_customer(client, event) -> None:
    response = client.post("/e/park-day", data={"name": "Jo Bloggs", "phone": "07912 345620", "places": "1"})
    assert response.status_code == 303
    assert db.session.scalar(select(Booking)).customer_id is None


def test_open_web_link_credits_a_customer_only_on_two_details(app, client, event) -> None:
    consultation = make_consultation(web_link=True, closes_at=None)
    launch(consultation, now=utcnow())
    db.session.commit()
    answers = {"q_reads": "0", "q_score": "4"}
    alone = client.post("/w/newsletter-2011", data={**answers, "customer_ref": "DL0001"})
    made_up = client.post("/w/newsletter-2011", data={**answers, "customer_ref": "DL7777"})
    assert alone.status_code == made_up.status_code == 422
    assert _page_text(alone.get_data(as_text=True)) == _page_text(
        made_up.get_data(as_text=True).replace("DL7777", "DL0001")
    )
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    ok = client.post(
        "/w/newsletter-2011", data={**answers, "customer_ref": "DL0001", "customer_check": "Hill"}
    )
    assert ok.status_code == 303
    again = client.post(
        "/w/newsletter-2011", data={**answers, "customer_ref": "DL0001", "customer_check": "Hill"}
    )
    assert again.status_code == 200 and "already have your answers" in again.get_data(as_text=True)
    anonymous = client.post("/w/newsletter-2011", data=answers)
    assert anonymous.status_code == 303
    rows = db.session.execute(select(Participation.customer_id, Participation.headcount)).all()
    ann = db.session.scalar(select(Customer.id).where(Customer.ref == "DL0001"))
    assert sorted(rows, key=str) == sorted([(ann, 1), (None, 1)], key=str)
    today = utcnow().date()
    report = build_report(date(today.year - 1, 1, 1), today, now=utcnow(), settings=ReportSettings())
    assert report.summary.customers_participated == 1 and report.summary.unidentified_participants == 1


def test_confirmation_names_only_what_the_visitor_typed(client, event) -> None:
    from messaging.models import OutboundMessage

    response = client.post(
        "/e/park-day", data={"ref": "DL0001", "check": "DE1 2AB", "name": "Sam Carer", "places": "1"}
    )
    assert response.status_code == 303
    message = db.session.scalar(select(OutboundMessage))
    # It reaches the customer at the address on file, greeting whoever booked by the name they typed.
    assert message.to_address == "ann.hill@example.org"
    assert message.body.startswith("Hello Sam,") and "Ann" not in message.body
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sam Carer" in page and "ann.hill" not in page and "Ann" not in page
