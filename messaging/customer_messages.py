"""A customer's texts and emails, sent and received, for the customer page (newest first, paged)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal, select, union_all

from app.extensions import db
from app.models import Customer
from app.web.paging import Page, page_number
from messaging.models import InboundMessage, OutboundMessage, Suppression

PER_PAGE = 20


@dataclass(frozen=True)
class CustomerMessages:
    """One page of a customer's messages and the suppression entries for their addresses."""

    page: Page[Any]
    suppressions: list[Any]


def _messages(customer_id: int) -> Any:
    """Every message to or from the customer as one SQL union, in a common shape."""
    out = select(
        OutboundMessage.id.label("id"),
        literal("out").label("direction"),
        OutboundMessage.channel.label("channel"),
        func.coalesce(OutboundMessage.sent_at, OutboundMessage.created_at).label("at"),
        OutboundMessage.subject.label("subject"),
        OutboundMessage.body.label("body"),
        OutboundMessage.status.label("status"),
    ).where(OutboundMessage.customer_id == customer_id)
    inbound = select(
        InboundMessage.id.label("id"),
        literal("in").label("direction"),
        literal("sms").label("channel"),
        InboundMessage.received_at.label("at"),
        literal("").label("subject"),
        InboundMessage.body.label("body"),
        func.coalesce(InboundMessage.handled_by, "inbox").label("status"),
    ).where(InboundMessage.customer_id == customer_id)
    return union_all(out, inbound).subquery("messages")


def customer_messages(customer: Customer, args: Mapping[str, str]) -> CustomerMessages:
    """Return one page of the customer's messages (``?messages=N``) and their opt-out entries."""
    rows = _messages(customer.id)
    number = page_number(args.get("messages"))
    total = db.session.scalar(select(func.count()).select_from(rows)) or 0
    pages = max(1, -(-total // PER_PAGE))
    number = min(number, pages)
    items = db.session.execute(
        select(rows)
        # At the same instant a reply follows the text it answers: newest first puts it above.
        .order_by(rows.c.at.desc(), rows.c.direction.desc(), rows.c.id.desc())
        .limit(PER_PAGE)
        .offset((number - 1) * PER_PAGE)
    ).all()
    addresses = [a for a in (customer.phone, customer.email) if a]
    suppressions = (
        db.session.execute(
            select(Suppression.channel, Suppression.reason, Suppression.created_at)
            .where(Suppression.address.in_(addresses))
            .order_by(Suppression.created_at.desc())
        ).all()
        if addresses
        else []
    )
    return CustomerMessages(
        Page(items=list(items), page=number, per_page=PER_PAGE, total=total), suppressions
    )
