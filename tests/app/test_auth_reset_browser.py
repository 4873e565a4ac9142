"""Chromium: forgot password, read the link in the development outbox, set a new one, sign in with it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from app.models import StaffUser
from tests.conftest import PASSWORD, LiveServer

pytestmark = pytest.mark.browser


def _sign_in(page: Any, url: str, email: str, password: str) -> None:
    page.goto(url + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main button[type=submit]").click()


def _link_from_outbox(browser: Any, url: str, admin: StaffUser) -> str:
    """Sign in as an admin in a separate browser and read the reset link from the outbox page."""
    from playwright.sync_api import expect

    context = browser.new_context()
    try:
        outbox = context.new_page()
        outbox.set_default_timeout(10_000)
        _sign_in(outbox, url, admin.email, PASSWORD)
        outbox.wait_for_url(url + "/")
        # The email is written just after the answer reached the browser: give it a moment.
        for _ in range(20):
            outbox.goto(url + "/messaging/dev/email")
            if outbox.get_by_role("heading", name="Reset your Involve password").count():
                break
            outbox.wait_for_timeout(250)
        text = outbox.locator("main pre")
        expect(text).to_contain_text("/reset-password/")
        found = re.search(r"/reset-password/[\w.-]+", text.inner_text())
        assert found is not None
        return found.group(0)
    finally:
        context.close()


def test_forgotten_password_round_trip(
    browser: Any, page: Any, live_server: LiveServer, make_user: Callable[..., StaffUser]
) -> None:
    from playwright.sync_api import expect

    url = live_server.url
    officer = make_user("staff", email="kim@involve.test")
    admin = make_user("admin", email="ada@involve.test")

    page.goto(url + "/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("kim@involve.test")
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    link = _link_from_outbox(browser, url, admin)
    page.goto(url + link)
    page.locator("#password").fill("a much longer secret")
    page.get_by_label("Repeat the new password").fill("a much longer secret")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")

    # The link is used up.
    page.goto(url + link)
    expect(page.get_by_role("heading", name="This link has been used")).to_be_visible()

    # The old password no longer signs in; the new one does.
    _sign_in(page, url, officer.email, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    _sign_in(page, url, officer.email, "a much longer secret")
    page.wait_for_url(url + "/")
    expect(page.get_by_role("button", name=f"Sign out {officer.email}")).to_be_visible()
