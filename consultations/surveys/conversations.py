"""Which SMS conversation an inbound text belongs to, in one indexed query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, or_, select

from app.extensions import db
from consultations.surveys.models import LIVE_INVITATION, Consultation, Invitation
from consultations.surveys.timeouts import conversation_window, late_reply_window

LIVE, CLOSED, TIMED_OUT = 0, 1, 2
KINDS = {LIVE: "live", CLOSED: "closed", TIMED_OUT: "timed-out"}


def _any_status(*statuses: str) -> Any:
    # Equalities, not IN: an IN list is re-rendered into the SQL on every execution.
    return or_(*(Invitation.status == status for status in statuses))


_since = bindparam("since")
_live = and_(
    _any_status(*LIVE_INVITATION),
    Invitation.last_sent_at >= _since,
    or_(Consultation.status == "open", Invitation.is_test.is_(True)),
)
_closed = and_(Invitation.status == "closed", Consultation.closed_at >= _since)
# Gone quiet past the window, but only a few days ago ("started" too: the expiry sweeper may
# not have reached it yet).
_timed_out = and_(
    _any_status("expired", "started"),
    Invitation.last_sent_at < _since,
    Invitation.last_sent_at >= bindparam("late_since"),
)
_kind = case((_live, LIVE), (_closed, CLOSED), else_=TIMED_OUT)
# Every text asks this, so it is built once and run with bound values (composing it per text
# cost more than running it), and it reads survey_invitations by its (channel, address) index.
# Live conversations first, newest first; then one a recent closing cut short; then a timed-out one.
_CONVERSATION = (
    select(Invitation.id, _kind.label("kind"))
    .join(Consultation, Consultation.id == Invitation.consultation_id)
    .where(
        Invitation.channel == "sms", Invitation.address == bindparam("phone"), or_(_live, _closed, _timed_out)
    )
    .order_by(
        _kind,
        case((_closed, Consultation.closed_at), else_=Invitation.last_sent_at).desc(),
        Invitation.id.desc(),
    )
    .limit(1)
)


@dataclass(frozen=True)
class Found:
    """The conversation a text belongs to and how it stands: live, closed or timed-out."""

    invitation_id: int
    kind: str


def conversation_for(phone: str, now: datetime) -> Found | None:
    """Return the sender's live conversation, else one recently closed, else one recently timed out."""
    since = now - conversation_window()
    params = {"phone": phone, "since": since, "late_since": since - late_reply_window()}
    # Columns only, so the session's connection runs it without the ORM's result machinery.
    row = db.session.connection().execute(_CONVERSATION, params).first()
    return Found(row.id, KINDS[row.kind]) if row is not None else None
