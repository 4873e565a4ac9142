"""Mark the demo's queued messages as history: sent when written, the emails kept in the dev outbox."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import String, cast, literal, select, update

from app.extensions import db
from messaging.api import OutboundMessage, email_transport


def deliver_history(now: datetime) -> int:
    """Record every queued message as delivered at the time it was written; return how many (flush only).

    Emails go through the development outbox, so a visitor can open their links there; texts
    already show in the SMS simulator. With a real provider configured nothing leaves: demo
    customers are made up, and their made-up numbers may belong to real people. No per-text
    SMS cost is added: the core demo's ledger already carries the cost of these surveys.
    """
    queued = (OutboundMessage.status == "queued", OutboundMessage.created_at <= now)
    if current_app.extensions.get("involve_channels", {}).get("email") == "outbox":
        emails = db.session.scalars(
            select(OutboundMessage)
            .where(*queued, OutboundMessage.channel == "email")
            .order_by(OutboundMessage.created_at, OutboundMessage.id)
        ).all()
        email_transport().send_batch(list(emails))
    done = db.session.execute(
        update(OutboundMessage)
        .where(*queued)
        .values(
            status="delivered",
            attempts=1,
            sent_at=OutboundMessage.created_at,
            delivered_at=OutboundMessage.created_at,
            provider_id=literal("demo-") + cast(OutboundMessage.id, String),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.flush()
    return done or 0
