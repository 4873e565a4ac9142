"""The main menu is built from what each package registers, shown by role, current page by blueprint."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask

from app.models import StaffUser
from app.web.menu import register_menu_item
from tests.conftest import signed_in

STAFF_MENU = [
    ("Customers", "/customers/"),
    ("Activities", "/activities"),
    ("Consultations", "/consultations/"),
    ("Events", "/events/"),
    ("Reports", "/reports"),
    ("You said, we did", "/outcomes"),
    ("Actions", "/actions"),
    ("Budgets", "/budgets"),
    ("Inbox", "/messaging/inbox"),
]
MANAGER_MENU = [*STAFF_MENU, ("Imports", "/imports/")]
ADMIN_MENU = [*MANAGER_MENU, ("Staff logins", "/customers/staff")]

MENU = re.compile(r'<ul class="main-nav">(.*?)</ul>', re.S)
LINK = re.compile(r"<a href=\"([^\"]+)\"([^>]*)>([^<]+)</a>")


def menu(html: str) -> list[tuple[str, str, bool]]:
    """Return each menu link as (label, href, marked current)."""
    found = MENU.search(html)
    assert found, "no main menu on the page"
    return [
        (label.replace("&#39;", "'"), href, "aria-current" in attrs)
        for href, attrs, label in LINK.findall(found[1])
    ]


@pytest.mark.parametrize(
    ("role", "expected"), [("staff", STAFF_MENU), ("manager", MANAGER_MENU), ("admin", ADMIN_MENU)]
)
def test_each_role_sees_the_items_it_may_use(
    app: Flask, make_user: Callable[..., StaffUser], role: str, expected: list[tuple[str, str]]
) -> None:
    page = signed_in(app, make_user(role)).get("/")
    assert page.status_code == 200
    assert [(label, href) for label, href, _ in menu(page.get_data(as_text=True))] == expected


def test_nobody_signed_in_sees_no_menu(app: Flask, client) -> None:
    assert '<ul class="main-nav">' not in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/", None),
        ("/customers/", "Customers"),
        ("/customers/new", "Customers"),
        ("/customers/staff", "Staff logins"),
        ("/activities/new", "Activities"),
        ("/outcomes", "You said, we did"),
        ("/actions/new", "Actions"),
        ("/budgets", "Budgets"),
        ("/consultations/", "Consultations"),
        ("/tsm/", "Consultations"),
        ("/events/new", "Events"),
        ("/reports", "Reports"),
        ("/messaging/messages", "Inbox"),
        ("/imports/history", "Imports"),
    ],
)
def test_the_current_item_is_marked_by_the_pages_blueprint(
    app: Flask, make_user: Callable[..., StaffUser], path: str, current: str | None
) -> None:
    page = signed_in(app, make_user("admin")).get(path)
    assert page.status_code == 200, path
    marked = [label for label, _, is_current in menu(page.get_data(as_text=True)) if is_current]
    assert marked == ([current] if current else [])


@pytest.mark.parametrize(("role", "shown"), [("manager", True), ("staff", False)])
def test_a_package_adds_an_item_by_registering_it(
    app: Flask, make_user: Callable[..., StaffUser], role: str, shown: bool
) -> None:
    register_menu_item(app, "Lists", "vocabulary.index", role="manager", order=15, blueprints=("vocabulary",))
    items = menu(signed_in(app, make_user(role)).get("/customers/").get_data(as_text=True))
    assert ("Lists", "/lists/", False) in items if shown else "Lists" not in [label for label, _, _ in items]
    if shown:
        # The new item, not Customers, now heads its blueprint's pages.
        on_lists = menu(signed_in(app, make_user(role)).get("/lists/").get_data(as_text=True))
        assert [label for label, _, current in on_lists if current] == ["Lists"]
