"""The TSM pages loaded as staff and managers: calculator, results, publishing and the residents' page."""

from __future__ import annotations

import csv
import html
from datetime import date
from pathlib import Path

import pytest
from flask import Flask, g
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from app.extensions import db
from consultations.surveys.models import Consultation, Response
from consultations.tsm.methodology import report_for
from consultations.tsm.sampling import percent, sample_size
from consultations.tsm.services import results_for
from consultations.tsm.template import MEASURES

PERIOD = {"from": "2026-04-01", "to": "2027-03-31"}


def _import(runner: FlaskCliRunner, slug: str, path: Path, refs: list[str]) -> None:
    """Import one response per tenant: alternating very satisfied and very dissatisfied on TP01."""
    columns = ["customer_ref", "channel", "date", "TP01", "repair_12m", "TP02"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for i, ref in enumerate(refs):
            good = i % 3 != 0
            writer.writerow(
                [ref, "phone", "2026-06-01", "Very satisfied" if good else "Very dissatisfied", "Yes",
                 "Fairly satisfied" if good else "Fairly dissatisfied"]
            )  # fmt: skip
    out = runner.invoke(args=["consultations", "import-responses", slug, str(path)])
    assert out.exit_code == 0, out.output


@pytest.fixture
def answered(app: Flask, runner: FlaskCliRunner, tsm_survey, register, tmp_path: Path):
    consultation = tsm_survey()
    tenants = register(60)
    # Customer names must never reach the residents' page.
    _import(runner, consultation.slug, tmp_path / "r.csv", [c.ref for c in tenants[:45]])
    return consultation


def _as(client):  # type: ignore[no-untyped-def]
    """Return the client after dropping Flask-Login's cached user: the test keeps one app context."""
    g.pop("_login_user", None)
    return client


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def test_calculator_shows_the_services_figures(staff_client) -> None:
    page = staff_client.get("/tsm/sample-size?population=3000&responses=400")
    assert page.status_code == 200
    text = _text(page)
    expected = sample_size(3000, None, 400)
    assert f"at least {expected.minimum_responses:,} responses" in text.replace("<strong>", "").replace(
        "</strong>", ""
    )
    assert f"400 responses give {percent(expected.achieved_margin)}" in text
    assert percent(expected.margin) == "±4.0%"


@pytest.mark.parametrize(
    "query",
    [
        "population=abc",
        "population=-5",
        "population=100&responses=101",
        "population=100&responses=-1",
        "population=100&responses=ten",
        "population=100&margin=x",
        "population=100&margin=nan",
        "population=100&margin=-3",
        "population=1e5",
    ],
)
def test_calculator_refuses_bad_input_plainly(staff_client, query: str) -> None:
    page = staff_client.get(f"/tsm/sample-size?{query}")
    assert page.status_code == 200
    text = _text(page)
    assert 'role="alert"' in text and "Enter whole numbers" in text
    assert 'id="answer"' not in text


def test_calculator_is_for_staff_only(client) -> None:
    assert client.get("/tsm/sample-size?population=100").status_code in (302, 401, 403)


def test_results_page_shows_the_services_results_and_live_margin(app: Flask, staff_client, answered) -> None:
    page = staff_client.get(f"/tsm/{answered.id}?from={PERIOD['from']}&to={PERIOD['to']}")
    assert page.status_code == 200
    text = _text(page)
    expected = results_for(
        answered, report_for(answered), date.fromisoformat(PERIOD["from"]), date.fromisoformat(PERIOD["to"])
    )
    # Leaseholders answered too but are outside the TSM tenures.
    assert expected["responses"] + expected["excluded"]["outside_tsm_tenures"] == 45
    assert expected["responses"] == 38
    for key in MEASURES:
        m = expected["populations"]["LCRA"]["measures"][key]
        if m["percent"] is not None:
            assert f"{m['percent']}%" in text and f"{m['satisfied']} of {m['base']}" in text, key
    tp01 = expected["measures"]["TP01"]
    assert tp01["base"] == 38 and f"{tp01['percent']}%" not in text.split("tsm-margins")[0]
    for name, p in expected["populations"].items():
        assert f'data-population="{name}"' in text
        assert percent(p["achieved_margin"]) in text
    live = staff_client.get(f"/tsm/{answered.id}/margins.json?from={PERIOD['from']}&to={PERIOD['to']}")
    assert live.status_code == 200
    assert live.get_json() == {
        name: {"responses": p["responses"], "achieved_margin": percent(p["achieved_margin"])}
        for name, p in expected["populations"].items()
    }


def _save_period(client, consultation_id: int) -> None:  # type: ignore[no-untyped-def]
    saved = client.post(
        f"/tsm/{consultation_id}/settings",
        data={**PERIOD, "timing": "June 2026, by telephone.", "incentives": "A prize draw."},
    )
    assert saved.status_code in (302, 303)


def test_staff_cannot_publish(app: Flask, staff_client, answered) -> None:
    _save_period(staff_client, answered.id)
    refused = staff_client.post(f"/tsm/{answered.id}/publish")
    assert refused.status_code == 403
    db.session.expire_all()
    assert report_for(answered).published_at is None
    assert "We have not published" in _text(staff_client.get("/residents/tsm"))


def test_residents_page_shows_only_what_a_manager_published(
    app: Flask, client, manager_client, answered
) -> None:
    before = _as(client).get("/residents/tsm")
    assert before.status_code == 200
    text = _text(before)
    assert "We have not published" in text and "TP01" not in text
    # Publishing with no saved period is refused in words.
    refused = _as(manager_client).post(f"/tsm/{answered.id}/publish", follow_redirects=True)
    assert "Choose and save the results period" in _text(refused)
    _save_period(_as(manager_client), answered.id)
    published = _as(manager_client).post(f"/tsm/{answered.id}/publish")
    assert published.status_code in (302, 303)
    db.session.expire_all()
    copy = report_for(answered).published
    assert copy is not None and copy["responses"] == 38

    after = _text(_as(client).get("/residents/tsm"))
    assert "We have not published" not in after
    lcra = copy["populations"]["LCRA"]["measures"]["TP01"]["percent"]
    assert lcra is not None and f"{lcra}%" in after
    assert "from 38 tenants' answers" in after
    assert "June 2026, by telephone." in after and "A prize draw." in after
    assert (
        "Achieved sample size" in after and percent(copy["populations"]["LCRA"]["achieved_margin"]) in after
    )
    assert "Tenant1" not in after and "Smith" not in after and "T0000" not in after

    # Later responses change the staff page but not the published copy.
    for r in db.session.query(Response).limit(10):
        db.session.delete(r)
    db.session.commit()
    assert "from 38 tenants' answers" in _text(_as(client).get("/residents/tsm"))

    down = _as(manager_client).post(f"/tsm/{answered.id}/publish", data={"action": "unpublish"})
    assert down.status_code in (302, 303)
    assert "We have not published" in _text(_as(client).get("/residents/tsm"))


def test_the_survey_list_holds_only_tsm_surveys_a_page_at_a_time(
    app: Flask, staff_client, tsm_survey
) -> None:
    from consultations.tsm import views
    from tests.consultations.helpers import make_consultation

    make_consultation(slug="not-tsm")  # three questions of its own: never listed
    for n in range(views.PER_PAGE + 2):
        tsm_survey(slug=f"tsm-{n:02d}")
    first = staff_client.get("/tsm/").get_data(as_text=True)
    assert first.count("Results and methodology") == views.PER_PAGE
    assert f"1–{views.PER_PAGE} of {views.PER_PAGE + 2}" in first and "not-tsm" not in first
    second = staff_client.get("/tsm/?page=2").get_data(as_text=True)
    assert second.count("Results and methodology") == 2 and "Page 2 of 2" in second
    # The newest first: the last made opens page 1, the first made closes page 2.
    assert (
        f'/consultations/{db.session.scalar(select(Consultation.id).where(Consultation.slug == "tsm-00"))}"'
        in second
    )
    assert staff_client.get("/tsm/?page=zz").status_code == 200
