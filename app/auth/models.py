"""Sign-in attempts and the failure counters that throttle guesses across workers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class LoginAttempt(db.Model):
    """One attempt to sign in, successful or not."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(64), default="")
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginCounter(db.Model):
    """Sign-in attempts charged to one bucket (an account and address, an address, an account) in a window."""

    __tablename__ = "login_counters"

    # The bucket's kind and a hash of its email and/or address: the table holds no addresses itself.
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    # Seconds since the epoch when the window (and any lock it holds) ends.
    expires_at: Mapped[float] = mapped_column(Float, index=True)
