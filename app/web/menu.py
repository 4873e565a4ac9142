"""The main menu, built from the items each package registers, without the web package importing them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, has_request_context, request, url_for
from flask_login import current_user

EXTENSION = "involve_menu"


@dataclass(frozen=True)
class MenuItem:
    """A link in the main menu, the least role that sees it, and the blueprints whose pages it heads."""

    label: str
    endpoint: str
    role: str | None = None
    order: int = 100
    blueprints: tuple[str, ...] = ()


@dataclass(frozen=True)
class MenuLink:
    """A menu item as one visitor sees it on one page."""

    label: str
    url: str
    current: bool


def register_menu_item(
    app: Flask,
    label: str,
    endpoint: str,
    *,
    role: str | None = None,
    order: int = 100,
    blueprints: tuple[str, ...] = (),
) -> None:
    """Add a menu link to ``endpoint``, seen by users of at least ``role`` (None: anyone signed in)."""
    item = MenuItem(label, endpoint, role, order, blueprints or (endpoint.partition(".")[0],))
    app.extensions.setdefault(EXTENSION, {})[endpoint] = item


def menu_items(app: Flask) -> list[MenuItem]:
    """Return every registered item in menu order (ties keep registration order)."""
    return sorted(app.extensions.get(EXTENSION, {}).values(), key=lambda item: item.order)


def _within(path: str, url: str) -> bool:
    return path == url or path.startswith(url.rstrip("/") + "/")


def _current(items: list[MenuItem], urls: dict[str, str]) -> MenuItem | None:
    """Return the item heading this page: the one owning its blueprint.

    Several items can share a blueprint (activities, outcomes, actions and budgets are one); then
    the one whose address the page's address lies under, the longest, is current.
    """
    owners = [item for item in items if request.blueprint in item.blueprints]
    if len(owners) <= 1:
        return owners[0] if owners else None
    under = [item for item in owners if _within(request.path, urls[item.endpoint])]
    return max(under, key=lambda item: len(urls[item.endpoint]), default=None)


def main_menu() -> list[MenuLink]:
    """Return the menu links the signed-in user may follow, marking the one this page belongs to."""
    if not has_request_context() or not current_user.is_authenticated:
        return []
    items = [i for i in menu_items(current_app) if i.role is None or current_user.has_role(i.role)]
    urls = {item.endpoint: url_for(item.endpoint) for item in items}
    current = _current(items, urls)
    return [MenuLink(item.label, urls[item.endpoint], item is current) for item in items]


def init_app(app: Flask) -> None:
    """Offer ``main_menu()`` to the templates."""
    app.jinja_env.globals["main_menu"] = main_menu
