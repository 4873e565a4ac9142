"""Personal data in messages, survey answers and event bookings: erase, export, purge; the retention sweeper."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import ColumnElement, and_, func, or_, select, update

from app.extensions import db
from app.models import Customer
from app.models.audit import record
from app.privacy.registry import PersonalData, register_personal_data
from app.privacy.retention import purge_expired, retention_days
from consultations.events.models import Booking, Event
from consultations.surveys.models import LIVE_INVITATION, Answer, Consultation, Invitation, Question, Response
from consultations.surveys.qtypes import TYPES
from messaging.api import DevEmail, InboundMessage, OutboundMessage
from messaging.scheduler import register_sweeper

UNSENT = ("queued", "sending")


def _run(statement: Any) -> int:
    return int(db.session.execute(statement.execution_options(synchronize_session=False)).rowcount or 0)


def _to_them(customer: Customer) -> ColumnElement[bool]:
    """Outbound rows about this customer: linked by id, or unlinked but sent to their phone or email."""
    addresses = [a.lower() for a in (customer.phone, customer.email) if a]
    linked = OutboundMessage.customer_id == customer.id
    if not addresses:
        return linked
    loose = and_(OutboundMessage.customer_id.is_(None), func.lower(OutboundMessage.to_address).in_(addresses))
    return or_(linked, loose)


def erase_outbound(customer: Customer, now: datetime) -> int:
    """Blank the bodies and addresses of messages to the customer; nothing still queued goes out."""
    mine = select(OutboundMessage.id).where(_to_them(customer)).scalar_subquery()
    _run(update(DevEmail).where(DevEmail.outbound_id.in_(mine)).values(to_address="", subject="", raw=""))
    _run(
        update(OutboundMessage)
        .where(OutboundMessage.id.in_(mine), OutboundMessage.status == "queued")
        .values(status="suppressed")
    )
    return _run(
        update(OutboundMessage)
        .where(_to_them(customer))
        .values(to_address="", subject="", body="", html=None, error_message=None)
    )


def export_outbound(customer: Customer) -> list[dict[str, Any]]:
    """List the messages sent to the customer."""
    rows = db.session.scalars(select(OutboundMessage).where(_to_them(customer)).order_by(OutboundMessage.id))
    return [
        {
            "created_at": m.created_at,
            "channel": m.channel,
            "to": m.to_address,
            "subject": m.subject,
            "body": m.body,
            "status": m.status,
        }
        for m in rows
    ]


def purge_outbound(cutoff: datetime) -> int:
    """Blank the bodies of messages older than ``cutoff`` that are no longer waiting to go."""
    _run(update(DevEmail).where(DevEmail.created_at < cutoff, DevEmail.raw != "").values(raw=""))
    return _run(
        update(OutboundMessage)
        .where(
            OutboundMessage.created_at < cutoff,
            OutboundMessage.status.not_in(UNSENT),
            or_(OutboundMessage.body != "", OutboundMessage.html.is_not(None)),
        )
        .values(body="", html=None)
    )


def _from_them(customer: Customer) -> ColumnElement[bool]:
    linked = InboundMessage.customer_id == customer.id
    if not customer.phone:
        return linked
    return or_(
        linked, and_(InboundMessage.customer_id.is_(None), InboundMessage.from_number == customer.phone)
    )


def erase_inbound(customer: Customer, now: datetime) -> int:
    """Blank the texts the customer sent and the number they came from."""
    return _run(update(InboundMessage).where(_from_them(customer)).values(body="", from_number=""))


def export_inbound(customer: Customer) -> list[dict[str, Any]]:
    """List the texts the customer sent."""
    rows = db.session.scalars(select(InboundMessage).where(_from_them(customer)).order_by(InboundMessage.id))
    return [{"received_at": m.received_at, "from": m.from_number, "body": m.body} for m in rows]


def purge_inbound(cutoff: datetime) -> int:
    """Blank the bodies of texts received before ``cutoff``."""
    return _run(
        update(InboundMessage)
        .where(InboundMessage.received_at < cutoff, InboundMessage.body != "")
        .values(body="")
    )


def _their_responses(customer: Customer) -> Any:
    invited = select(Invitation.id).where(Invitation.customer_id == customer.id)
    return select(Response.id).where(
        or_(Response.customer_id == customer.id, Response.invitation_id.in_(invited))
    )


FREE_TEXT = select(Question.id).where(Question.type.in_([t.name for t in TYPES.values() if t.free_text]))


def erase_answers(customer: Customer, now: datetime) -> int:
    """Blank free-text answers and the raw replies of the customer's responses; end live conversations."""
    _run(
        update(Invitation)
        .where(Invitation.customer_id == customer.id, Invitation.status.in_(LIVE_INVITATION))
        .values(status="ended")
    )
    _run(update(Invitation).where(Invitation.customer_id == customer.id).values(address=""))
    mine = Answer.response_id.in_(_their_responses(customer))
    _run(update(Answer).where(mine, Answer.question_id.in_(FREE_TEXT)).values(value=""))
    return _run(update(Answer).where(mine).values(raw=""))


