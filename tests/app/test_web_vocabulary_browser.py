"""A manager in Chromium keeps the ethnicity list: a clash and a retirement without a successor are refused beside
their fields, a synonym is added, and a value in use is retired into another."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Customer, StaffUser
from app.vocabulary.lists import load
from tests.conftest import PASSWORD, LiveServer

pytestmark = pytest.mark.browser


def test_manager_keeps_the_ethnicity_list(
    page: Any, live_server: LiveServer, make_user: Callable[..., StaffUser]
) -> None:
    user = make_user("manager", email="manager@example.org")
    db.session.add(Customer(ref="DL100001", first_name="Joan", last_name="Evans", ethnicity="White"))
    db.session.commit()

    page.goto(f"{live_server.url}/lists/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/lists/")
    page.get_by_role("link", name="Ethnicity").click()
    expect(page.get_by_role("heading", name="Ethnicity list")).to_be_visible()
    headers = page.locator("table.vocabulary tbody th").all_inner_texts()
    assert headers[:2] == ["Asian or Asian British", "Black, Black British, Caribbean or African"]

    page.get_by_label("Add a value to the end of the list").fill("  white ")
    page.get_by_role("button", name="Add value").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#new_value-error")).to_have_text("'White' is already on the list.")
    expect(page.get_by_label("Add a value to the end of the list")).to_have_attribute("aria-invalid", "true")
    assert page.title().startswith("Error: ")

    asian = page.locator("#value-1")
    asian.get_by_text("Rename, add a synonym or retire").click()
    asian.get_by_label("Another way of writing Asian or Asian British").fill("British Asian")
    asian.get_by_role("button", name="Add synonym").click()
    expect(page.get_by_text("'British Asian' now means 'Asian or Asian British'.")).to_be_visible()
    expect(page.locator("#value-1")).to_contain_text("British Asian")

    white = page.locator("#value-4")
    expect(white.get_by_role("rowheader")).to_have_text("White")
    white.get_by_text("Rename, add a synonym or retire").click()
    white.get_by_role("button", name="Retire").click()
    expect(page.locator("#into-4-error")).to_have_text(
        "1 customer(s) have 'White': choose the value they should have instead."
    )
    expect(page.locator("#into-4")).to_be_visible()  # the row's panel stays open beside the error
    page.locator("#into-4").select_option("Other ethnic group")
    page.locator("#value-4").get_by_role("button", name="Retire").click()
    expect(
        page.get_by_text("Retired 'White'; 1 customer record(s) now say 'Other ethnic group'")
    ).to_be_visible()

    db.session.expire_all()
    assert db.session.scalar(db.select(Customer.ethnicity)) == "Other ethnic group"
    ethnicity = load("ethnicity")
    assert "White" not in ethnicity.values
    assert ethnicity.canonical("british asian") == "Asian or Asian British"
