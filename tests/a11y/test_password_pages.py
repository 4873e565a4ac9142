"""axe-core finds nothing on the forgotten-password pages, with and without errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from app.auth.reset import make_token
from app.models import StaffUser, utcnow
from tests.a11y import axe


def test_password_pages_have_no_violations(
    app: Any, live_server: Any, page: Any, make_user: Callable[..., StaffUser]
) -> None:
    user = make_user("staff")
    secret = app.config["SECRET_KEY"]
    base = live_server.url
    axe.enable(page)
    found = axe.check(page, base + "/forgot-password", "forgot password")
    page.locator("main button[type=submit]").click()
    found += axe.check(page, "", "forgot password with an error")
    page.fill("#email", "someone@involve.test")
    page.locator("main button[type=submit]").click()
    found += axe.check(page, "", "check your email")
    token = make_token(user, secret=secret, now=utcnow())
    found += axe.check(page, base + f"/reset-password/{token}", "choose a new password")
    page.fill("#password", "short")
    page.fill("#confirm", "other")
    page.locator("main button[type=submit]").click()
    found += axe.check(page, "", "choose a new password with errors")
    old = make_token(user, secret=secret, now=utcnow() - timedelta(days=1))
    found += axe.check(page, base + f"/reset-password/{old}", "expired link")
    found += axe.check(page, base + "/reset-password/garbled", "garbled link")
    assert not found, "\n".join(found)
