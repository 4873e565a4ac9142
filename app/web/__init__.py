"""The staff web UI shell: layout, home page, error pages and template helpers."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the staff UI blueprints, filters, error pages and security headers."""
    from app.web import errors, filters, views

    app.register_blueprint(views.bp)
    filters.init_app(app)
    errors.init_app(app)
