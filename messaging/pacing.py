"""Quiet hours (Europe/London) and the SMS send rate."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class QuietHoursError(ValueError):
    """SMS_QUIET_HOURS is not of the form HH:MM-HH:MM."""


def parse_quiet_hours(text: str) -> tuple[clock, clock] | None:
    """Parse "21:00-09:00" into two clock times; empty means no quiet hours."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        start_text, end_text = text.split("-")
        start, end = clock.fromisoformat(start_text.strip()), clock.fromisoformat(end_text.strip())
    except ValueError as exc:
        raise QuietHoursError(f"SMS_QUIET_HOURS must look like 21:00-09:00, not {text!r}") from exc
    return None if start == end else (start, end)


def quiet_until(window: tuple[clock, clock] | None, now: datetime) -> datetime | None:
    """Return when the quiet hours around ``now`` end (UTC), or None when ``now`` is not quiet."""
    if window is None:
        return None
    start, end = window
    local = now.astimezone(LONDON)
    t = local.time().replace(tzinfo=None)
    if start < end:
        quiet, end_day = start <= t < end, local.date()
    elif t >= start:
        # Across midnight, evening side: quiet ends tomorrow morning.
        quiet, end_day = True, local.date() + timedelta(days=1)
    else:
        quiet, end_day = t < end, local.date()
    if not quiet:
        return None
    return datetime.combine(end_day, end, tzinfo=LONDON).astimezone(UTC)


class Pacer:
    """Space sends at least 1/rate seconds apart, across every dispatch run in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0.0

    def wait(self, rate: float) -> float:
        """Sleep until the next send is allowed, claim that slot and return its monotonic time."""
        if rate <= 0:
            return time.monotonic()
        with self._lock:
            gap = 1.0 / rate
            delay = self._last + gap - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._last = time.monotonic()
            return self._last
