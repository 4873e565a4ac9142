"""The customer register and staff logins: list, search, view, create and edit."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the people blueprint and its menu items."""
    from app.web.menu import register_menu_item
    from app.web.people import staff_views, views  # noqa: F401  (their routes join the blueprint)
    from app.web.people.blueprint import bp

    app.register_blueprint(bp)
    # A customer's data and erasure pages, and the landlord's lists, are reached from the register.
    register_menu_item(
        app, "Customers", "people.customers", order=10, blueprints=("people", "privacy", "vocabulary")
    )
    register_menu_item(
        app, "Staff logins", "people.staff_users", role="admin", order=110, blueprints=("people", "audit")
    )
