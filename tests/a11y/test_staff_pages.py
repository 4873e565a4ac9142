"""axe-core finds nothing on the main staff pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import StaffTime, StaffUser
from app.models.imports import ImportJob
from tests.a11y import axe
from tests.conftest import PASSWORD
from tests.consultations.helpers import make_consultation
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
    staff_time = db.session.scalar(select(StaffTime.id).where(StaffTime.activity_id == world.panel.id))
    draft = make_consultation(slug="draft-questions", title="Draft questions").id
    c, a, e, s = world.customer.id, world.panel.id, world.event.id, world.consultation.id
    upload = ImportJob(
        kind="customers", filename="register.csv", content=b"Tenancy Ref,first_name\r\nDH1,Ann\r\n"
    )
    db.session.add(upload)
    db.session.commit()
    for path in (
        "/", "/customers/", f"/customers/{c}", f"/customers/{c}/edit", f"/customers/{c}/data", "/activities",
        f"/activities/{a}", "/reports?from=2011-04-01&to=2012-03-31", "/consultations/", "/consultations/new",
        f"/consultations/{s}", f"/consultations/{s}/questions", f"/consultations/{s}/edit", "/events/",
        f"/events/{e}", f"/events/{e}/register", "/admin/audit", "/customers/staff",
        f"/customers/staff/{officer.id}", f"/customers/staff/{admin.id}",
        f"/consultations/{s}/launch", f"/consultations/{s}/close", f"/consultations/{s}/audience", "/lists/",
        "/lists/ethnicity", "/lists/area",
        "/messaging/inbox", "/messaging/messages",
        "/messaging/dev/sms", "/messaging/dev/email", "/reports/publish?from=2011-04-01&to=2012-03-31",
        f"/customers/{c}/erase", f"/activities/{a}/ledger/staff-time/{staff_time}/delete",
        "/imports/", "/imports/history",
        f"/imports/{upload.id}",
    ):  # fmt: skip
        found += axe.check(page, live_server.url + path, path)
    # The survey builder with an error beside a field, and its summary.
    page.goto(f"{live_server.url}/consultations/{draft}/questions")
    page.locator("#new-text").fill("Pick one")
    page.locator("#new-options").fill("Only")
    page.get_by_role("button", name="Add question").click()
    page.wait_for_selector("#new-options-error")
    expect(page.locator("#error-summary")).to_be_focused()
    found += axe.check(page, "", "questions with an error")
    page.get_by_role("button", name="Delete question 1").click()
    page.wait_for_selector("#delete-question")
    found += axe.check(page, "", "delete a question")
    assert not found, "\n".join(found)
