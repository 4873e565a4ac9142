"""axe-core finds nothing on the pages customers use, and the survey and booking forms work by keyboard."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.a11y import axe
from tests.a11y.conftest import PublicSite


def tab_to(page: Any, selector: str, limit: int = 40) -> None:
    """Press Tab until ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_survey_pages_have_no_violations(live_server: Any, page: Any, public_site: PublicSite) -> None:
    axe.enable(page)
    base = live_server.url
    found = axe.check(page, base + public_site.survey, "survey form")
    page.locator("button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    # The summary takes the focus (from a script file: the CSP refuses inline scripts).
    # expect() polls from Playwright's side: a string predicate would be eval'd, which the CSP refuses.
    expect(page.locator("#error-summary")).to_be_focused()
    found += axe.check(page, "", "survey form with errors")
    page.check("#q_reads-0")
    page.check("#q_score-3")
    page.locator("button[type=submit]").click()
    page.wait_for_url("**/thanks")
    found += axe.check(page, "", "survey thanks")
    found += axe.check(page, base + public_site.survey, "survey already answered")
    found += axe.check(page, base + "/w/open-survey", "website survey")
    found += axe.check(page, base + "/w/closed-survey", "closed survey")
    found += axe.check(page, base + "/s/no-such-link", "unknown survey link")
    assert not found, "\n".join(found)


def test_booking_and_unsubscribe_pages_have_no_violations(
    live_server: Any, page: Any, public_site: PublicSite
) -> None:
    axe.enable(page)
    base = live_server.url
    found = axe.check(page, base + "/e/open-event", "booking page")
    assert not page.title().startswith("Error:")
    page.locator("button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    # As on the survey: the summary takes the focus and the title says there is an error.
    expect(page.locator("#error-summary")).to_be_focused()
    assert page.title().startswith("Error: ")
    found += axe.check(page, "", "booking page with errors")
    page.fill("#f-name", "Sam Guest")
    page.fill("#f-email", "sam.guest@example.org")
    page.locator("button[type=submit]").click()
    page.wait_for_selector("text=you are booked")
    found += axe.check(page, "", "booking confirmation")
    page.get_by_role("link", name="Cancel").first.click()
    found += axe.check(page, "", "cancel booking")
    found += axe.check(page, base + "/e/full-event", "full event")
    found += axe.check(page, base + "/e/no-such-event", "unknown event")
    found += axe.check(page, base + public_site.unsubscribe, "unsubscribe")
    page.locator("button[type=submit]").click()
    found += axe.check(page, "", "unsubscribed")
    assert not found, "\n".join(found)


def test_the_survey_can_be_answered_by_keyboard_alone(
    live_server: Any, page: Any, public_site: PublicSite
) -> None:
    page.goto(live_server.url + public_site.survey)
    tab_to(page, "input[name=q_reads]")
    page.keyboard.press("Space")
    tab_to(page, "input[name=q_score]")
    page.keyboard.press("ArrowRight")  # radios in a group move by arrow: from 1 to 2
    page.keyboard.press("Space")
    tab_to(page, "#q_comments")
    page.keyboard.type("Keep it coming")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/thanks")
    assert "Thank you" in page.content()


def test_an_event_can_be_booked_by_keyboard_alone(
    live_server: Any, page: Any, public_site: PublicSite
) -> None:
    page.goto(live_server.url + "/e/open-event")
    tab_to(page, "#f-name")
    page.keyboard.type("Sam Guest")
    tab_to(page, "#f-email")
    page.keyboard.type("sam.guest@example.org")
    tab_to(page, "input[name=notify][value=email]")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=you are booked")
    assert "1 place for Sam Guest" in page.content()
