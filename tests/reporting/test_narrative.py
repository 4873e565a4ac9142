"""Managers own the report's words per period; the published copy freezes them and drops internal warnings."""

from __future__ import annotations

import json

from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from reporting.models import PublishedReport
from tests.reporting.conftest import FROM, TO, Ledger

PERIOD = {"from": FROM.isoformat(), "to": TO.isoformat()}


def _save(client: FlaskClient, ledger: Ledger, **sections: str):
    panel = ledger.activities["Reading Panel"].id
    form = {**PERIOD, **sections, f"qualifier-{panel}": "(not open to leaseholders)"}
    return client.post("/reports/narrative", data=form)


def test_the_defaults_name_the_landlord_and_the_period(
    app, staff_client: FlaskClient, ledger: Ledger
) -> None:
    app.config["LANDLORD_NAME"] = "Peak Homes"
    page = staff_client.get("/reports", query_string=PERIOD).get_data(as_text=True)
    assert "Peak Homes is committed to customer involvement" in page
    assert "Priorities for the rest of the year" in page and "Closing words" in page


def test_a_manager_writes_the_words_and_every_format_prints_them(
    manager_client: FlaskClient, ledger: Ledger
) -> None:
    form = manager_client.get("/reports/narrative", query_string=PERIOD)
    assert form.status_code == 200 and "Why is an impact report important?" in form.get_data(as_text=True)
    response = _save(
        manager_client, ledger, introduction="Our own <b>introduction</b>.", priorities="Fix damp."
    )
    assert response.status_code == 303
    page = manager_client.get("/reports", query_string=PERIOD).get_data(as_text=True)
    assert "Our own &lt;b&gt;introduction&lt;/b&gt;." in page and "Fix damp." in page
    assert 'Reading Panel <span class="qualifier">(not open to leaseholders)</span>' in page
    data = json.loads(manager_client.get("/reports/download/json", query_string=PERIOD).data)
    assert data["narrative"]["priorities"] == "Fix damp."
    assert next(a for a in data["activities"] if a["name"] == "Reading Panel")["qualifier"] == (
        "(not open to leaseholders)"
    )
    html = manager_client.get("/reports/download/html", query_string=PERIOD).get_data(as_text=True)
    assert "Fix damp." in html and "(not open to leaseholders)" in html


def test_staff_cannot_edit_the_words(staff_client: FlaskClient, ledger: Ledger) -> None:
    assert _save(staff_client, ledger, introduction="Mine").status_code == 403


def test_overlong_text_is_refused(manager_client: FlaskClient, ledger: Ledger) -> None:
    refused = _save(manager_client, ledger, introduction="x" * 5001)
    assert refused.status_code == 200 and "at most 5,000 characters" in refused.get_data(as_text=True)
    assert "x" * 5001 not in manager_client.get("/reports", query_string=PERIOD).get_data(as_text=True)


def test_the_published_copy_freezes_the_words_and_has_no_internal_warnings(
    manager_client: FlaskClient, ledger: Ledger
) -> None:
    _save(manager_client, ledger, closing="Thank you all.")
    live = manager_client.get("/reports", query_string=PERIOD).get_data(as_text=True)
    assert "Data-quality warnings" in live  # staff still see them
    manager_client.post("/reports/publish", data={**PERIOD, "title": "2011-12", "confirm": "yes"})
    stored = db.session.scalars(select(PublishedReport)).one()
    assert stored.data["warnings"] == [] and stored.data["narrative"]["closing"] == "Thank you all."
    _save(manager_client, ledger, closing="Changed later.")
    page = manager_client.get(f"/reports/published/{stored.id}").get_data(as_text=True)
    assert "Thank you all." in page and "Changed later." not in page
    assert "Data-quality warnings" not in page
    # an outcome not yet resolved reads "in progress" with the date it was raised
    assert "In progress" in page and "31 Mar 2012" in page
