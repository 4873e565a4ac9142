"""The audience form in Chromium: the count follows the filters as staff change them, before saving."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.extensions import db
from app.models import StaffUser
from consultations.surveys.models import Consultation
from tests.a11y import axe
from tests.conftest import PASSWORD, LiveServer
from tests.consultations import factories as f
from tests.consultations.helpers import make_consultation

pytestmark = pytest.mark.browser


def test_the_count_updates_live_and_nothing_is_saved_until_asked(
    page: Any, live_server: LiveServer, make_user: Callable[..., StaffUser]
) -> None:
    from playwright.sync_api import expect

    derby = f.area("Derby")
    for i in range(6):
        f.sms_customer(f"+4479111234{i:02d}", area_id=derby.id, language="Polish" if i < 2 else "English")
    f.sms_customer("+441332123456", area_id=derby.id, phone_type="fixed_line", language="Polish")
    db.session.commit()
    consultation = make_consultation(channels=["sms"])
    user = make_user("staff")
    path = f"/consultations/{consultation.id}/audience"
    axe.enable(page)
    page.goto(f"{live_server.url}{path}")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}{path}")
    problems = axe.check(page, "", "audience form")
    assert not problems, "\n".join(problems)
    total = page.locator('#audience-count [data-field="total"]')
    expect(total).to_have_text("6")
    expect(page.locator('#audience-count [data-field="landlines"]')).to_have_text("1")
    page.get_by_label("Polish").check()
    expect(total).to_have_text("2")
    page.get_by_label("How many to invite").fill("1")
    page.get_by_label("Seed (the same seed").fill("7")
    expect(total).to_have_text("1")
    expect(page.locator('#audience-count [data-field="sample"]')).to_have_text(
        "Sample: random sample of 1 from 2, seed 7."
    )
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).audience.get("languages") is None
    page.get_by_role("button", name="Save audience").click()
    expect(page.locator("body")).to_contain_text("Audience saved.")
    db.session.expire_all()
    saved = db.session.get(Consultation, consultation.id).audience
    assert saved["languages"] == ["Polish"] and saved["sample"] == {"size": 1, "seed": 7, "stratify": None}
