"""Surveys: consultations run as SMS conversations, emailed links, an open web link or typed-in paper."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprints, commands, SMS handler and sweepers of surveys."""
    from consultations.surveys import (
        cli,
        jobs,
        views_builder,
        views_confirm,
        views_import,
        views_public,
        views_staff,
    )
    from consultations.surveys.blueprints import public_bp, staff_bp
    from consultations.surveys.conversations import prefetch_conversations
    from consultations.surveys.engine import after_interruption, on_sms_received
    from consultations.surveys.qtypes import TYPES, kind
    from consultations.surveys.scripts import watch_edits
    from consultations.surveys.webform import form_route
    from messaging.handlers import CONVERSATIONS, register_inbound_handler

    # imported for their routes
    assert views_builder and views_confirm and views_import and views_public and views_staff
    app.register_blueprint(staff_bp)
    app.register_blueprint(public_bp)
    cli.init_app(app)
    jobs.init_app(app)
    watch_edits()
    app.jinja_env.globals.update(question_kind=kind, question_types=TYPES, form_route=form_route)
    app.config.setdefault("SURVEY_CONVERSATION_DAYS", 7)
    app.config.setdefault("SURVEY_CHANNEL_PREFERENCE", "sms,email")
    register_inbound_handler(
        app,
        "survey-conversations",
        on_sms_received,
        CONVERSATIONS,
        resume=after_interruption,
        prefetch=prefetch_conversations,
    )
