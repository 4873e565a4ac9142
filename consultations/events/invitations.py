"""Invitations to an event, by SMS and email, to an audience; nobody is invited twice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from app.extensions import db
from app.models.audit import record
from consultations.audiences import AudienceSpec, Recipient, plan_audience
from consultations.events import notices
from consultations.events.models import Event, EventInvitation
from consultations.events.services import lock_event
from messaging.api import NewMessage, enqueue_many, with_opt_out

# Stands in for each recipient's greeting in the email rendered once per send.
_GREETING = "@@GREETING@@"


class InvitationError(ValueError):
    """Invitations cannot be sent as asked (the message says why)."""


class InvitationsClosed(InvitationError):
    """The event has started, so no invitation can be sent however the form is filled in."""


@dataclass(frozen=True)
class InvitationResult:
    """What a send did."""

    queued: int
    suppressed: int
    already_invited: int
    skipped: dict[str, int]


def sms_invitation(event: Event, first_name: str) -> str:
    """The invitation text."""
    hello = f"Hi {first_name}, you" if first_name else "You"
    text = f"{hello}'re invited to {event.title}, {notices.short_when(event)}"
    text += f" at {event.venue}." if event.venue else "."
    if event.sms_keyword:
        return with_opt_out(text + f" Reply JOIN {event.sms_keyword} to book.")
    return with_opt_out(text + f" Book at {notices.event_url(event)}")


def _greeting(first_name: str) -> str:
    return f"Hello {first_name}," if first_name else "Hello,"


def _email_body(event: Event, greeting: str) -> str:
    return notices.email_text("invitation", event, greeting=greeting, link=notices.event_url(event))


def email_invitation(event: Event, first_name: str) -> tuple[str, str]:
    """The invitation email's subject and plain-text body."""
    return f"Invitation: {event.title}", _email_body(event, _greeting(first_name))


def _message(event: Event, recipient: Recipient, email_body: str) -> NewMessage:
    common: dict[str, Any] = {
        "customer_id": recipient.customer_id,
        "activity_id": event.activity_id,
        "topic": f"event:{event.id}",
        "ref": f"invitation:event:{event.id}",
        "purpose": "invitation",
    }
    if recipient.channel == "sms":
        return NewMessage(to=recipient.address, body=sms_invitation(event, recipient.first_name), **common)
    body = email_body.replace(_GREETING, _greeting(recipient.first_name), 1)
    subject = f"Invitation: {event.title}"
    return NewMessage(to=recipient.address, body=body, subject=subject, list_unsubscribe=True, **common)


def invite(
    event: Event,
    spec: AudienceSpec,
    channels: Sequence[str],
    *,
    now: datetime,
    actor: Any = None,
    preference: Sequence[str] = ("sms", "email"),
) -> InvitationResult:
    """Queue invitations for everyone in the audience not invited before; flushes, the caller commits."""
    if now >= event.starts_at:
        raise InvitationsClosed("This event has started; invitations can no longer be sent.")
    if not [c for c in channels if c in ("sms", "email")]:
        raise InvitationError("Choose at least one channel: text message or email.")
    lock_event(event.id)
    plan = plan_audience(spec, channels, preference)
    invited = set(
        db.session.scalars(select(EventInvitation.customer_id).where(EventInvitation.event_id == event.id))
    )
    fresh = [r for r in plan.recipients if r.customer_id not in invited]
    queued = suppressed = 0
    # Rendered once and filled per recipient: a template render per person is the slow part.
    email_body = _email_body(event, _GREETING)
    for channel in ("sms", "email"):
        batch = [_message(event, r, email_body) for r in fresh if r.channel == channel]
        if batch:
            result = enqueue_many(channel, batch, now=now)
            queued += result.queued
            suppressed += result.suppressed
    if fresh:
        db.session.execute(
            insert(EventInvitation),
            [
                {"event_id": event.id, "customer_id": r.customer_id, "channel": r.channel, "created_at": now}
                for r in fresh
            ],
        )
    summary = InvitationResult(queued, suppressed, len(plan.recipients) - len(fresh), dict(plan.skipped))
    record(
        "event.invited",
        actor=actor,
        target_type="event",
        target_id=event.id,
        now=now,
        detail={
            "audience": spec.to_json(),
            "channels": list(channels),
            "queued": queued,
            "suppressed": suppressed,
            "already_invited": summary.already_invited,
        },
    )
    db.session.flush()
    return summary


def invitations_sent(event: Event) -> int:
    """Return how many customers have been invited to the event."""
    return len(
        db.session.scalars(select(EventInvitation.id).where(EventInvitation.event_id == event.id)).all()
    )
