"""The consultation and event forms in Chromium: patterns the browser accepts, errors beside fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.models import StaffUser
from tests.conftest import PASSWORD, LiveServer

pytestmark = pytest.mark.browser


def _sign_in(page: Any, live_server: LiveServer, user: StaffUser, path: str) -> None:
    page.goto(f"{live_server.url}{path}")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}{path}")


@pytest.mark.parametrize("path", ["/consultations/new", "/events/new"])
def test_slug_pattern_is_one_chromium_checks(
    page: Any, live_server: LiveServer, make_user: Callable[..., StaffUser], path: str
) -> None:
    _sign_in(page, live_server, make_user("staff"), path)
    slug = page.locator("input[name=slug]")
    # An invalid pattern is ignored by the browser (never a mismatch); ours compiles under the v flag.
    slug.fill("Not A Slug!")
    assert slug.evaluate("el => el.validity.patternMismatch") is True
    slug.fill("park-day-2030")
    assert slug.evaluate("el => el.validity.valid") is True
    title = page.locator("input[name=title]")
    assert title.get_attribute("maxlength") == "200"
    title.fill("x" * 250)
    assert len(title.input_value()) == 200


def test_consultation_form_errors_sit_beside_their_fields(
    page: Any, live_server: LiveServer, make_user: Callable[..., StaffUser]
) -> None:
    _sign_in(page, live_server, make_user("staff"), "/consultations/new")
    page.locator("main form").evaluate("form => form.noValidate = true")
    page.locator("input[name=slug]").fill("BAD SLUG")
    page.get_by_role("button", name="Save").click()
    slug_error = page.locator("#slug-error")
    assert "may use only lower-case letters" in slug_error.inner_text()
    # The message is announced with the field and linked from the summary.
    described = page.locator("input[name=slug]").get_attribute("aria-describedby")
    assert "slug-error" in (described or "")
    assert page.locator("#title-error").inner_text().endswith("Give the survey a title.")
    page.get_by_role("link", name="Give the survey a title.").click()
    assert page.evaluate("location.hash") == "#title"
    assert "slug is required" not in page.content()
