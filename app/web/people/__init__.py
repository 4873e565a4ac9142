"""The customer register and staff logins: list, search, view, create and edit."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the people blueprint."""
    from app.web.people import staff_views, views  # noqa: F401  (their routes join the blueprint)
    from app.web.people.blueprint import bp

    app.register_blueprint(bp)
