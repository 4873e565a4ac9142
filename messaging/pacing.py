"""Quiet hours (Europe/London) and the SMS send rate."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from typing import Any

from app.periods import LONDON


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


# Pace a little under the configured rate so scheduling jitter never puts a second over it.
HEADROOM = 0.97
# The sliding window is a little over a second: on a busy machine a request may reach the
# provider tens of milliseconds after one that started later, and still must not share its second.
WINDOW_SECONDS = 1.05


class Pacer:
    """Hand out send slots at least 1/rate seconds apart, across every sender thread of this process."""

    # Texts go to a sender at their slot: the sliding window in admit() is the check there.
    lead = 0.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next = 0.0
        self._window_lock = threading.Lock()
        self._starts: deque[float] = deque()

    def reserve(self, rate: float) -> float:
        """Claim the next free slot and return its monotonic time (it may lie in the future)."""
        with self._lock:
            now = time.monotonic()
            slot = max(self._next, now)
            self._next = slot + (1.0 / (rate * HEADROOM) if rate > 0 else 0.0)
            return slot

    def wait(self, rate: float) -> float:
        """Sleep until the next slot and return its monotonic time."""
        slot = self.reserve(rate)
        sleep_until(slot)
        return slot

    def admit(self, rate: float, slot: float | None = None) -> float:
        """Block until a request may start with at most ``rate`` started in any window; return when.

        Called by each sender thread right before the provider call, so threads that start late
        and then send together still never put more than the rate into one second.
        """
        if rate <= 0:
            return time.monotonic()
        limit = max(1, int(rate))
        # The lock is held while sleeping: every other sender waits for the same oldest start.
        with self._window_lock:
            while True:
                now = time.monotonic()
                while self._starts and now - self._starts[0] >= WINDOW_SECONDS:
                    self._starts.popleft()
                if len(self._starts) < limit:
                    self._starts.append(now)
                    return now
                sleep_until(self._starts[0] + WINDOW_SECONDS)

    def pause(self, seconds: float) -> None:
        """Give out no slot for ``seconds`` (the provider asked every sender to slow down)."""
        with self._lock:
            self._next = max(self._next, time.monotonic() + seconds)

    def release(self) -> None:
        """Nothing to give back: slots in process memory are never reserved ahead."""


def sms_in_flight(config: Mapping[str, Any]) -> int:
    """Return how many texts may be in flight: enough for the rate at the expected provider latency."""
    configured = int(config.get("SMS_MAX_IN_FLIGHT", 0) or 0)
    if configured > 0:
        return configured
    rate = float(config.get("SMS_RATE_PER_SECOND", 10))
    latency = float(config.get("SMS_EXPECTED_LATENCY_SECONDS", 0.5))
    # Twice the steady-state need (rate x latency) absorbs slow answers without losing the rate.
    return max(2, min(128, math.ceil(rate * latency * 2)))


def sleep_until(moment: float) -> None:
    """Sleep until the monotonic time ``moment``."""
    delay = moment - time.monotonic()
    if delay > 0:
        time.sleep(delay)
