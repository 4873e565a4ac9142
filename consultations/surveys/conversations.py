"""Which SMS conversation an inbound text belongs to, in one indexed query."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, or_, select

from app.extensions import db
from app.prepared import Prepared
from consultations.surveys.models import LIVE_INVITATION, Consultation, Invitation, Response
from consultations.surveys.timeouts import conversation_window, late_reply_window
from messaging.handlers import Batch, InboundText

LIVE, CLOSED, TIMED_OUT = 0, 1, 2
KINDS = {LIVE: "live", CLOSED: "closed", TIMED_OUT: "timed-out"}
BATCH_KEY = "survey-conversations"


# Every text asks this, so it is built once and run with bound values (composing it per text
# cost more than running it). It reads survey_invitations by the (channel, address) index and
# returns the sender's few recent conversations; which one the text belongs to is decided in
# Python, so each time bound is sent once rather than once per condition. It also brings the
# conversation's state, its response and the consultation's version, so a reply to a live
# conversation is answered without reading again (consultations/surveys/answering.py).
def _recent(address: Any) -> Any:
    """Build the read of the recent conversations of the sender(s) ``address`` matches."""
    return (
        select(
            Invitation.id,
            Invitation.status,
            Invitation.last_sent_at,
            Invitation.is_test,
            Invitation.consultation_id,
            Invitation.customer_id,
            Invitation.position,
            Invitation.attempts,
            Invitation.lock_version,
            Consultation.status.label("consultation_status"),
            Consultation.closed_at,
            Consultation.updated_at.label("version"),
            Response.id.label("response_id"),
            Response.status.label("response_status"),
            Invitation.address,
        )
        .join(Consultation, Consultation.id == Invitation.consultation_id)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(
            Invitation.channel == "sms",
            address,
            or_(
                Invitation.last_sent_at >= bindparam("late_since"),
                Consultation.closed_at >= bindparam("since"),
            ),
        )
    )


_RECENT = Prepared(_recent(Invitation.address == bindparam("phone")))
# The same for every sender of a batch of texts the clock handles together (messaging.pending).
_RECENT_MANY = _recent(Invitation.address.in_(bindparam("phones", expanding=True)))


def _rank(row: Row[Any], since: datetime, late_since: datetime) -> tuple[int, datetime] | None:
    """Place one of the sender's conversations: live, closed or timed out (with its time), or None."""
    sent = row.last_sent_at
    live = row.consultation_status == "open" or row.is_test
    if live and row.status in LIVE_INVITATION and sent is not None and sent >= since:
        return LIVE, sent
    if row.status == "closed" and row.closed_at is not None and row.closed_at >= since:
        return CLOSED, row.closed_at
    # Gone quiet past the window, but only a few days ago ("started" too: the expiry sweeper
    # may not have reached it yet).
    if row.status in ("expired", "started") and sent is not None and late_since <= sent < since:
        return TIMED_OUT, sent
    return None


@dataclass(frozen=True)
class Found:
    """The conversation a text belongs to and how it stands: live, closed or timed-out."""

    invitation_id: int
    kind: str
    # The row as read: the conversation's state when it was read (not locked).
    row: Row[Any] | None = field(default=None, compare=False, repr=False)


def _windows(now: datetime) -> tuple[datetime, datetime]:
    """Since when a conversation is live, and since when a timed-out one still hears a late reply."""
    since = now - conversation_window()
    return since, since - late_reply_window()


def _choose(rows: Iterable[Row[Any]], now: datetime) -> Found | None:
    """Pick, from the sender's recent conversations, the one a text sent at ``now`` belongs to."""
    since, late_since = _windows(now)
    candidates = []
    for row in rows:
        placed = _rank(row, since, late_since)
        if placed is not None:
            kind, at = placed
            candidates.append((kind, -at.timestamp(), -row.id, row))
    if not candidates:
        return None
    # The best kind first, then the newest, then the latest invitation.
    kind, _, negative_id, row = min(candidates, key=lambda c: c[:3])
    return Found(-negative_id, KINDS[kind], row)


def conversation_for(phone: str, now: datetime) -> Found | None:
    """Return the sender's live conversation, else one recently closed, else one recently timed out."""
    since, late_since = _windows(now)
    params = {"phone": phone, "since": since, "late_since": late_since}
    # Columns only, so the session's connection runs it without the ORM's result machinery.
    return _choose(_RECENT.run(db.session.connection(), params), now)


def prefetch_conversations(texts: Sequence[InboundText], batch: Batch) -> None:
    """Read, in one query, the conversations of the senders who have one text in the batch.

    A sender with several texts is read text by text, since each answer moves the conversation.
    """
    counts = Counter(text.sender for text in texts)
    phones = sorted(phone for phone, n in counts.items() if n == 1)
    if not phones:
        return
    since, late_since = _windows(min(text.now for text in texts))
    found: dict[str, list[Row[Any]]] = {phone: [] for phone in phones}
    params = {"phones": phones, "since": since, "late_since": late_since}
    for row in db.session.connection().execute(_RECENT_MANY, params):
        found[row.address].append(row)
    batch.read[BATCH_KEY] = found


def conversation_of(text: InboundText) -> Found | None:
    """Return the conversation ``text`` belongs to: as its batch read it, else read now."""
    batch = text.batch
    known = batch.read.get(BATCH_KEY) if batch is not None else None
    if known is not None and text.sender in known:
        # Used once: after this text's answer the conversation has moved on.
        return _choose(known.pop(text.sender), text.now)
    return conversation_for(text.sender, text.now)
