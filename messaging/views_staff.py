"""Staff pages: the inbox of unclaimed texts and the list of outbound messages."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from app.auth.decorators import roles_required
from app.extensions import db
from app.models import Customer
from app.models.base import utcnow
from app.web.paging import page_number, paginate
from messaging.blueprint import bp
from messaging.models import STATUSES, InboundMessage, OutboundMessage
from messaging.search import matches
from messaging.services import reply_to_number

PAGE = 50


def _query() -> str:
    return (request.args.get("q") or "").strip()[:100]


@bp.get("/messaging/inbox")
@roles_required("staff")
def inbox() -> ResponseReturnValue:
    """Page texts no consultation or event claimed, newest first, searched by number."""
    show = "all" if request.args.get("show") == "all" else "unread"
    query = _query()
    listed = select(InboundMessage, Customer).outerjoin(Customer, Customer.id == InboundMessage.customer_id)
    listed = listed.where(InboundMessage.handled_by.is_(None), InboundMessage.handled_at.is_not(None))
    if show != "all":
        listed = listed.where(InboundMessage.read_at.is_(None))
    if query:
        listed = listed.where(matches(query, InboundMessage.from_number))
    listed = listed.order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
    rows = paginate(listed, page_number(request.args.get("page")), PAGE, scalars=False)
    args = {key: value for key, value in (("show", show), ("q", query)) if value and value != "unread"}
    template = (
        "messaging/_inbox_list.html" if request.args.get("fragment") == "list" else "messaging/inbox.html"
    )
    return render_template(
        template,
        rows=rows,
        show=show,
        query=query,
        args=args,
        live_seconds=float(current_app.config.get("LIVE_REFRESH_SECONDS", 10)),
    )


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
    """Page outbound messages with their status, filtered by status, channel, topic and address."""
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    channel = request.args.get("channel", "")
    channel = channel if channel in ("sms", "email") else ""
    topic = request.args.get("topic", "").strip()[:80]
    query = _query()
    listed = select(OutboundMessage)
    if status:
        listed = listed.where(OutboundMessage.status == status)
    if channel:
        listed = listed.where(OutboundMessage.channel == channel)
    if topic:
        listed = listed.where(OutboundMessage.topic == topic)
    if query:
        listed = listed.where(matches(query, OutboundMessage.to_address))
    rows = paginate(listed.order_by(OutboundMessage.id.desc()), page_number(request.args.get("page")), PAGE)
    counts = dict(
        db.session.execute(
            select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status)
        ).all()
    )
    args = {k: v for k, v in (("status", status), ("channel", channel), ("topic", topic), ("q", query)) if v}
    return render_template(
        "messaging/_messages_table.html"
        if request.args.get("fragment") == "list"
        else "messaging/messages.html",
        rows=rows,
        counts=counts,
        statuses=STATUSES,
        status=status,
        channel=channel,
        topic=topic,
        query=query,
        args=args,
        live_seconds=float(current_app.config.get("LIVE_REFRESH_SECONDS", 10)),
    )
