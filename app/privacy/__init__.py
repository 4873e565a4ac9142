"""Privacy duties: erase a customer, subject access exports and the retention purge."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the privacy screens and the ``privacy`` command."""
    from app.privacy import cli, views

    app.config.setdefault("RETENTION_DAYS", 730)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.privacy_cli)
