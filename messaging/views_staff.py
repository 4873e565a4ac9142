"""Staff pages: the inbox of unclaimed texts and the list of outbound messages."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from app.auth.decorators import roles_required
from app.extensions import db
from app.models import Customer
from app.models.base import utcnow
from messaging.blueprint import bp
from messaging.models import STATUSES, InboundMessage, OutboundMessage
from messaging.services import reply_to_number

PAGE = 200


@bp.get("/messaging/inbox")
@roles_required("staff")
def inbox() -> ResponseReturnValue:
    """List texts no consultation or event claimed, newest first."""
    show = request.args.get("show", "unread")
    query = select(InboundMessage, Customer).outerjoin(Customer, Customer.id == InboundMessage.customer_id)
    query = query.where(InboundMessage.handled_by.is_(None))
    if show != "all":
        query = query.where(InboundMessage.read_at.is_(None))
    rows = db.session.execute(query.order_by(InboundMessage.received_at.desc()).limit(PAGE)).all()
    return render_template("messaging/inbox.html", rows=rows, show=show)


@bp.post("/messaging/inbox/<int:message_id>/read")
@roles_required("staff")
def inbox_mark_read(message_id: int) -> ResponseReturnValue:
    """Mark an inbox text as read."""
    message = db.get_or_404(InboundMessage, message_id)
    if message.read_at is None:
        message.read_at = utcnow()
        db.session.commit()
    return redirect(url_for("messaging.inbox"))


@bp.post("/messaging/inbox/reply")
@roles_required("staff")
def inbox_reply() -> ResponseReturnValue:
    """Queue a reply text to a number through the outbox."""
    number = (request.form.get("to") or "").strip()
    body = (request.form.get("body") or "").strip()
    try:
        queued = reply_to_number(number, body, now=utcnow())
    except ValueError as exc:
        flash(str(exc), "error")
        return redirect(url_for("messaging.inbox"))
    db.session.commit()
    if queued is None:
        flash(f"{number} has opted out of texts; nothing was sent.", "error")
    else:
        flash(f"Reply to {number} queued.", "success")
    return redirect(url_for("messaging.inbox"))


@bp.get("/messaging/messages")
@roles_required("staff")
def messages() -> ResponseReturnValue:
    """List outbound messages with their status, filtered by status, channel and topic."""
    status = request.args.get("status", "")
    channel = request.args.get("channel", "")
    topic = request.args.get("topic", "").strip()
    query = select(OutboundMessage)
    if status in STATUSES:
        query = query.where(OutboundMessage.status == status)
    if channel in ("sms", "email"):
        query = query.where(OutboundMessage.channel == channel)
    if topic:
        query = query.where(OutboundMessage.topic == topic)
    rows = db.session.scalars(query.order_by(OutboundMessage.id.desc()).limit(PAGE)).all()
    counts = dict(
        db.session.execute(
            select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status)
        ).all()
    )
    return render_template(
        "messaging/messages.html",
        rows=rows,
        counts=counts,
        statuses=STATUSES,
        status=status,
        channel=channel,
        topic=topic,
    )
