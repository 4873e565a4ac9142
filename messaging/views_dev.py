"""Development pages: the SMS simulator and the email outbox (only when those channels are in use)."""

from __future__ import annotations

import uuid
from email import message_from_string, policy
from typing import Any
from urllib.parse import quote

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, or_, select, union_all

from app.auth.decorators import roles_required
from app.extensions import db
from app.models import Customer
from app.models.base import utcnow
from app.web.paging import Page, page_number, paginate
from messaging.blueprint import bp
from messaging.dispatcher import dispatch_due
from messaging.inbound import receive_sms
from messaging.models import DevEmail, InboundMessage, OutboundMessage
from messaging.search import matches
from messaging.services import e164

SIMULATOR_NUMBER = "+447000000001"
PHONES = 25  # phones per page
THREAD = 100  # latest texts shown in one conversation
EMAILS = 25  # emails per page


def _require(channel: str, name: str) -> None:
    if current_app.extensions["involve_channels"].get(channel) != name:
        abort(404, description="This development page is off: real messages are being sent.")


def _conversation(number: str) -> list[dict[str, Any]]:
    """Return the latest texts to and from ``number``, oldest first."""
    outs = db.session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.channel == "sms", OutboundMessage.to_address == number)
        .order_by(OutboundMessage.id.desc())
        .limit(THREAD)
    )
    ins = db.session.scalars(
        select(InboundMessage)
        .where(InboundMessage.from_number == number)
        .order_by(InboundMessage.id.desc())
        .limit(THREAD)
    )
    items = [{"at": m.sent_at or m.created_at, "out": True, "body": m.body, "status": m.status} for m in outs]
    items += [
        {"at": m.received_at, "out": False, "body": m.body, "status": m.handled_by or "inbox"} for m in ins
    ]
    return sorted(items, key=lambda item: item["at"])[-THREAD:]


def _phones(query: str, page: int) -> Page[Any]:
    """Page the simulated phones, latest text first, matching the number or the customer's name."""
    texts = union_all(
        select(OutboundMessage.to_address.label("number"), OutboundMessage.created_at.label("at")).where(
            OutboundMessage.channel == "sms"
        ),
        select(InboundMessage.from_number.label("number"), InboundMessage.received_at.label("at")),
    ).subquery()
    phones = select(texts.c.number, func.max(texts.c.at).label("last")).group_by(texts.c.number).subquery()
    named = (
        select(phones.c.number, phones.c.last, func.min(Customer.first_name).label("name"))
        .outerjoin(Customer, Customer.phone == phones.c.number)
        .group_by(phones.c.number, phones.c.last)
    )
    if query:
        named = named.having(
            or_(matches(query, phones.c.number), matches(query, func.min(Customer.first_name)))
        )
    return paginate(named.order_by(phones.c.last.desc(), phones.c.number), page, PHONES, scalars=False)


def _live_seconds() -> int:
    return float(current_app.config.get("LIVE_REFRESH_SECONDS", 10))


@bp.get("/messaging/dev/sms")
@roles_required("staff")
def simulator() -> ResponseReturnValue:
    """Show one page of simulated phones and a conversation, with forms to reply as the customer."""
    _require("sms", "simulator")
    query = (request.args.get("q") or "").strip()[:100]
    phones = _phones(query, page_number(request.args.get("page")))
    selected = request.args.get("number") or (phones.items[0].number if phones.items else "")
    conversation = _conversation(selected) if selected else []
    if request.args.get("fragment") == "thread":
        return render_template("messaging/_sms_thread.html", conversation=conversation)
    customers = db.session.execute(
        select(Customer.phone, Customer.first_name, Customer.last_name, Customer.ref)
        .where(Customer.phone.is_not(None), Customer.erased_at.is_(None))
        .order_by(Customer.last_name, Customer.first_name)
        .limit(500)
    ).all()
    return render_template(
        "messaging/simulator.html",
        phones=phones,
        query=query,
        selected=selected,
        conversation=conversation,
        customers=customers,
        live_seconds=_live_seconds(),
    )


