"""In Chromium: a manager writes the report's words and publishes; a signed-out resident reads it on a phone."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.a11y import axe
from tests.reporting.conftest import Ledger
from tests.reporting.test_browser import _sign_in

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 740}


def test_a_manager_publishes_and_a_resident_reads_it_at_phone_width(
    app: Flask, live_server: Any, browser: Any, ledger: Ledger, make_user: Any
) -> None:
    base = live_server.url
    staff = browser.new_page()
    _sign_in(staff, base, make_user("manager").email)
    staff.goto(f"{base}/reports?from=2011-04-01&to=2012-03-31")
    staff.get_by_role("link", name="Edit the report's words and qualifiers").click()
    staff.get_by_label("Introduction").fill("A year of residents changing how we work.")
    staff.get_by_label("Priorities for the rest of the year").fill("Damp and mould checks on every estate.")
    staff.get_by_label("Reading Panel").fill("(not open to leaseholders)")
    staff.get_by_role("button", name="Save the words").click()
    staff.get_by_text("Publish this report").click()
    staff.get_by_label("Title").fill("Our impact 2011-12")
    staff.get_by_role("button", name="Check and publish a frozen copy").click()
    # The confirmation says what is frozen; only its button publishes.
    assert "Nothing has been published for this period yet" in staff.content()
    staff.get_by_role("button", name="Yes, publish this copy").click()
    assert "Report published." in staff.content()
    staff.close()

    context = browser.new_context(viewport=PHONE)  # a new context: signed out
    resident = context.new_page()
    axe.enable(resident)
    found = axe.check(resident, f"{base}/residents/", "residents' home")
    resident.get_by_role("link", name="Our impact 2011-12").click()
    assert resident.get_by_text("A year of residents changing how we work.").is_visible()
    assert resident.get_by_text("Damp and mould checks on every estate.").is_visible()
    assert (
        "(not open to leaseholders)"
        in resident.locator(".activity-card", has_text="Reading Panel").inner_text()
    )
    assert resident.get_by_text("Data-quality warnings").count() == 0
    # readable on a phone: nothing wider than the screen
    assert resident.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    found += axe.check(resident, "", "published report")
    resident.get_by_role("link", name="You said, we did").click()
    assert resident.get_by_text("Locks fitted").is_visible()
    assert resident.locator("li", has_text="Parking").inner_text().count("In progress") == 1
    assert resident.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    found += axe.check(resident, "", "you said, we did")
    found += axe.check(resident, f"{base}/residents/events", "events")
    found += axe.check(resident, f"{base}/residents/reports", "reports")
    context.close()
    assert not found, "\n".join(found)
