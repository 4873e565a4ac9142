"""axe-core finds nothing on the main staff pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.models import StaffUser
from tests.a11y import axe
from tests.conftest import PASSWORD
from tests.security.world import build_world


def test_staff_pages_have_no_violations(
    app: Any, live_server: Any, page: Any, make_user: Callable[..., StaffUser]
) -> None:
    world = build_world("Residents asked for evening meetings")
    admin = make_user("admin")
    officer = make_user("staff")
    axe.enable(page)
    found = axe.check(page, live_server.url + "/login", "sign in")
    page.fill("#email", admin.email)
    page.fill("#password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(live_server.url + "/")
    c, a, e, s = world.customer.id, world.panel.id, world.event.id, world.consultation.id
    for path in (
        "/", "/customers/", f"/customers/{c}", f"/customers/{c}/edit", f"/customers/{c}/data", "/activities",
        f"/activities/{a}", "/reports?from=2011-04-01&to=2012-03-31", "/consultations/", "/consultations/new",
        f"/consultations/{s}", f"/consultations/{s}/questions", f"/consultations/{s}/edit", "/events/",
        f"/events/{e}", f"/events/{e}/register", "/admin/audit", "/customers/staff",
        f"/customers/staff/{officer.id}", f"/customers/staff/{admin.id}",
        f"/consultations/{s}/launch", f"/consultations/{s}/close", f"/consultations/{s}/audience", "/lists/",
        "/lists/ethnicity", "/lists/area",
    ):  # fmt: skip
        found += axe.check(page, live_server.url + path, path)
    assert not found, "\n".join(found)
