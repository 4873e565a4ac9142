"""Events on an activity, their bookings and the invitations sent for them."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Activity, Customer
from app.models.base import UTCDateTime, utcnow

BOOKED = "booked"
WAITING = "waiting"
CANCELLED = "cancelled"
WALK_IN = "walk-in"
BOOKING_STATUSES = (BOOKED, WAITING, CANCELLED, WALK_IN)
ACTIVE_STATUSES = (BOOKED, WAITING)


class Event(db.Model):
    """A dated event people book onto; attendance feeds the activity's ledger."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue: Mapped[str] = mapped_column(String(200), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int] = mapped_column(Integer, default=0)
    # Booked places, kept by atomic conditional UPDATEs so concurrent bookers never overfill.
    places_taken: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    waitlist: Mapped[bool] = mapped_column(Boolean, default=False)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sms_keyword: Mapped[str | None] = mapped_column(String(20), unique=True)
    max_places: Mapped[int] = mapped_column(Integer, default=6)
    reminder_minutes: Mapped[int] = mapped_column(Integer, default=24 * 60)
    online_viewers: Mapped[int | None] = mapped_column(Integer)
    register_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    activity: Mapped[Activity] = relationship()

    @property
    def places_left(self) -> int:
        """Places still free (never negative)."""
        return max(self.capacity - self.places_taken, 0)

    @property
    def booking_closes_at(self) -> datetime:
        """When booking stops: the set closing time, else the start."""
        return self.closes_at or self.starts_at

    @property
    def length_hours(self) -> Decimal:
        """The event's length in hours, for participation rows."""
        seconds = Decimal(int((self.ends_at - self.starts_at).total_seconds()))
        return (seconds / Decimal(3600)).quantize(Decimal("0.0001"))

    @property
    def reminder_due_at(self) -> datetime:
        """When reminders go out."""
        return self.starts_at - timedelta(minutes=self.reminder_minutes)

    def booking_state(self, now: datetime) -> str:
        """One of: not_open, closed, open, waitlist, full."""
        if self.opens_at and now < self.opens_at:
            return "not_open"
        if now >= self.booking_closes_at:
            return "closed"
        if self.places_left > 0:
            return "open"
        return "waitlist" if self.waitlist else "full"

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class Booking(db.Model):
    """A customer or guest holding (or waiting for) places at an event, or a walk-in."""

    __tablename__ = "event_bookings"
    __table_args__ = (
        Index("ix_event_bookings_event_status", "event_id", "status", "id"),
        # One live booking per customer per event, whatever races happen.
        Index(
            "uq_event_bookings_live_customer",
            "event_id",
            "customer_id",
            unique=True,
            sqlite_where=text("status IN ('booked', 'waiting') AND customer_id IS NOT NULL"),
            postgresql_where=text("status IN ('booked', 'waiting') AND customer_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(160), default="")
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    places: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default=BOOKED)
    source: Mapped[str] = mapped_column(String(20), default="web")
    # The channel the booker hears from us on: "sms" or "email".
    notify_channel: Mapped[str] = mapped_column(String(10), default="")
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    booked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    customer: Mapped[Customer | None] = relationship()

    @property
    def display_name(self) -> str:
        """The booker's name, or their contact when no name was given."""
        if self.customer is not None and self.customer.name:
            return self.customer.name
        return self.name or self.phone or self.email or f"Booking {self.id}"

    def contact(self, channel: str) -> str | None:
        """The booking's own phone or email, else the booked customer's on the register."""
        own = self.email if channel == "email" else self.phone if channel == "sms" else None
        if own or channel not in ("sms", "email") or self.customer is None:
            return own
        return self.customer.email if channel == "email" else self.customer.phone

    @property
    def address(self) -> str | None:
        """Where messages about this booking go, on its notify channel."""
        return self.contact(self.notify_channel)


class EventInvitation(db.Model):
    """A customer invited to an event, so a second send skips them."""

    __tablename__ = "event_invitations"
    __table_args__ = (UniqueConstraint("event_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
