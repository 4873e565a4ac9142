"""Involve messaging: SMS and email transports, the outbox, inbound texts, suppression, the clock."""

from __future__ import annotations

import threading

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, commands and jobs."""
    from app.extensions import csrf
    from app.web.panels import register_home_panel
    from messaging import cli, clock, inbound, scheduler, settings, transports, views_public
    from messaging import views_dev as _dev
    from messaging import views_staff as _staff
    from messaging.blueprint import bp
    from messaging.pacing import Pacer
    from messaging.webhooks import configure_writer_lock, skip_sessions_on_webhooks

    del _dev, _staff  # imported for their routes
    settings.check(app)
    transports.configure(app)
    app.extensions["involve_pacer"] = Pacer()
    # Set on SIGINT: dispatch runs finish the calls under way and start nothing new.
    app.extensions["involve_stopping"] = threading.Event()
    # Twilio and mail clients cannot send a CSRF token; these routes check their own signatures.
    for view in (views_public.twilio_sms, views_public.twilio_status, views_public.unsubscribe):
        csrf.exempt(view)
    skip_sessions_on_webhooks(app)
    configure_writer_lock(app)
    app.register_blueprint(bp)
    cli.init_app(app)
    inbound.init_app(app)
    register_home_panel(app, "scheduler-clock", "messaging/_clock.html", clock.home_panel)
    scheduler.register_sweeper(
        app, "dispatch", cli.dispatch_job, seconds=int(app.config.get("MESSAGING_DISPATCH_SECONDS", 5))
    )


def ready(app: Flask) -> None:
    """Start the in-process clock once every package has registered its sweepers (`flask run` only)."""
    from messaging import scheduler

    if scheduler.should_run_in_this_process(app):
        scheduler.start_in_thread(app)
