"""Routes outsiders call: Twilio's webhooks and the one-click unsubscribe page."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue

from app.extensions import db
from app.models.base import utcnow
from app.ratelimit import unsubscribe_limit
from messaging.blueprint import bp
from messaging.inbound import receive_sms
from messaging.status import apply_status
from messaging.suppression import suppress
from messaging.unsubscribe import masked, read_token
from messaging.webhooks import signature_ok, writer_lock

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _clean(name: str, size: int, form: Mapping[str, str] | None = None) -> str:
    # PostgreSQL refuses NUL in text, and columns have lengths: never let a field cause a 500.
    return ((form or request.form).get(name) or "").replace("\x00", "").strip()[:size]


@bp.post("/messaging/twilio/sms")
def twilio_sms() -> ResponseReturnValue:
    """Receive an inbound text from Twilio and answer empty TwiML (replies go through the outbox)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not signature_ok(app, request):
        abort(403, description="The request was not signed by Twilio.")
    form = request.form
    sid = _clean("MessageSid", 64, form) or _clean("SmsSid", 64, form)
    sender = _clean("From", 40, form)
    if not sid or not sender:
        abort(400, description="MessageSid and From are required.")
    body = (form.get("Body") or "").replace("\x00", "")
    opt_out_type = _clean("OptOutType", 20, form)
    # One transaction: the text and everything done about it commit together (a failing receiver
    # is undone and the text still reaches the inbox). Twilio gets its 200 only after the commit.
    with writer_lock(app):
        receive_sms(sender, _clean("To", 40, form), body, sid, now=utcnow(), opt_out_type=opt_out_type)
        db.session.commit()
    return Response(EMPTY_TWIML, mimetype="text/xml")


@bp.post("/messaging/twilio/status")
def twilio_status() -> ResponseReturnValue:
    """Record a delivery status callback; unknown messages are a harmless no-op."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not signature_ok(app, request):
        abort(403, description="The request was not signed by Twilio.")
    with writer_lock(app):
        apply_status(
            _clean("MessageSid", 64) or _clean("SmsSid", 64),
            _clean("MessageStatus", 20) or _clean("SmsStatus", 20),
            _clean("ErrorCode", 20),
            now=utcnow(),
            our_id=(request.args.get("m") or "")[:20],
        )
        db.session.commit()
    return Response("", status=200)


@bp.route("/u/<token>", methods=["GET", "POST"])
@unsubscribe_limit()
def unsubscribe(token: str) -> ResponseReturnValue:
    """Show a confirm button (GET) or unsubscribe the address (POST, including RFC 8058 one-click)."""
    reading = read_token(token)
    if reading.expired:
        return render_template("messaging/unsubscribe_expired.html"), 410
    if reading.email is None:
        return render_template("messaging/unsubscribe_unknown.html"), 404
    email = reading.email
    if request.method == "GET":
        return render_template("messaging/unsubscribe.html", email=masked(email), done=False)
    suppress("email", email, "unsubscribe", now=utcnow(), opt_out=True)
    db.session.commit()
    return render_template("messaging/unsubscribe.html", email=masked(email), done=True)
