"""Twilio's inbound-text webhook as a small WSGI app in front of Flask: check it, store it, answer.

Every text a customer sends arrives here, often thousands in a burst after a launch, and all the
webhook does is prove Twilio sent it and store it for the clock (messaging.pending). Served by
Flask it also ran every hook the staff pages need (CSRF, rate limits, sessions, login cookies,
cache headers), which cost more than the work itself; here it keeps only what applies to it: the
body limit, the signature, the security headers and SQLite's writer lock.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from flask import Flask
from sqlalchemy import Engine
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException, MethodNotAllowed
from werkzeug.wrappers import Request, Response

from app.models.base import utcnow
from app.web.errors import HSTS, SECURITY_HEADERS
from app.web.limits import cap_body, limit_for
from messaging.pending import store_text
from messaging.webhooks import signature_ok, writer_lock

PATH = "/messaging/twilio/sms"
ENDPOINT = "messaging.twilio_sms"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
_STORED = EMPTY_TWIML.encode()
_STORED_HEADERS = (
    ("Content-Type", "text/xml; charset=utf-8"),
    ("Content-Length", str(len(_STORED))),
    *SECURITY_HEADERS,
)
log = logging.getLogger(__name__)


def clean(form: Any, name: str, size: int) -> str:
    """Return a form field without NUL (PostgreSQL refuses it), trimmed to its column's length."""
    return (form.get(name) or "").replace("\x00", "").strip()[:size]


class SmsWebhook:
    """Serve POST /messaging/twilio/sms; pass every other request to the app behind."""

    def __init__(self, app: Flask, inner: Any) -> None:
        self.app, self.inner = app, inner
        self._engine: Engine | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """Answer the webhook, or hand the request on."""
        if environ.get("PATH_INFO") != PATH:
            return self.inner(environ, start_response)  # type: ignore[no-any-return]
        request = Request(environ)
        secure = [HSTS] if request.is_secure else []
        try:
            self._receive(request)
        except HTTPException as exc:
            response = exc.get_response(environ)
        except Exception:
            log.exception("storing an inbound text failed")
            response = Response(
                "The text could not be stored; please send it again.", 503, mimetype="text/plain"
            )
        else:
            # The answer almost every request gets, its headers worked out once.
            start_response("200 OK", [*_STORED_HEADERS, *secure])
            return [_STORED]
        for name, value in (*SECURITY_HEADERS, *secure):
            response.headers.setdefault(name, value)
        return response(environ, start_response)  # type: ignore[no-any-return]

    def _receive(self, request: Request) -> None:
        """Check the text came from Twilio and store it once (answered with empty TwiML: replies go through the outbox)."""
        if request.method != "POST":
            raise MethodNotAllowed(valid_methods=["POST"])
        app = self.app
        cap_body(request, limit_for(app, PATH, ENDPOINT))
        if not signature_ok(app, request):
            raise Forbidden(description="The request was not signed by Twilio.")
        form = request.form
        sid = clean(form, "MessageSid", 64) or clean(form, "SmsSid", 64)
        sender = clean(form, "From", 40)
        if not sid or not sender:
            raise BadRequest(description="MessageSid and From are required.")
        body = (form.get("Body") or "").replace("\x00", "")
        text = {
            "from_number": sender,
            "to_number": clean(form, "To", 40),
            "body": body,
            "message_sid": sid,
            "opt_out_type": clean(form, "OptOutType", 20),
        }
        # Twilio gets its 200 only once the text is committed; the clock answers it from there.
        with writer_lock(app), self._engine_for().begin() as connection:
            store_text(connection, now=utcnow(), **text)

    def _engine_for(self) -> Engine:
        # The app's engine, read once: the webhook runs outside any app context.
        if self._engine is None:
            from app.extensions import db

            with self.app.app_context():
                self._engine = db.engine
        return self._engine


def install(app: Flask) -> None:
    """Put the webhook in front of the app's WSGI callable."""
    app.wsgi_app = SmsWebhook(app, app.wsgi_app)  # type: ignore[method-assign]
