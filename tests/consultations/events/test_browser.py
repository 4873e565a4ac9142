"""The booking page in Chromium: a person books on a phone-sized screen, then cancels."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from consultations.events.models import Booking

pytestmark = pytest.mark.browser


def test_book_and_cancel_in_a_browser(app, live_server, page, live_event):
    event = live_event(capacity=2)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/e/{event.slug}")
    assert page.locator("h1").inner_text() == "The Big Get Together"
    page.get_by_role("button", name="Book my place").click()
    # Nothing filled in: the error summary names the fields and links to them.
    summary = page.get_by_role("alert")
    # Focus moves to the summary and the title says there is an error, as on the survey form.
    # expect() polls from Playwright's side: a string predicate would be eval'd, which the CSP refuses.
    expect(page.locator("#error-summary")).to_be_focused(timeout=5000)
    assert page.title().startswith("Error: Book:")
    assert "Enter your name." in summary.inner_text()
    page.get_by_role("link", name="Enter your name.").click()
    page.get_by_label("Your name").fill("Sam Guest")
    page.get_by_label("Email address").fill("sam@example.org")
    page.get_by_label("Number of places, including you").fill("2")
    page.get_by_role("button", name="Book my place").click()
    assert "Thank you, you are booked." in page.get_by_role("status").first.inner_text()
    # The page fits a phone screen: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # A real link, not a role="button" anchor that Space would not activate: the keyboard opens it.
    calendar = page.get_by_role("link", name="Add to my calendar (.ics)")
    assert calendar.get_attribute("role") is None
    calendar.focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == f"{event.slug}.ics"
    page.get_by_role("link", name="Cancel this booking").click()
    page.get_by_role("button", name="Yes, cancel my booking").click()
    assert "This booking is cancelled" in page.get_by_role("status").first.inner_text()
    db.session.expire_all()
    assert db.session.scalar(select(Booking)).status == "cancelled"


def test_full_event_in_a_browser(app, live_server, page, live_event):
    event = live_event(capacity=0, waitlist=False)
    page.goto(f"{live_server.url}/e/{event.slug}")
    assert "Sorry, this event is full." in page.get_by_role("status").first.inner_text()
    assert page.get_by_role("button", name="Book my place").count() == 0


def test_booking_page_reveals_nothing_about_a_customer(app, live_server, page, live_event):
    from tests.consultations import factories

    event = live_event(capacity=5)
    factories.customer(ref="DL0042", first_name="Rosa", last_name="Parkes", email="rosa.p@example.org",
                       phone="+447912345699")  # fmt: skip
    db.session.commit()
    page.goto(f"{live_server.url}/e/{event.slug}")
    assert "Derwent Living" in page.locator("header").inner_text()
    page.get_by_label("Your customer reference").fill("DL0042")
    page.get_by_role("button", name="Book my place").click()
    # A reference alone: the same words as for a made-up one, beside the field, and no booking.
    error = page.locator("#f-ref-error").inner_text()
    assert "could not match that customer reference" in error
    page.get_by_label("Your customer reference").fill("DL9999")
    page.get_by_label("Your surname or postcode").fill("Parkes")
    page.get_by_role("button", name="Book my place").click()
    assert page.locator("#f-ref-error").inner_text() == error
    page.get_by_label("Your customer reference").fill("DL0042")
    page.get_by_role("button", name="Book my place").click()
    assert "Thank you, you are booked." in page.get_by_role("status").first.inner_text()
    text = page.locator("main").inner_text()
    for secret in ("Rosa", "rosa.p@example.org", "345699", "07912"):
        assert secret not in text
    assert "contact details we hold for you" in text
    db.session.expire_all()
    assert db.session.scalar(select(Booking)).customer.ref == "DL0042"
