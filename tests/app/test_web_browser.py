"""A member of staff signs in with Chromium, finds a customer and logs participation on an activity."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Activity, Area, Customer, Participation, StaffUser, utcnow
from app.periods import local_date
from tests.conftest import PASSWORD, LiveServer

pytestmark = pytest.mark.browser


def test_sign_in_find_a_customer_and_log_participation(
    page: Any, live_server: LiveServer, make_user: Callable[..., StaffUser]
) -> None:
    user = make_user("staff", email="officer@example.org")
    derby = Area(name="Derby", homes=2200)
    db.session.add_all(
        [
            Customer(
                ref="DL100001",
                first_name="Joan",
                last_name="Evans",
                area=derby,
                phone="+447911123456",
                sms_consent=True,
            ),
            Customer(ref="DL100002", first_name="Imran", last_name="Khan", area=derby),
            Activity(name="Reading Panel", category="panel", homes_affected=6000),
        ]
    )
    db.session.commit()

    page.goto(f"{live_server.url}/customers/")
    assert "/login" in page.url
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/customers/")

    page.get_by_label("Search").fill("07911 123456")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="DL100001").click()
    assert page.get_by_role("heading", name="Joan Evans").is_visible()
    assert page.get_by_text("07911 123456").is_visible()

    page.get_by_role("link", name="Activities").first.click()
    page.get_by_role("link", name="Reading Panel").click()
    page.get_by_label("Customer references").fill("DL100001 DL100002")
    page.get_by_label("Hours per person").fill("2")
    page.get_by_role("button", name="Log participation").click()
    assert page.get_by_text("Recorded 2 people taking part.").is_visible()
    assert page.locator('[data-total="customers"]').inner_text() == "2"
    assert page.locator('[data-total="customer_hours"]').inner_text() == "4"

    db.session.expire_all()
    rows = db.session.scalars(select(Participation)).all()
    assert {r.hours for r in rows} == {Decimal("2")}
    assert {r.date for r in rows} == {local_date(utcnow())}
