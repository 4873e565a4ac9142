"""The report page in Chromium: it renders, the picker works, charts show without scripts."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.conftest import PASSWORD
from tests.reporting.conftest import Ledger

pytestmark = pytest.mark.browser


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_manager_reads_the_report_and_overrides_a_rating(
    app: Flask, live_server: Any, page: Any, ledger: Ledger, make_user: Any
) -> None:
    manager = make_user("manager")
    _sign_in(page, live_server.url, manager.email)
    page.goto(f"{live_server.url}/reports?preset=fy-2011")
    assert page.get_by_role(
        "heading", name="Customer involvement impact report, 1 April 2011 to 31 March 2012"
    ).is_visible()
    card = page.locator(".activity-card", has_text="Reading Panel")
    assert "13p per customer involved" in card.inner_text()
    assert page.locator("svg.chart").count() >= 3
    assert page.locator("svg.chart rect").count() > 5
    # custom dates through the form
    page.get_by_label("Start date", exact=True).fill("2010-01-01")
    page.get_by_label("End date", exact=True).fill("2010-12-31")
    page.get_by_role("button", name="Show").click()
    assert page.locator(".activity-card").count() == 1
    page.goto(f"{live_server.url}/reports?preset=fy-2011")
    card = page.locator(".activity-card", has_text="Reading Panel")
    card.get_by_text("Override this rating").click()
    card.get_by_label("Good", exact=True).check()
    card.get_by_label("Reason (required)").fill("The whole panel took part")
    card.get_by_role("button", name="Save override").click()
    card = page.locator(".activity-card", has_text="Reading Panel")
    assert "set by a manager: The whole panel took part" in card.inner_text()
    assert card.locator(".rating-good").is_visible()