@bp.post("/messaging/dev/sms/reply")
@roles_required("staff")
def simulator_reply() -> ResponseReturnValue:
    """Text in as the customer through the same code path as Twilio's webhook, then send replies."""
    _require("sms", "simulator")
    body = (request.form.get("body") or "").strip()
    raw = (request.form.get("number") or "").strip()
    try:
        number = e164(raw)
    except ValueError as exc:
        # A number already on the register or in a conversation is taken as it is stored.
        if not db.session.scalar(select(Customer.id).where(Customer.phone == raw).limit(1)):
            flash(str(exc), "error")
            return redirect(url_for("messaging.simulator"))
        number = raw
    if not body:
        flash("Write a text to send.", "error")
        return redirect(url_for("messaging.simulator", number=number))
    now = utcnow()
    to = current_app.config.get("TWILIO_FROM_NUMBER") or SIMULATOR_NUMBER
    receive_sms(number, to, body, f"SMsim{uuid.uuid4().hex}", now=now)
    db.session.commit()
    dispatch_due(now=now)
    return redirect(url_for("messaging.simulator", number=number))


@bp.get("/messaging/dev/email")
@roles_required("staff")
def outbox() -> ResponseReturnValue:
    """Page the emails the development outbox kept, newest first, searched by address or subject."""
    _require("email", "outbox")
    query = (request.args.get("q") or "").strip()[:100]
    listed = select(DevEmail.id, DevEmail.to_address, DevEmail.subject, DevEmail.created_at)
    if query:
        listed = listed.where(matches(query, DevEmail.to_address, DevEmail.subject))
    emails = paginate(
        listed.order_by(DevEmail.id.desc()), page_number(request.args.get("page")), EMAILS, scalars=False
    )
    wanted = request.args.get("id", type=int)
    selected = db.session.get(DevEmail, wanted) if wanted else None
    if selected is None and emails.items:
        selected = db.session.get(DevEmail, emails.items[0].id)
    args = {"q": query, "page": emails.page} if query else {"page": emails.page}
    if request.args.get("fragment") == "list":
        return render_template("messaging/_outbox_list.html", emails=emails, selected=selected, args=args)
    parsed = _parse(selected.raw) if selected else None
    return render_template(
        "messaging/outbox.html",
        emails=emails,
        selected=selected,
        parsed=parsed,
        query=query,
        args=args,
        live_seconds=_live_seconds(),
    )


def _parse(raw: str) -> dict[str, Any]:
    """Split a stored email into its headers, text and HTML parts and its attachments."""
    message = message_from_string(raw, policy=policy.default)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return {
        "headers": [(key, str(value)) for key, value in message.items()],
        "text": text.get_content() if text is not None else "",
        "html": html.get_content() if html is not None else "",
        "attachments": [
            {
                "filename": part.get_filename() or "(no name)",
                "content_type": part.get("Content-Type", ""),
                "size": len(part.get_payload(decode=True) or b""),
            }
            for part in message.iter_attachments()
        ],
    }


@bp.get("/messaging/dev/email/<int:email_id>/attachments/<int:index>")
@roles_required("staff")
def outbox_attachment(email_id: int, index: int) -> ResponseReturnValue:
    """Download one attachment of an email the development outbox kept."""
    _require("email", "outbox")
    stored = db.get_or_404(DevEmail, email_id)
    parts = list(message_from_string(stored.raw, policy=policy.default).iter_attachments())
    if index >= len(parts):
        abort(404, description="That email has no such attachment.")
    part = parts[index]
    return Response(
        part.get_payload(decode=True) or b"",
        mimetype="application/octet-stream",
        headers={"Content-Disposition": content_disposition(part.get_filename() or f"attachment-{index}")},
    )


def content_disposition(filename: str) -> str:
    """Return a download header value that is safe for any file name (RFC 6266)."""
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace('"', "'").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
