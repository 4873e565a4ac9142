"""In Chromium, an open consultation's figures update by themselves as answers arrive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from playwright.sync_api import expect

from app.extensions import db
from app.models import StaffUser
from consultations.surveys.launch import launch
from tests.conftest import PASSWORD
from tests.consultations import factories
from tests.consultations.helpers import NOW, make_consultation, text_in


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"LIVE_REFRESH_SECONDS": 0.3}


def test_the_results_fragment_is_the_figures_alone(staff_client: FlaskClient) -> None:
    factories.sms_customer("+447911123401")
    consultation = make_consultation(channels=["sms"])
    launch(consultation, now=NOW)
    db.session.commit()
    page = staff_client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert f'data-live-url="/consultations/{consultation.id}?fragment=results"' in page
    text_in("+447911123401", "1")
    fragment = staff_client.get(f"/consultations/{consultation.id}?fragment=results").get_data(as_text=True)
    assert "<html" not in fragment and 'id="reach"' in fragment and "1 (100%)" in fragment


@pytest.mark.browser
def test_open_results_refresh_by_themselves(
    live_server: Any, page: Any, make_user: Callable[..., StaffUser]
) -> None:
    factories.sms_customer("+447911123401")
    factories.sms_customer("+447911123402")
    consultation = make_consultation(channels=["sms"])
    launch(consultation, now=NOW)
    db.session.commit()
    user = make_user("staff")
    page.goto(live_server.url + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(live_server.url + "/")
    page.goto(f"{live_server.url}/consultations/{consultation.id}")
    results = page.locator("#live-results")
    expect(results).not_to_contain_text("1 (100%)")
    text_in("+447911123401", "1")
    expect(results.locator("table.bar-chart").first).to_contain_text("1 (100%)")
    text_in("+447911123402", "2")
    expect(results.locator("table.bar-chart").first).to_contain_text("1 (50%)")
