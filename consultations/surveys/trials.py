"""Test conversations: staff try a consultation by SMS before launch, never counted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update

from app.extensions import db
from app.models.audit import record
from consultations.surveys.launch import check_launchable
from consultations.surveys.models import ENDED, INVITED, LIVE_INVITATION, Consultation, Invitation
from consultations.surveys.texts import opening_sms
from messaging.api import NewMessage, enqueue


def start_test_conversation(
    consultation: Consultation, phone: str, *, now: datetime, actor: Any = None
) -> Invitation:
    """Start a conversation with a staff phone (or the simulator); it is never counted."""
    check_launchable(consultation)
    db.session.execute(
        update(Invitation)
        .where(
            Invitation.is_test.is_(True), Invitation.address == phone, Invitation.status.in_(LIVE_INVITATION)
        )
        .values(status=ENDED)
        .execution_options(synchronize_session=False)
    )
    invitation = Invitation(
        consultation_id=consultation.id,
        channel="sms",
        address=phone,
        status=INVITED,
        last_sent_at=now,
        is_test=True,
        created_at=now,
    )
    db.session.add(invitation)
    db.session.flush()
    name = getattr(actor, "name", "") or ""
    enqueue(
        "sms",
        NewMessage(
            to=phone,
            body=opening_sms(consultation, name.split(" ")[0]),
            topic=f"consultation-test:{consultation.id}",
            ref=f"invitation:{invitation.id}",
            purpose="test",
        ),
        now=now,
    )
    record(
        "consultation.test_conversation",
        actor=actor,
        target_type="consultation",
        target_id=consultation.id,
        now=now,
        detail={"phone": phone},
    )
    return invitation
