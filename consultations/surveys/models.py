"""Consultations (surveys), their questions, invitations, responses and answers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Activity, Customer, StaffUser
from app.models.base import UTCDateTime, utcnow

# Consultation statuses, in the order a consultation moves through them.
DRAFT, SCHEDULED, OPEN, CLOSED = "draft", "scheduled", "open", "closed"
STATUSES = (DRAFT, SCHEDULED, OPEN, CLOSED)
# Invitation statuses: invited (sent, no answer yet), started (part-way through an SMS
# conversation), completed, ended (stopped after unreadable replies), expired (went quiet),
# closed (the consultation closed first).
INVITED, STARTED, COMPLETED, ENDED, EXPIRED = "invited", "started", "completed", "ended", "expired"
LIVE_INVITATION = (INVITED, STARTED)
# Response statuses: started, completed, or incomplete (the consultation closed or the
# conversation went quiet part-way).
INCOMPLETE = "incomplete"
RESPONSE_CHANNELS = ("sms", "email", "web", "post", "phone", "in person")


class Consultation(db.Model):
    """A survey run by SMS conversation and/or emailed link, feeding one activity."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    channel_preference: Mapped[list[str]] = mapped_column(JSON, default=list)
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    web_link: Mapped[bool] = mapped_column(Boolean, default=False)
    intro: Mapped[str] = mapped_column(Text, default="")
    thanks: Mapped[str] = mapped_column(Text, default="Thank you!")
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_after_hours: Mapped[float | None] = mapped_column(Float)
    max_reminders: Mapped[int] = mapped_column(Integer, default=0)
    minutes_per_response: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal(5))
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    launched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invited_count: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # The random sample drawn at launch, or earlier by the TSM page (size, seed, stratify, population,
    # drawn, by_stratum), to explain it.
    sample_record: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    activity: Mapped[Activity] = relationship()
    questions: Mapped[list[Question]] = relationship(
        back_populates="consultation", order_by="Question.position", cascade="all, delete-orphan"
    )

    @property
    def topic(self) -> str:
        """Return the outbox topic of this consultation's messages."""
        return f"consultation:{self.id}"

    @property
    def sample_summary(self) -> str | None:
        """Say how the audience is sampled: the stored draw once launched, else the settings."""
        from consultations.sampling import describe_record, describe_spec

        if self.sample_record:
            return describe_record(self.sample_record)
        spec = (self.audience or {}).get("sample")
        return describe_spec(spec) if spec and not self.launched else None

    @property
    def launched(self) -> bool:
        """Return True once invitations have been written."""
        return self.launched_at is not None

    def __repr__(self) -> str:
        return f"<Consultation {self.slug}>"


class Question(db.Model):
    """One question of a consultation, in order."""

    __tablename__ = "survey_questions"
    __table_args__ = (UniqueConstraint("consultation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    key: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(20))
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_value: Mapped[int | None] = mapped_column(Integer)
    max_value: Mapped[int | None] = mapped_column(Integer)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    # Routing: {"key": earlier question's key, "in": [answers]}; asked only when that answer is one of them.
    ask_if: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    consultation: Mapped[Consultation] = relationship(back_populates="questions")


class Invitation(db.Model):
    """One customer invited through one channel; for SMS it also holds the conversation state."""

    __tablename__ = "survey_invitations"
    __table_args__ = (
        Index("ix_survey_invitations_consultation_status", "consultation_id", "status"),
        Index("ix_survey_invitations_channel_address", "channel", "address"),
        # "Not contacted in the last N days" looks up each customer's latest invitation.
        Index("ix_survey_invitations_customer_sent", "customer_id", "last_sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=INVITED)
    # SMS conversation: the question being asked and unreadable replies to it.
    position: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    reprompts: Mapped[int] = mapped_column(Integer, default=0)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A staff member trying the conversation in the simulator: never counted or reported.
    is_test: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped first thing by every reply so two replies to one conversation run one after the other.
    lock_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    consultation: Mapped[Consultation] = relationship()
    customer: Mapped[Customer | None] = relationship()


class InvitationLink(db.Model):
    """A further personal link sent in a reminder; the first link's hash lives on the invitation."""

    __tablename__ = "survey_invitation_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("survey_invitations.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Response(db.Model):
    """One person's answers to a consultation, however they came in."""

    __tablename__ = "survey_responses"
    __table_args__ = (Index("ix_survey_responses_consultation_status", "consultation_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("survey_invitations.id"), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default=STARTED)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    # Responses imported from a file: "import:<file digest>:<row>", so one file loads once.
    source_key: Mapped[str | None] = mapped_column(String(120), unique=True)

    consultation: Mapped[Consultation] = relationship()
    customer: Mapped[Customer | None] = relationship()
    entered_by: Mapped[StaffUser | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class Answer(db.Model):
    """The answer to one question within a response."""

    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id"), index=True)
    value: Mapped[str] = mapped_column(Text, default="")
    number: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    option_index: Mapped[int | None] = mapped_column(Integer)
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    raw: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


def real_responses() -> Any:
    """Return the condition that keeps out responses to trial conversations (never counted or reported)."""
    trials = select(Invitation.id).where(Invitation.is_test.is_(True))
    return or_(Response.invitation_id.is_(None), Response.invitation_id.not_in(trials))
