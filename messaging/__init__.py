"""Involve messaging: SMS and email transports, the outbox, inbound texts, suppression, the clock."""

from __future__ import annotations

import threading

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this package's blueprints, commands and jobs."""
    from app import ratelimit
    from app.auth.reset import register_email_sender
    from app.extensions import csrf
    from app.jobs import app_jobs
    from app.web.menu import register_menu_item
    from app.web.panels import register_home_panel
    from app.web.people.sections import register_customer_section
    from messaging import (
        cli,
        clock,
        inbound,
        pending,
        scheduler,
        settings,
        sms_webhook,
        staff_notices,
        transports,
        views_public,
    )
    from messaging import views_dev as _dev
    from messaging import views_staff as _staff
    from messaging.blueprint import bp
    from messaging.customer_messages import customer_messages
    from messaging.pacing import Pacer
    from messaging.staff_email import send_staff_email
    from messaging.webhooks import configure_writer_lock, skip_sessions_on_webhooks

    del _dev, _staff  # imported for their routes
    settings.check(app)
    # Registered first: the Twilio transport builds its status callback from the route.
    app.register_blueprint(bp)
    register_menu_item(app, "Inbox", "messaging.inbox", order=90, blueprints=("messaging",))
    transports.configure(app)
    app.extensions["involve_pacer"] = Pacer()
    # Set on SIGINT: dispatch runs finish the calls under way and start nothing new.
    app.extensions["involve_stopping"] = threading.Event()
    # Twilio and mail clients cannot send a CSRF token; these routes check their own signatures.
    for view in (views_public.twilio_status, views_public.unsubscribe):
        csrf.exempt(view)
    # Twilio's webhooks prove their sender by signature and arrive from Twilio's many addresses.
    ratelimit.unlimited(app, "/messaging/twilio/")
    skip_sessions_on_webhooks(app)
    configure_writer_lock(app)
    # Inbound texts are answered in front of Flask: checked, stored and left to the clock.
    sms_webhook.install(app)
    cli.init_app(app)
    inbound.init_app(app)
    staff_notices.init_app()
    register_home_panel(app, "scheduler-clock", "messaging/_clock.html", clock.home_panel)
    register_customer_section(app, "messages", "messaging/_customer_messages.html", customer_messages)
    register_email_sender(app, send_staff_email)
    scheduler.register_sweeper(
        app, "dispatch", cli.dispatch_job, seconds=int(app.config.get("MESSAGING_DISPATCH_SECONDS", 5))
    )
    # Texts the webhook stored are handled within a second or so, oldest first.
    scheduler.register_sweeper(
        app, "inbound", pending.sweep, seconds=int(app.config.get("MESSAGING_INBOUND_SECONDS", 1))
    )
    # The core app's own jobs (imports from the staff pages) run on the same clock.
    for job in app_jobs(app):
        scheduler.register_sweeper(app, job.name, job.func, seconds=job.seconds)


def ready(app: Flask) -> None:
    """Start the in-process clock once every package has registered its sweepers (`flask run` only)."""
    from messaging import scheduler

    if scheduler.should_run_in_this_process(app):
        scheduler.start_in_thread(app)