def export_answers(customer: Customer) -> list[dict[str, Any]]:
    """List the customer's answers, question by question."""
    rows = db.session.execute(
        select(
            Consultation.title,
            Response.channel,
            Question.text,
            Answer.value,
            Answer.skipped,
            Answer.created_at,
        )
        .join(Response, Response.id == Answer.response_id)
        .join(Consultation, Consultation.id == Response.consultation_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id.in_(_their_responses(customer)))
        .order_by(Response.id, Question.position)
    )
    return [
        {
            "consultation": title,
            "channel": channel,
            "question": text,
            "answer": "(skipped)" if skipped else value,
            "answered_at": at,
        }
        for title, channel, text, value, skipped, at in rows
    ]


def purge_answers(cutoff: datetime) -> int:
    """Blank free-text answers and raw replies given before ``cutoff``."""
    old = Answer.created_at < cutoff
    texts = _run(
        update(Answer).where(old, Answer.question_id.in_(FREE_TEXT), Answer.value != "").values(value="")
    )
    raws = _run(update(Answer).where(old, Answer.raw != "").values(raw=""))
    return max(texts, raws)


def _their_bookings(customer: Customer) -> ColumnElement[bool]:
    linked = Booking.customer_id == customer.id
    loose = [Booking.phone == customer.phone] if customer.phone else []
    if customer.email:
        loose.append(func.lower(Booking.email) == customer.email.lower())
    return or_(linked, and_(Booking.customer_id.is_(None), or_(*loose))) if loose else linked


def erase_bookings(customer: Customer, now: datetime) -> int:
    """Blank the names and contacts on the customer's event bookings; places and attendance stay."""
    return _run(update(Booking).where(_their_bookings(customer)).values(name="", phone=None, email=None))


def export_bookings(customer: Customer) -> list[dict[str, Any]]:
    """List the customer's event bookings."""
    rows = db.session.execute(
        select(Event.title, Event.starts_at, Booking)
        .join(Event, Event.id == Booking.event_id)
        .where(_their_bookings(customer))
        .order_by(Booking.id)
    )
    return [
        {
            "event": title,
            "starts_at": starts,
            "name": b.name,
            "phone": b.phone,
            "email": b.email,
            "places": b.places,
            "status": b.status,
            "attended": b.attended,
        }
        for title, starts, b in rows
    ]


def purge_bookings(cutoff: datetime) -> int:
    """Blank names and contacts on bookings for events that ended before ``cutoff``; places stay."""
    # Rows, places, statuses and attendance stay: the register and the report count them.
    ended = select(Event.id).where(Event.ends_at < cutoff)
    named = or_(Booking.name != "", Booking.phone.is_not(None), Booking.email.is_not(None))
    return _run(
        update(Booking).where(Booking.event_id.in_(ended), named).values(name="", phone=None, email=None)
    )


def retention_job(now: datetime) -> int:
    """Purge personal text past RETENTION_DAYS, at most once per RETENTION_SWEEP_MINUTES; commits."""
    state = current_app.extensions.setdefault("involve_retention", {})
    every = timedelta(minutes=int(current_app.config.get("RETENTION_SWEEP_MINUTES", 60)))
    last = state.get("last")
    if last is not None and last <= now < last + every:
        return 0
    days = retention_days()
    done = purge_expired(now, days)
    if any(done.values()):
        record("privacy.purge", detail={"days": days, **done}, now=now)
    db.session.commit()
    state["last"] = now
    return sum(done.values())


def init_app(app: Flask) -> None:
    """Register the places that hold personal data and the retention sweeper."""
    for place in (
        PersonalData("outbound_messages", erase_outbound, export_outbound, purge_outbound),
        PersonalData("inbound_messages", erase_inbound, export_inbound, purge_inbound),
        PersonalData("survey_answers", erase_answers, export_answers, purge_answers),
        PersonalData("event_bookings", erase_bookings, export_bookings, purge_bookings),
    ):
        register_personal_data(app, place)
    register_sweeper(app, "privacy-retention", retention_job, seconds=60)
