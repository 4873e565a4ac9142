"""Involve consultations: surveys by SMS and email link, events and bookings, audiences."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the surveys and events parts, and the menu item that heads surveys and TSM."""
    from app.web.menu import register_menu_item
    from consultations import events, privacy, surveys, tsm

    surveys.init_app(app)
    # TSM surveys are reached from the consultations list, so they sit under its menu item.
    register_menu_item(
        app, "Consultations", "consultations.index", order=30, blueprints=("consultations", "tsm")
    )
    events.init_app(app)
    privacy.init_app(app)
    tsm.init_app(app)
    # The demo records exercise the services above, so they register last.
    from consultations import demo

    demo.init_app(app)
