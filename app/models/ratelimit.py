"""Rate-limit counters kept in the database, so every web worker sees the same counts."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class RateLimitCounter(db.Model):
    """One fixed-window counter: how many hits a key has had until the window expires."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    # Seconds since the epoch, as the rate-limit library counts time.
    expires_at: Mapped[float] = mapped_column(Float, index=True)
