"""Close a consultation: stop its invitations and end SMS conversations politely."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from app.extensions import db
from app.models.audit import record
from consultations.surveys.models import (
    CLOSED,
    INCOMPLETE,
    LIVE_INVITATION,
    OPEN,
    SCHEDULED,
    STARTED,
    Consultation,
    Invitation,
    Response,
)
from consultations.surveys.texts import CLOSING
from messaging.api import NewMessage, enqueue_many


def close(consultation: Consultation, *, now: datetime, actor: Any = None) -> bool:
    """Close the consultation and end open SMS conversations politely; False when already closed."""
    claimed = db.session.execute(
        update(Consultation)
        .where(Consultation.id == consultation.id, Consultation.status.in_((OPEN, SCHEDULED)))
        .values(status=CLOSED, closed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return False
    db.session.refresh(consultation)
    mid_way = db.session.execute(
        select(Invitation.id, Invitation.address, Invitation.customer_id).where(
            Invitation.consultation_id == consultation.id,
            Invitation.channel == "sms",
            Invitation.status == STARTED,
        )
    ).all()
    goodbye = [
        NewMessage(
            to=row.address,
            body=CLOSING,
            customer_id=row.customer_id,
            activity_id=consultation.activity_id,
            topic=consultation.topic,
            ref=f"invitation:{row.id}",
            purpose="closing",
        )
        for row in mid_way
    ]
    if goodbye:
        enqueue_many("sms", goodbye, now=now)
    db.session.execute(
        update(Invitation)
        .where(Invitation.consultation_id == consultation.id, Invitation.status.in_(LIVE_INVITATION))
        .values(status=CLOSED)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Response)
        .where(Response.consultation_id == consultation.id, Response.status == STARTED)
        .values(status=INCOMPLETE)
        .execution_options(synchronize_session=False)
    )
    record(
        "consultation.close",
        actor=actor,
        target_type="consultation",
        target_id=consultation.id,
        now=now,
        detail={"slug": consultation.slug, "conversations_ended": len(mid_way)},
    )
    db.session.flush()
    return True
