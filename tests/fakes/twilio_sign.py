"""Post webhooks signed the way Twilio signs them."""

from __future__ import annotations

import uuid

from flask import Flask
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from app.models.base import utcnow
from messaging.pending import handle_pending
from messaging.webhooks import signing_token


def sign(app: Flask, path: str, params: dict[str, str]) -> str:
    """Return the X-Twilio-Signature for a POST of ``params`` to ``path`` (path may carry a query)."""
    url = app.config["PUBLIC_BASE_URL"].rstrip("/") + path
    return RequestValidator(signing_token(app)).compute_signature(url, params)


def signed_post(client: FlaskClient, app: Flask, path: str, params: dict[str, str]) -> TestResponse:
    """POST a signed form to ``path``."""
    return client.post(path, data=params, headers={"X-Twilio-Signature": sign(app, path, params)})


def signed_sms_post(
    client: FlaskClient,
    app: Flask,
    from_: str,
    body: str,
    sid: str | None = None,
    *,
    handle: bool = True,
    **extra: str,
) -> TestResponse:
    """POST an inbound text to the SMS webhook, signed, then let the clock handle it as its
    ``inbound`` job would (``handle=False`` leaves it stored and unhandled); ``extra`` adds fields
    such as OptOutType."""
    params = {
        "MessageSid": sid or f"SM{uuid.uuid4().hex}",
        "AccountSid": app.config.get("TWILIO_ACCOUNT_SID") or "ACtest",
        "From": from_,
        "To": app.config.get("TWILIO_FROM_NUMBER") or "+447000000001",
        "Body": body,
        "NumSegments": "1",
        **extra,
    }
    response = signed_post(client, app, "/messaging/twilio/sms", params)
    if handle:
        handle_stored(app)
    return response


def handle_stored(app: Flask) -> int:
    """Handle the texts the webhook stored, as the clock's ``inbound`` job does; return how many."""
    with app.app_context():
        return handle_pending(utcnow())


def signed_status_post(
    client: FlaskClient,
    app: Flask,
    sid: str,
    status: str,
    error_code: str = "",
    message_id: int | None = None,
) -> TestResponse:
    """POST a delivery status callback, signed."""
    params = {"MessageSid": sid, "MessageStatus": status}
    if error_code:
        params["ErrorCode"] = error_code
    path = "/messaging/twilio/status" + (f"?m={message_id}" if message_id is not None else "")
    return signed_post(client, app, path, params)
