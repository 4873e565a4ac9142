"""Builders for the event tests: an event a set time from now, and customers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.periods import LONDON
from consultations.events.definitions import save_definition
from consultations.events.models import Event
from messaging.models import OutboundMessage

NOW = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)


def local(value: datetime) -> str:
    """Return ``value`` as the naive Europe/London text a definition holds."""
    return value.astimezone(LONDON).replace(tzinfo=None).isoformat(timespec="minutes")


@pytest.fixture
def make_event(app: Flask) -> Callable[..., Event]:
    """Create (and commit) an event starting ``days`` after ``base`` (NOW by default)."""

    def make(
        *, slug: str = "big-get-together", capacity: int = 10, waitlist: bool = True, days: float = 10,
        base: datetime | None = None, **fields: Any,
    ) -> Event:  # fmt: skip
        start = (base or NOW) + timedelta(days=days)
        data = {
            "slug": slug, "title": "The Big Get Together", "activity": "The Big Get Together",
            "starts_at": local(start), "ends_at": local(start + timedelta(hours=4)), "venue": "Derby Assembly Rooms",
            "capacity": capacity, "waitlist": waitlist, "sms_keyword": "BGT",
        }  # fmt: skip
        data.update(fields)
        event, _ = save_definition(data, now=base or NOW)
        db.session.commit()
        return event

    return make


@pytest.fixture
def live_event(make_event: Callable[..., Event]) -> Callable[..., Event]:
    """Create an event relative to the real clock (for pages, which read the time themselves)."""

    def make(**fields: Any) -> Event:
        return make_event(base=utcnow(), **fields)

    return make


def outbox(topic: str | None = None, **filters: Any) -> list[OutboundMessage]:
    """Return queued messages, oldest first."""
    query = select(OutboundMessage).order_by(OutboundMessage.id)
    if topic:
        query = query.where(OutboundMessage.topic == topic)
    for key, value in filters.items():
        query = query.where(getattr(OutboundMessage, key) == value)
    return list(db.session.scalars(query))
