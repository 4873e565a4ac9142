"""Involve consultations: surveys by SMS and email link, events and bookings, audiences."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the surveys and events parts."""
    from consultations import events, privacy, surveys, tsm

    surveys.init_app(app)
    events.init_app(app)
    privacy.init_app(app)
    tsm.init_app(app)
    # The demo records exercise the services above, so they register last.
    from consultations import demo

    demo.init_app(app)
