"""Events: bookings by web page and by text, waiting lists, reminders and the attendance register."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the event blueprints, the `events` command, the SMS keyword receiver and the reminder sweeper."""
    from consultations.events import cli, jobs, keywords, models, views_public, views_register, views_staff
    from consultations.events.blueprints import public, staff
    from messaging.scheduler import register_sweeper
    from messaging.signals import sms_received

    del models, views_public, views_register, views_staff  # imported for their routes and tables
    app.register_blueprint(staff)
    app.register_blueprint(public)
    app.cli.add_command(cli.events_cli)
    # weak=False: the receiver is a module function, but keep it alive whatever imports it.
    sms_received.connect(keywords.on_sms_received, weak=False)
    register_sweeper(app, "event-reminders", jobs.send_reminders, seconds=60)
