"""The report page, downloads, overrides and publishing through HTTP, with role checks."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Cost
from reporting import services
from reporting.models import PublishedReport, RatingOverride
from tests.conftest import signed_in
from tests.reporting.conftest import FROM, NOW, TO, Ledger, make_report

PERIOD = {"from": FROM.isoformat(), "to": TO.isoformat()}


def test_the_report_needs_a_signed_in_member_of_staff(client: FlaskClient) -> None:
    response = client.get("/reports")
    assert response.status_code in (302, 401)
    assert client.get("/reports/published").status_code in (302, 401)
    assert client.get("/reports/download/json", query_string=PERIOD).status_code in (302, 401)


def test_the_page_reads_like_the_reference(staff_client: FlaskClient, ledger: Ledger) -> None:
    page = staff_client.get("/reports", query_string=PERIOD).get_data(as_text=True)
    assert "Why is an impact report important?" in page and "Value for money" in page
    assert "3 (2 email / 2 text)" in page  # the channel split
    assert "1 took part through more than one: each customer counts once in the total" in page
    assert "47 (42 online / 5 at events)" in page
    assert "Total cost £10 /" in page and "£3.33 per customer involved" in page
    assert "13p per customer involved, 3p per property affected (based on 10 homes)" in page
    assert "Customer 0.13 / Staff 3.5" in page
    assert "from targets: Reach 3 against a target of 4 (average)" in page
    assert "Examples of outcomes from involvement meetings" in page
    assert "Activities underway" in page
    assert '<strong class="overdue">overdue</strong>' in page  # an action past its due date, not the CSS
    assert "6 customers participated in involvement opportunities" in page
    assert (
        "A budget of £2,200 is in place to deliver resident involvement with current under spend of £2,089.75"
        in page
    )
    # A suppressed profile cell, not the help text that explains "<5".
    assert re.search(r'<td class="num">&lt;5</td>', page)
    assert "<svg" in page and "Customers involved by activity and channel" in page
    assert "Big Get Together:</strong> No homes affected recorded." in page  # a data-quality warning
    # staff cannot override or publish, so the forms are not offered
    assert "Override this rating" not in page and "Publish a frozen copy" not in page


def test_the_overdue_and_suppression_markers_need_data(staff_client: FlaskClient) -> None:
    # On an empty database the page still carries the CSS and the help text, never the markers.
    page = staff_client.get("/reports", query_string=PERIOD).get_data(as_text=True)
    assert "overdue" in page and "&lt;5" in page
    assert '<strong class="overdue">overdue</strong>' not in page
    assert not re.search(r'<td class="num">&lt;5</td>', page)


def test_user_text_is_escaped_everywhere(staff_client: FlaskClient, ledger: Ledger) -> None:
    ledger.activities["Text survey"].aim = "<script>alert(1)</script>"
    ledger.activities["Reading Panel"].name = "Panel <b>&</b>"
    db.session.commit()
    page = staff_client.get("/reports", query_string=PERIOD).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "Panel <b>" not in page and "Panel &lt;b&gt;&amp;&lt;/b&gt;" in page


def test_presets_and_bad_dates(staff_client: FlaskClient, ledger: Ledger) -> None:
    page = staff_client.get("/reports", query_string={"preset": "fy-2011"}).get_data(as_text=True)
    assert "1 April 2011 to 31 March 2012" in page
    bad = staff_client.get("/reports", query_string={"from": "2011-13-01", "to": "2012-01-01"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.get_data(as_text=True)
    backwards = staff_client.get("/reports", query_string={"from": "2012-01-01", "to": "2011-01-01"})
    assert backwards.status_code == 400 and "must not be after" in backwards.get_data(as_text=True)
    assert staff_client.get("/reports", query_string={"preset": "nonsense"}).status_code == 400


def test_downloads_in_every_format(staff_client: FlaskClient, ledger: Ledger) -> None:
    expected = {"json": "application/json", "csv": "application/zip", "xlsx": "spreadsheetml", "pdf": "application/pdf",
                "html": "text/html"}  # fmt: skip
    for fmt, mimetype in expected.items():
        response = staff_client.get(f"/reports/download/{fmt}", query_string=PERIOD)
        assert response.status_code == 200, fmt
        assert mimetype in response.content_type
        extension = "zip" if fmt == "csv" else fmt
        assert (
            f"impact-report-2011-04-01-to-2012-03-31.{extension}" in response.headers["Content-Disposition"]
        )
    assert staff_client.get("/reports/download/doc", query_string=PERIOD).status_code == 404
    data = json.loads(staff_client.get("/reports/download/json", query_string=PERIOD).data)
    assert data["summary"]["spend"] == "110.25"


def test_staff_cannot_override_or_publish(staff_client: FlaskClient, ledger: Ledger) -> None:
    activity_id = ledger.activities["Reading Panel"].id
    form = {**PERIOD, "activity_id": activity_id, "rating": "good", "reason": "Because"}
    assert staff_client.post("/reports/override", data=form).status_code == 403
    assert staff_client.post("/reports/publish", data=PERIOD).status_code == 403
    assert db.session.scalars(select(RatingOverride)).all() == []
    assert db.session.scalars(select(PublishedReport)).all() == []


def test_a_manager_override_beats_the_rule_and_is_audited(
    manager_client: FlaskClient, ledger: Ledger
) -> None:
    activity_id = ledger.activities["Reading Panel"].id
    form = {**PERIOD, "activity_id": activity_id, "rating": "good", "reason": "Reach was the whole panel"}
    response = manager_client.post("/reports/override", data=form)
    assert response.status_code == 303
    data = json.loads(manager_client.get("/reports/download/json", query_string=PERIOD).data)
    panel = next(a for a in data["activities"] if a["name"] == "Reading Panel")
    assert (panel["rating"], panel["rating_basis"], panel["rating_reason"]) == (
        "good", "override", "Reach was the whole panel",
    )  # fmt: skip
    page = manager_client.get("/reports", query_string=PERIOD).get_data(as_text=True)
    assert "set by a manager: Reach was the whole panel" in page
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.rating_override")).one()
    assert event.detail["rating"] == "good" and event.target_id == str(activity_id)
    # another period in the same financial year carries the override; the next year keeps the rule
    other = json.loads(
        manager_client.get("/reports/download/json", query_string={"from": "2011-05-01", "to": TO}).data
    )
    assert next(a for a in other["activities"] if a["name"] == "Reading Panel")["rating_basis"] == "override"
    later = json.loads(
        manager_client.get(
            "/reports/download/json", query_string={"from": "2012-04-01", "to": "2013-03-31"}
        ).data
    )
    assert all(a["rating_basis"] != "override" for a in later["activities"])


def test_an_override_needs_a_reason_and_a_real_rating(manager_client: FlaskClient, ledger: Ledger) -> None:
    activity_id = ledger.activities["Reading Panel"].id
    for rating, reason in (("good", "   "), ("great", "why not")):
        form = {**PERIOD, "activity_id": activity_id, "rating": rating, "reason": reason}
        manager_client.post("/reports/override", data=form)
    assert db.session.scalars(select(RatingOverride)).all() == []
    assert db.session.scalars(select(AuditEvent)).all() == []
    bad = manager_client.post("/reports/override", data={"from": "x", "to": "y", "activity_id": activity_id})
    assert bad.status_code == 400


def test_a_published_copy_stays_frozen_after_the_ledger_changes(
    app: Flask, manager_client: FlaskClient, ledger: Ledger
) -> None:
    response = manager_client.post(
        "/reports/publish", data={**PERIOD, "title": "Impact report 2011-12", "confirm": "yes"}
    )
    assert response.status_code == 303
    stored = db.session.scalars(select(PublishedReport)).one()
    assert stored.title == "Impact report 2011-12"
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.publish")).one()
    assert audit.target_id == str(stored.id)

    db.session.add(Cost(activity=ledger.activities["Reading Panel"], date=FROM, amount=Decimal("1000.00")))
    ledger.activities["Reading Panel"].aim = "A new aim"
    db.session.commit()

    live = json.loads(manager_client.get("/reports/download/json", query_string=PERIOD).data)
    assert live["summary"]["spend"] == "1110.25"
    frozen = json.loads(manager_client.get(f"/reports/published/{stored.id}/download/json").data)
    assert frozen["summary"]["spend"] == "110.25"
    assert (
        next(a for a in frozen["activities"] if a["name"] == "Reading Panel")["aim"] == "Aim of Reading Panel"
    )
    page = manager_client.get(f"/reports/published/{stored.id}").get_data(as_text=True)
    assert "Published copy" in page and "Aim of Reading Panel" in page and "A new aim" not in page
    for fmt in ("csv", "xlsx", "pdf", "html"):
        assert manager_client.get(f"/reports/published/{stored.id}/download/{fmt}").status_code == 200
    listing = manager_client.get("/reports/published").get_data(as_text=True)
    assert "Impact report 2011-12" in listing
    # staff may read published reports
    staff = signed_in(app, _staff(app))
    assert staff.get(f"/reports/published/{stored.id}").status_code == 200
    assert staff.get("/reports/published/999").status_code == 404


def _staff(app: Flask):
    from app.models import StaffUser

    user = StaffUser(email="reader@involve.test", role="staff")
    db.session.add(user)
    db.session.commit()
    return user


def _override(ledger: Ledger, name: str, rating: str, reason: str) -> None:
    actor = SimpleNamespace(id=None, email="manager@example.org")
    services.override_rating(
        ledger.activities[name], FROM, TO, rating=rating, reason=reason, actor=actor, now=NOW
    )


def test_removing_an_override_brings_back_the_rule_and_is_audited(ledger: Ledger) -> None:
    panel = ledger.activities["Reading Panel"]
    ruled = next(a for a in make_report().to_json()["activities"] if a["name"] == "Reading Panel")
    _override(ledger, "Reading Panel", "poor", "First thoughts")
    _override(ledger, "Reading Panel", "good", "Second thoughts")
    before = next(a for a in make_report().to_json()["activities"] if a["name"] == "Reading Panel")
    assert (before["rating"], before["rating_basis"]) == ("good", "override")
    actor = SimpleNamespace(id=None, email="manager@example.org")
    assert services.remove_override(panel, FROM, TO, actor=actor, now=NOW) == 2
    after = next(a for a in make_report().to_json()["activities"] if a["name"] == "Reading Panel")
    assert after["rating_basis"] == "rule"  # the earlier override does not resurface
    assert (after["rating"], after["rating_reason"]) == (ruled["rating"], ruled["rating_reason"])
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report.rating_override.remove")
    ).one()
    assert event.target_id == str(panel.id)
    assert (event.detail["rating"], event.detail["reason"]) == ("good", "Second thoughts")
    with pytest.raises(services.ReportError, match="no rating override"):
        services.remove_override(panel, FROM, TO, actor=actor, now=NOW)


def test_removing_leaves_other_years_and_activities_alone(ledger: Ledger) -> None:
    _override(ledger, "Reading Panel", "good", "Panel")
    _override(ledger, "Text survey", "poor", "Survey")
    actor = SimpleNamespace(id=None, email="manager@example.org")
    next_year = (date(2012, 4, 1), date(2013, 3, 31))
    services.override_rating(
        ledger.activities["Text survey"], *next_year, rating="good", reason="Other", actor=actor, now=NOW
    )
    # removing from a part of the year removes the year's override
    services.remove_override(
        ledger.activities["Reading Panel"], FROM, date(2012, 2, 29), actor=actor, now=NOW
    )
    cards = {a["name"]: a for a in make_report().to_json()["activities"]}
    assert cards["Reading Panel"]["rating_basis"] == "rule"
    assert cards["Text survey"]["rating_basis"] == "override"
    services.remove_override(ledger.activities["Text survey"], FROM, TO, actor=actor, now=NOW)
    later = {a["name"]: a for a in make_report(*next_year).to_json()["activities"]}
    assert (later["Text survey"]["rating_basis"], later["Text survey"]["rating"]) == ("override", "good")


def test_staff_cannot_remove_an_override(staff_client: FlaskClient, ledger: Ledger) -> None:
    _override(ledger, "Reading Panel", "good", "Because")
    db.session.commit()
    form = {**PERIOD, "activity_id": ledger.activities["Reading Panel"].id}
    assert staff_client.post("/reports/override/remove", data=form).status_code == 403
    assert len(db.session.scalars(select(RatingOverride)).all()) == 1
    assert (
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "report.rating_override.remove")
        ).all()
        == []
    )


def test_a_manager_removes_an_override_from_the_report_page(
    manager_client: FlaskClient, ledger: Ledger
) -> None:
    activity_id = ledger.activities["Reading Panel"].id
    form = {**PERIOD, "activity_id": activity_id, "rating": "good", "reason": "Reach was the whole panel"}
    assert manager_client.post("/reports/override", data=form).status_code == 303
    page = manager_client.get("/reports", query_string=PERIOD).get_data(as_text=True)
    assert page.count("Remove override") == 1  # offered only next to the overridden rating
    before = json.loads(manager_client.get("/reports/download/json", query_string=PERIOD).data)
    assert next(a for a in before["activities"] if a["name"] == "Reading Panel")["rating_basis"] == "override"

    # The first POST only says what goes; nothing changes until the confirming one.
    check = manager_client.post("/reports/override/remove", data={**PERIOD, "activity_id": activity_id})
    text = check.get_data(as_text=True)
    assert check.status_code == 200 and "The hand-set rating <strong>good</strong>" in text
    assert "April 2011 – March 2012" in text and len(db.session.scalars(select(RatingOverride)).all()) == 1
    response = manager_client.post(
        "/reports/override/remove", data={**PERIOD, "activity_id": activity_id, "confirm": "yes"}
    )
    assert response.status_code == 303 and "from=2011-04-01" in response.headers["Location"]
    after = json.loads(manager_client.get("/reports/download/json", query_string=PERIOD).data)
    assert next(a for a in after["activities"] if a["name"] == "Reading Panel")["rating_basis"] == "rule"
    page = manager_client.get("/reports", query_string=PERIOD).get_data(as_text=True)
    assert "Remove override" not in page and "set by a manager" not in page
    assert db.session.scalars(select(RatingOverride)).all() == []
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report.rating_override.remove")
    ).one()
    assert event.detail["reason"] == "Reach was the whole panel"
    # removing again explains itself rather than failing
    again = manager_client.post(
        "/reports/override/remove",
        data={**PERIOD, "activity_id": activity_id, "confirm": "yes"},
        follow_redirects=True,
    )
    assert again.status_code == 200 and "has no rating override for this financial year" in again.get_data(
        as_text=True
    )
    missing = manager_client.post("/reports/override/remove", data={**PERIOD, "activity_id": 999999})
    assert missing.status_code == 404


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_removing_an_override_needs_a_csrf_token(app: Flask, make_user, ledger: Ledger) -> None:
    _override(ledger, "Reading Panel", "good", "Because")
    db.session.commit()
    client = signed_in(app, make_user("manager"))
    form = {**PERIOD, "activity_id": ledger.activities["Reading Panel"].id}
    assert client.post("/reports/override/remove", data=form).status_code == 400
    assert len(db.session.scalars(select(RatingOverride)).all()) == 1
    page = client.get("/reports", query_string=PERIOD).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    confirmed = {**form, "csrf_token": token[1], "confirm": "yes"}
    assert client.post("/reports/override/remove", data=confirmed).status_code == 303
    assert db.session.scalars(select(RatingOverride)).all() == []
