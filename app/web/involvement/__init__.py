"""Activities, their participation, staff-time and cost ledgers, outcomes, actions and budgets."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the involvement blueprint with its activity and record views."""
    from app.web.involvement import record_views, views, views_confirm  # noqa: F401  (attach routes to bp)
    from app.web.involvement.blueprint import bp

    app.register_blueprint(bp)
