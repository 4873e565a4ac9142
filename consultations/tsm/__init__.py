"""Tenant Satisfaction Measures: the regulator's perception survey, sampling, results and publication."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the TSM models, commands and pages."""
    from consultations.tsm import cli, models, views, views_public

    assert models  # imported so the tables are known to the metadata
    app.register_blueprint(views.bp)
    app.register_blueprint(views_public.public_bp)
    cli.init_app(app)
