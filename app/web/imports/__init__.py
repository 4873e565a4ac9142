"""Imports from the staff pages: upload, preview, map headers, import in the background, history."""

from __future__ import annotations

from flask import Flask

DEFAULT_SWEEP_SECONDS = 5


def init_app(app: Flask) -> None:
    """Register the imports pages and the job that runs queued imports."""
    from app.imports.jobs import run_queued_imports
    from app.jobs import register_app_job
    from app.web.imports.views import bp
    from app.web.menu import register_menu_item

    app.register_blueprint(bp)
    register_menu_item(app, "Imports", "imports.index", role="manager", order=100, blueprints=("imports",))
    seconds = int(app.config.get("IMPORT_SWEEP_SECONDS") or DEFAULT_SWEEP_SECONDS)
    register_app_job(app, "imports", run_queued_imports, seconds=seconds)
