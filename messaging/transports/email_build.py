"""Build the MIME message for an outbox email, exactly as both email transports send it."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app
from flask_mail import Message

from messaging.attachments import from_stored
from messaging.models import OutboundMessage
from messaging.transports import SendResult
from messaging.unsubscribe import unsubscribe_url

# Anything a header parser would take as the end of a line (and so the start of a new header).
LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


def one_line(value: Any) -> Any:
    """Return a header value with every line break folded to a space (a sender pair keeps its shape)."""
    if isinstance(value, str):
        return LINE_BREAKS.sub(" ", value).strip()
    if isinstance(value, (tuple, list)):
        return type(value)(one_line(part) for part in value)
    return value


def build_message(message: OutboundMessage) -> Message:
    """Return the flask-mail message for an outbox row: RFC 8058 headers when asked, its attachments."""
    headers: dict[str, str] = {}
    if message.list_unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url(message.to_address)}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    config = current_app.config
    # Stored text may predate the input checks: no value reaches a header with a line break in it.
    built = Message(
        subject=one_line(message.subject or ""),
        recipients=[one_line(message.to_address)],
        body=message.body,
        html=message.html,
        sender=one_line(config.get("MAIL_DEFAULT_SENDER")),
        extra_headers={one_line(k): one_line(v) for k, v in headers.items()} or None,
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
