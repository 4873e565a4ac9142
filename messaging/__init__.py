"""Involve messaging: SMS and email transports, the outbox, inbound texts, suppression, the clock."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, commands and jobs."""
    from app.auth.reset import register_email_sender
    from app.extensions import csrf
    from app.web.panels import register_home_panel
    from app.web.people.sections import register_customer_section
    from messaging import cli, clock, inbound, scheduler, settings, staff_notices, transports, views_public
    from messaging import views_dev as _dev
    from messaging import views_staff as _staff
    from messaging.blueprint import bp
    from messaging.customer_messages import customer_messages
    from messaging.pacing import Pacer
    from messaging.staff_email import send_staff_email
    from messaging.webhooks import configure_writer_lock, skip_sessions_on_webhooks

    del _dev, _staff  # imported for their routes
    settings.check(app)
    transports.configure(app)
    app.extensions["involve_pacer"] = Pacer()
    # Twilio and mail clients cannot send a CSRF token; these routes check their own signatures.
    for view in (views_public.twilio_sms, views_public.twilio_status, views_public.unsubscribe):
        csrf.exempt(view)
    skip_sessions_on_webhooks(app)
    configure_writer_lock(app)
    app.register_blueprint(bp)
    cli.init_app(app)
    inbound.init_app(app)
    staff_notices.init_app()
    register_home_panel(app, "scheduler-clock", "messaging/_clock.html", clock.home_panel)
    register_customer_section(app, "messages", "messaging/_customer_messages.html", customer_messages)
    register_email_sender(app, send_staff_email)
    scheduler.register_sweeper(
        app, "dispatch", cli.dispatch_job, seconds=int(app.config.get("MESSAGING_DISPATCH_SECONDS", 5))
    )


def ready(app: Flask) -> None:
    """Start the in-process clock once every package has registered its sweepers (`flask run` only)."""
    from messaging import scheduler

    if scheduler.should_run_in_this_process(app):
        scheduler.start_in_thread(app)
