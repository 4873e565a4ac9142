"""The reminder sweeper: texts and emails a set time before each event, each one exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.extensions import db
from consultations.events import notices
from consultations.events.models import BOOKED, Booking, Event

# Reminders can be set up to 30 days ahead (definitions allow at most 720 hours).
LOOKAHEAD = timedelta(days=30)


def send_reminders(now: datetime) -> int:
    """Queue reminders that are due; claim each booking atomically so a rerun sends nothing twice."""
    events = db.session.scalars(
        select(Event).where(
            Event.starts_at > now, Event.starts_at <= now + LOOKAHEAD, Event.reminder_minutes > 0
        )
    ).all()
    sent = 0
    for event in events:
        due_at = event.reminder_due_at
        if due_at > now:
            continue
        candidates = db.session.scalars(
            select(Booking.id).where(
                Booking.event_id == event.id,
                Booking.status == BOOKED,
                Booking.reminder_sent_at.is_(None),
                # Someone who booked after the reminder time has just had their confirmation.
                Booking.booked_at <= due_at,
            )
        ).all()
        for booking_id in candidates:
            claimed = db.session.execute(
                update(Booking)
                .where(Booking.id == booking_id, Booking.reminder_sent_at.is_(None), Booking.status == BOOKED)
                .values(reminder_sent_at=now)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:
                continue
            booking = db.session.get(Booking, booking_id)
            if booking is not None:
                db.session.refresh(booking)
                notices.booking_reminder(booking, now=now)
                sent += 1
    db.session.commit()
    return sent
