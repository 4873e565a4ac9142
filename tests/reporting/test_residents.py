"""Residents' pages: public, and showing only what a manager published."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from app.models.base import utcnow
from consultations.events.definitions import save_definition
from tests.reporting.conftest import FROM, TO, Ledger

PERIOD = {"from": FROM.isoformat(), "to": TO.isoformat()}


def test_nothing_is_shown_before_a_manager_publishes(client: FlaskClient, ledger: Ledger) -> None:
    assert client.get("/residents/").status_code == 200
    assert "No report has been published yet" in client.get("/residents/reports").get_data(as_text=True)
    said = client.get("/residents/you-said-we-did").get_data(as_text=True)
    assert "Nothing has been published yet" in said and "Kirkby" not in said
    assert client.get("/residents/reports/1").status_code == 404


def test_a_signed_out_visitor_reads_the_published_report_without_internal_warnings(
    client: FlaskClient, manager_client: FlaskClient, ledger: Ledger
) -> None:
    manager_client.post("/reports/publish", data={**PERIOD, "title": "Our year 2011-12", "confirm": "yes"})
    listing = client.get("/residents/reports").get_data(as_text=True)
    assert "Our year 2011-12" in listing
    page = client.get("/residents/reports/1").get_data(as_text=True)
    assert "Reading Panel" in page and "Data-quality warnings" not in page
    assert "Override this rating" not in page and "Sign out" not in page
    pdf = client.get("/residents/reports/1.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    said = client.get("/residents/you-said-we-did").get_data(as_text=True)
    assert "Locks fitted" in said  # resolved
    assert "In progress" in said and "raised 31 Mar 2012" in said  # unresolved, with the date raised
    # a later ledger change does not reach the residents' copy
    assert "Our year 2011-12" in client.get("/residents/").get_data(as_text=True)


def test_upcoming_events_link_to_their_booking_pages(client: FlaskClient, ledger: Ledger) -> None:
    now = utcnow()
    for slug, days in (("future-walk", 5), ("past-walk", -5)):
        start = (now + timedelta(days=days)).replace(tzinfo=None, microsecond=0, second=0)
        save_definition(
            {"slug": slug, "title": f"Walk {slug}", "activity": "Walks", "capacity": 10, "venue": "Park",
             "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()},
            now=now,
        )  # fmt: skip
    from app.extensions import db

    db.session.commit()
    page = client.get("/residents/events").get_data(as_text=True)
    assert 'href="/e/future-walk"' in page and "past-walk" not in page


def test_the_tsm_link_shows_only_when_the_results_page_exists(
    client: FlaskClient, ledger: Ledger, app
) -> None:
    page = client.get("/residents/").get_data(as_text=True)
    exists = any(r.rule.rstrip("/") == "/residents/tsm" for r in app.url_map.iter_rules())
    assert ('href="/residents/tsm' in page) == exists
