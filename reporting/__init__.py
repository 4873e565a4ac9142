"""Involve reporting: the live customer-involvement impact report, its exports and published copies."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the report pages, the ``report`` command and the reporting models."""
    from app.web.menu import register_menu_item
    from reporting import (
        models,  # noqa: F401  (registers the tables)
        residents,
        state,
        views,
    )
    from reporting.cli import report_command

    state.watch()
    app.register_blueprint(views.bp)
    register_menu_item(app, "Reports", "reporting.report", order=50, blueprints=("reporting",))
    app.register_blueprint(residents.bp)
    app.cli.add_command(report_command)
