"""The staff web UI: layout, home page, customers, activities, error pages and template helpers."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the staff UI blueprints, filters, error pages and security headers."""
    from app.web import (
        audit,
        caching,
        errors,
        filters,
        imports,
        involvement,
        limits,
        menu,
        people,
        views,
        vocabulary,
    )

    limits.init_app(app)
    menu.init_app(app)
    caching.init_app(app)

    app.register_blueprint(views.bp)
    app.register_blueprint(audit.bp)
    people.init_app(app)
    app.register_blueprint(vocabulary.bp)
    involvement.init_app(app)
    imports.init_app(app)
    filters.init_app(app)
    errors.init_app(app)
