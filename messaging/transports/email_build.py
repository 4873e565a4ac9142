"""Build the MIME message for an outbox email, exactly as both email transports send it."""

from __future__ import annotations

from flask import current_app
from flask_mail import Message

from messaging.attachments import from_stored
from messaging.models import OutboundMessage
from messaging.transports import SendResult
from messaging.unsubscribe import unsubscribe_url


def build_message(message: OutboundMessage) -> Message:
    """Return the flask-mail message for an outbox row: RFC 8058 headers when asked, its attachments."""
    headers: dict[str, str] = {}
    if message.list_unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url(message.to_address)}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    built = Message(
        subject=message.subject,
        recipients=[message.to_address],
        body=message.body,
        html=message.html,
        sender=current_app.config.get("MAIL_DEFAULT_SENDER"),
        extra_headers=headers or None,
    )
    for item in from_stored(message.attachments):
        built.attach(filename=item.filename, content_type=item.content_type, data=item.data)
    return built


def buildable(message: OutboundMessage) -> Message | SendResult:
    """Build the message, or say why it can never be sent (a permanent failure for this one alone)."""
    try:
        built = build_message(message)
    except Exception as exc:
        return SendResult(
            "failed", error_code="unbuildable", error_message=f"cannot build this email: {exc}"[:500]
        )
    if built.has_bad_headers():
        return SendResult(
            "failed",
            error_code="bad-header",
            error_message="a header (subject, sender or recipient) has a line break; fix the text and send again",
        )
    return built
