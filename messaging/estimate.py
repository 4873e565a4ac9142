"""How long a bulk send will take: finish time in UK time and the quiet hours that pause it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.periods import LONDON
from messaging.models import OutboundMessage
from messaging.pacing import parse_quiet_hours, quiet_until

# Statuses as staff read them while a send runs.
PROGRESS = ("queued", "sending", "sent", "delivered", "failed")


@dataclass(frozen=True)
class SendingEstimate:
    """Texts, rate, when sending should finish (UK time) and the quiet-hours pauses on the way."""

    texts: int
    rate: float
    finishes_at: datetime
    pauses: list[tuple[datetime, datetime]] = field(default_factory=list)

    @property
    def sending_seconds(self) -> float:
        """Return the time spent sending, pauses excluded."""
        return self.texts / self.rate if self.rate > 0 else 0.0


def estimate_sending(count: int, now: datetime, settings: Mapping[str, Any]) -> SendingEstimate:
    """Estimate when ``count`` texts queued at ``now`` will all have gone, at the configured rate."""
    rate = float(settings.get("SMS_RATE_PER_SECOND", 10))
    window = parse_quiet_hours(settings.get("SMS_QUIET_HOURS", ""))
    remaining = count / rate if rate > 0 else 0.0
    moment, pauses = now, []
    for _ in range(400):  # a year of nights at most
        until = quiet_until(window, moment)
        if until is not None:
            pauses.append((moment.astimezone(LONDON), until.astimezone(LONDON)))
            moment = until
            continue
        quiet_start = _next_quiet_start(window, moment)
        if quiet_start is None or (quiet_start - moment).total_seconds() >= remaining:
            moment += timedelta(seconds=remaining)
            break
        remaining -= (quiet_start - moment).total_seconds()
        moment = quiet_start
    return SendingEstimate(count, rate, moment.astimezone(LONDON), pauses)


def _next_quiet_start(window: Any, moment: datetime) -> datetime | None:
    """Return when the next quiet hours begin after ``moment`` (not itself quiet), or None."""
    if window is None:
        return None
    start = window[0]
    local = moment.astimezone(LONDON)
    candidate = datetime.combine(local.date(), start, tzinfo=LONDON)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), start, tzinfo=LONDON)
    return candidate


def progress_by_topic(topic: str) -> dict[str, int]:
    """Count a topic's messages as queued / sending / sent / delivered / failed (one grouped query)."""
    rows = db.session.execute(
        select(OutboundMessage.status, func.count())
        .where(OutboundMessage.topic == topic)
        .group_by(OutboundMessage.status)
    ).all()
    found = dict(rows)
    counts = {name: int(found.get(name, 0)) for name in PROGRESS}
    # Undelivered, unknown and suppressed texts did not reach the customer: staff read them as failed.
    counts["failed"] += sum(int(found.get(name, 0)) for name in ("undelivered", "unknown", "suppressed"))
    return counts
