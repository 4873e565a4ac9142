"""Quiet SMS conversations: expire them without a text, and answer a late reply kindly, once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from app.extensions import db
from consultations.surveys.models import EXPIRED, INCOMPLETE, STARTED, Invitation, Response
from consultations.surveys.texts import TIMED_OUT
from messaging.api import InboundMessage
from messaging.handlers import InboundReply

QUIET = STARTED


def conversation_window(app: Any = None) -> timedelta:
    """Return how long a conversation stays open after our last text."""
    return timedelta(days=float((app or current_app).config.get("SURVEY_CONVERSATION_DAYS", 7)))


def late_reply_window(app: Any = None) -> timedelta:
    """Return how long after expiry a reply still hears that the survey timed out."""
    return timedelta(days=float((app or current_app).config.get("SURVEY_TIMED_OUT_REPLY_DAYS", 3)))


def _expire(where: Any) -> int:
    """Mark matching part-way conversations expired and their responses incomplete."""
    db.session.execute(
        update(Response)
        .where(Response.invitation_id.in_(select(Invitation.id).where(*where)), Response.status == STARTED)
        .values(status=INCOMPLETE)
        .execution_options(synchronize_session=False)
    )
    return (
        db.session.execute(
            update(Invitation)
            .where(*where)
            .values(status=EXPIRED)
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )


def expire_quiet(now: datetime) -> int:
    """Expire SMS conversations quiet past the window, texting nobody (flush only); return how many."""
    # No goodbye text: it could arrive at any hour, and the person has already stopped replying.
    cutoff = now - conversation_window()
    return _expire(
        (Invitation.channel == "sms", Invitation.status == QUIET, Invitation.last_sent_at < cutoff)
    )


def _marker(invitation: Invitation) -> str:
    return f"consultation:{invitation.consultation_id}:timed-out"


def _already_told(invitation: Invitation, phone: str) -> bool:
    return (
        db.session.scalar(
            select(InboundMessage.id)
            .where(
                InboundMessage.from_number == phone,
                InboundMessage.handled_by == _marker(invitation),
                InboundMessage.received_at >= invitation.last_sent_at,
            )
            .limit(1)
        )
        is not None
    )


def answer_timed_out(invitation: Invitation, phone: str) -> InboundReply | None:
    """Claim a late reply to this timed-out conversation, unless the sender was told already."""
    # Only the first late reply is answered; later ones reach the staff inbox like other texts,
    # so nobody gets a stream of automatic messages.
    if _already_told(invitation, phone):
        return None
    if invitation.status == QUIET:
        _expire((Invitation.id == invitation.id, Invitation.status == QUIET))
    test = invitation.is_test
    return InboundReply(
        handled_by=_marker(invitation),
        reply=TIMED_OUT,
        topic=f"consultation-test:{invitation.consultation_id}"
        if test
        else f"consultation:{invitation.consultation_id}",
        activity_id=None if test else invitation.consultation.activity_id,
    )
