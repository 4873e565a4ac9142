"""Activities, their participation, staff-time and cost ledgers, outcomes, actions and budgets."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the involvement blueprint with its activity and record views."""
    from app.web.involvement import record_views, views, views_confirm  # noqa: F401  (attach routes to bp)
    from app.web.involvement.blueprint import bp
    from app.web.menu import register_menu_item

    app.register_blueprint(bp)
    # One blueprint heads four items; each page is marked by the item whose address it lies under.
    for label, endpoint, order in (
        ("Activities", "involvement.activities", 20),
        ("You said, we did", "involvement.outcomes", 60),
        ("Actions", "involvement.actions", 70),
        ("Budgets", "involvement.budgets", 80),
    ):
        register_menu_item(app, label, endpoint, order=order, blueprints=("involvement",))
