"""Result charts carry their figures as text and show long answer labels whole, in Chromium."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import StaffUser
from consultations.surveys.launch import launch
from tests.a11y import axe
from tests.conftest import PASSWORD
from tests.consultations import factories
from tests.consultations.helpers import NOW, make_consultation, text_in

pytestmark = pytest.mark.browser
LONG = "Yes, I read every issue from cover to cover"  # 43 characters: the old chart cut it at 28


def test_charts_are_tables_with_whole_labels(
    live_server: Any, page: Any, make_user: Callable[..., StaffUser]
) -> None:
    questions = [
        {"key": "reads", "text": "Do you read Derwent Life?", "type": "choice", "options": [LONG, "No"]}
    ]
    factories.sms_customer("+447911123401")
    factories.sms_customer("+447911123402")
    consultation = make_consultation(channels=["sms"], questions=questions)
    launch(consultation, now=NOW)
    db.session.commit()
    text_in("+447911123401", "1")
    text_in("+447911123402", "1")
    user = make_user("staff")
    page.goto(live_server.url + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(live_server.url + "/")
    axe.enable(page)
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/consultations/{consultation.id}")
        chart = page.locator("table.bar-chart").first
        expect(chart.locator("caption")).to_have_text("Answers to question 1")
        # The figures a sighted reader takes from the bars are there as text, row by row.
        expect(chart.locator("tbody tr").nth(0)).to_contain_text("2 (100%)")
        expect(chart.locator("tbody tr").nth(1)).to_contain_text("0 (0%)")
        label = chart.get_by_role("rowheader", name=LONG)
        expect(label).to_have_text(LONG)
        # Shown whole: the label cell neither clips nor overflows; it wraps onto more lines instead.
        assert label.evaluate("el => el.scrollWidth <= el.clientWidth")
        assert page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        # No picture of the figures without a name.
        assert page.evaluate(
            "() => [...document.querySelectorAll('main svg')].every(s => s.getAttribute('aria-hidden') === 'true' || s.getAttribute('aria-label'))"
        )
    assert not axe.check(page, "", "consultation results")
