"""Events: bookings by web page and by text, waiting lists, reminders and the attendance register."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the event blueprints and menu item, the `events` command, the SMS keyword handlers and reminders."""
    from app.web.menu import register_menu_item
    from consultations.events import cli, jobs, keywords, models, views_public, views_register, views_staff
    from consultations.events.blueprints import public_bp, staff_bp
    from messaging.handlers import EVENT_KEYWORDS, KEYWORD_HELP, register_inbound_handler
    from messaging.scheduler import register_sweeper

    del models, views_public, views_register, views_staff  # imported for their routes and tables
    app.register_blueprint(staff_bp)
    app.register_blueprint(public_bp)
    register_menu_item(app, "Events", "events.index", order=40, blueprints=("events",))
    app.cli.add_command(cli.events_cli)
    register_inbound_handler(app, "event-keywords", keywords.on_sms_received, EVENT_KEYWORDS)
    # JOIN <word> for no event is left to an open survey first (it may be the answer).
    register_inbound_handler(app, "event-keyword-help", keywords.unknown_keyword, KEYWORD_HELP)
    register_sweeper(app, "event-reminders", jobs.send_reminders, seconds=60)
