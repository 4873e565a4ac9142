"""Outbound and inbound messages, the suppression list and the development email outbox."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

STATUSES = ("queued", "sending", "sent", "delivered", "undelivered", "failed", "unknown", "suppressed")
FINAL_STATUSES = ("delivered", "undelivered", "failed", "suppressed")


class OutboundMessage(db.Model):
    """One SMS or email in the outbox, from queueing to the provider's last word."""

    __tablename__ = "outbound_messages"
    __table_args__ = (
        # The dispatcher's question: what is queued and due, oldest first.
        Index("ix_outbound_messages_due", "status", "next_attempt_at"),
        Index("ix_outbound_messages_to_address", "to_address"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    to_address: Mapped[str] = mapped_column(String(254))
    body: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    html: Mapped[str | None] = mapped_column(Text)
    list_unsubscribe: Mapped[bool] = mapped_column(default=False)
    # Email files as [{"filename", "content_type", "data" (base64)}] (messaging.attachments); None when none.
    attachments: Mapped[list[dict[str, str]] | None] = mapped_column(JSON(none_as_null=True))
    status: Mapped[str] = mapped_column(String(12), default="queued")
    topic: Mapped[str] = mapped_column(String(80), default="", index=True)
    ref: Mapped[str] = mapped_column(String(80), default="")
    purpose: Mapped[str] = mapped_column(String(40), default="")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    segments: Mapped[int] = mapped_column(Integer, default=0)
    encoding: Mapped[str] = mapped_column(String(8), default="")
    estimated_cost: Mapped[Decimal] = mapped_column(Numeric(12, 4, asdecimal=True), default=Decimal(0))
    provider_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set (and committed) just before the provider is called: a claimed message without it never left.
    attempt_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_code: Mapped[str | None] = mapped_column(String(20))
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<OutboundMessage {self.id} {self.channel} {self.status}>"


class InboundMessage(db.Model):
    """A text a customer sent us; the MessageSid makes a repeated webhook harmless."""

    __tablename__ = "inbound_messages"
    # The texts the clock has still to handle, oldest first, without reading the handled ones.
    __table_args__ = (
        Index(
            "ix_inbound_messages_pending",
            "id",
            sqlite_where=text("handled_at IS NULL"),
            postgresql_where=text("handled_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_sid: Mapped[str] = mapped_column(String(64), unique=True)
    from_number: Mapped[str] = mapped_column(String(40), index=True)
    to_number: Mapped[str] = mapped_column(String(40), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    handled_by: Mapped[str | None] = mapped_column(String(80))
    # None while the text waits for the clock; a text handled by nobody is then in the staff inbox.
    # Rows written by anything but the webhook (a marker, an import) are handled as they are stored.
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    # Twilio's OptOutType (STOP, START, HELP) on its own numbers, kept for the handlers.
    opt_out_type: Mapped[str] = mapped_column(String(20), default="", server_default="")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<InboundMessage {self.message_sid} from {self.from_number}>"


class Suppression(db.Model):
    """An address that must never be sent to on a channel (opt-out, unsubscribe, undeliverable)."""

    __tablename__ = "suppressions"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DevEmail(db.Model):
    """An email the development outbox kept instead of sending, exactly as it would have gone."""

    __tablename__ = "dev_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbound_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_messages.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300), default="")
    raw: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SweeperRun(db.Model):
    """The last run of one scheduler sweeper, so any process (the web server too) can show the clock's health."""

    __tablename__ = "scheduler_runs"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_done: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    runs: Mapped[int] = mapped_column(Integer, default=0)
    # hostname:pid of the process whose clock ran it last.
    process: Mapped[str] = mapped_column(String(120), default="")


class SendRateLimit(db.Model):
    """The next free send slot of a channel, shared by every dispatcher on PostgreSQL (messaging.shared_pacing)."""

    __tablename__ = "send_rate_limits"

    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    # Seconds since the epoch on the database server's clock, the one clock every host agrees on.
    next_slot_at: Mapped[float] = mapped_column(Float, default=0.0)
