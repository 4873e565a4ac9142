"""Routes outsiders call: Twilio's status callback and the one-click unsubscribe page (texts: sms_webhook)."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue

from app.extensions import db
from app.models.base import utcnow
from app.ratelimit import unsubscribe_limit
from messaging.blueprint import bp
from messaging.sms_webhook import clean
from messaging.status import apply_status
from messaging.suppression import suppress
from messaging.unsubscribe import masked, read_token
from messaging.webhooks import signature_ok, writer_lock


@bp.post("/messaging/twilio/status")
def twilio_status() -> ResponseReturnValue:
    """Record a delivery status callback; unknown messages are a harmless no-op."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not signature_ok(app, request):
        abort(403, description="The request was not signed by Twilio.")
    with writer_lock(app):
        apply_status(
            clean(request.form, "MessageSid", 64) or clean(request.form, "SmsSid", 64),
            clean(request.form, "MessageStatus", 20) or clean(request.form, "SmsStatus", 20),
            clean(request.form, "ErrorCode", 20),
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
