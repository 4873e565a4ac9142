"""Script probes in every free-text field come out escaped on every page and export that shows them."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from markupsafe import escape
from pypdf import PdfReader

from app.extensions import db
from app.models import StaffUser
from app.models.base import utcnow
from tests.conftest import signed_in
from tests.fakes.twilio_sign import signed_sms_post
from tests.security.world import XSS_PROBES, World, build_world

PERIOD = {"from": "2011-04-01", "to": "2012-03-31"}


def staff_pages(world: World) -> list[str]:
    """Every staff page on which the world's text should appear."""
    c, a, e = world.customer.id, world.panel.id, world.event.id
    return [
        "/customers/", f"/customers/{c}", f"/customers/{c}/edit", f"/customers/{c}/data", "/activities",
        f"/activities/{a}", f"/activities/{a}/edit", "/outcomes", "/actions", f"/consultations/{world.consultation.id}",
        f"/events/{e}", f"/events/{e}/register", "/messaging/inbox", "/messaging/messages",
        "/reports?from=2011-04-01&to=2012-03-31", "/reports/download/html?from=2011-04-01&to=2012-03-31",
        "/admin/audit", "/",
    ]  # fmt: skip


# Pages that list the text only somewhere the probe does not reach (the dashboard shows counts).
SHOWS_NO_TEXT = {"/", "/admin/audit"}


@pytest.mark.parametrize("probe", XSS_PROBES)
def test_probes_are_escaped_on_staff_pages_and_the_report_exports(
    app: Flask, make_user: Callable[..., StaffUser], probe: str
) -> None:
    world = build_world(probe)
    admin = signed_in(app, make_user("admin"))
    # An unmatched text from a stranger lands in the staff inbox as it came.
    assert signed_sms_post(admin, app, "+447912345699", probe).status_code == 200
    safe = str(escape(probe))
    failures = []
    for path in staff_pages(world):
        response = admin.get(path)
        html = response.get_data(as_text=True)
        if response.status_code != 200:
            failures.append(f"{path}: {response.status_code}")
        elif probe in html or "<img src=x" in html or "<script>alert" in html:
            failures.append(f"{path}: the probe came out as markup")
        elif path not in SHOWS_NO_TEXT and safe not in html:
            failures.append(f"{path}: the probe is not shown at all")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("probe", XSS_PROBES)
def test_probes_are_escaped_on_customer_facing_pages(app: Flask, probe: str) -> None:
    world = build_world(probe)
    # Open the world's survey and event again today, so their public pages take answers.
    world.email_consultation.closes_at = None
    world.event.starts_at = utcnow() + timedelta(days=10)
    world.event.ends_at = world.event.starts_at + timedelta(hours=4)
    world.event.register_closed_at = None
    db.session.commit()
    client = app.test_client()
    survey = client.get(world.survey_path).get_data(as_text=True)
    assert f"Hi {escape(probe)}" in survey and probe not in survey
    # A booking made with a name full of markup shows it as text on the confirmation page.
    response = client.post(
        f"/e/{world.event.slug}", data={"name": probe, "email": "sam@example.org", "places": "1"}
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert str(escape(probe)) in page and probe not in page
    # The text also stays text when a form is shown back with errors.
    again = client.post(f"/e/{world.event.slug}", data={"name": probe, "places": "99"})
    assert again.status_code == 422 and probe not in again.get_data(as_text=True)


def test_the_pdf_shows_probes_as_text(app: Flask, make_user: Callable[..., StaffUser]) -> None:
    probe = XSS_PROBES[0]
    build_world(probe)
    admin = signed_in(app, make_user("manager"))
    response = admin.get("/reports/download/pdf", query_string=PERIOD)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    # Had the markup been parsed, the script element would not be printed at all.
    assert len(re.findall(r"<script>\s*alert\(1\)\s*</script>", text)) >= 3
