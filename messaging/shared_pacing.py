"""The send rate held in PostgreSQL, so every dispatcher process on every host shares one limit.

One row per channel holds the next free send slot, in seconds on the database server's clock (the
one clock every host agrees on). A dispatcher reserves a short run of slots 1/rate apart with one
conditional ``UPDATE ... RETURNING``, maps them onto its own monotonic clock and hands them to its
sender threads. Slots are therefore spaced across all processes, and a sender that reaches its slot
too late gives it up and takes a fresh one, so bunched late starts can never fill a second.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from sqlalchemy import Engine, text

from messaging.pacing import HEADROOM, sleep_until

# One round trip reserves a fifth of a second of slots: the row is touched a few times a second
# per dispatcher, never once per text.
BATCH_SECONDS = 0.2
# Slots are 1/(0.97 x rate) apart, so requests that each start within 30 ms of their slot never
# put more than the rate into any one-second window (0.97 x 1.03 < 1). Later than that: a new slot.
LATE_SECONDS = 0.03
# However slow the database's answers, a slot may be used this late (else no slot could ever be).
MIN_ALLOWANCE = 0.005
# Fresh slots a sender tries before it gives its text back to the queue.
RETRIES = 20

_ENSURE = text(
    "INSERT INTO send_rate_limits (channel, next_slot_at) VALUES (:channel, 0) ON CONFLICT DO NOTHING"
)
# statement_timestamp() is one instant for the whole statement: the slot and "now" agree.
_RESERVE = text(
    "UPDATE send_rate_limits SET next_slot_at = GREATEST(next_slot_at,"
    " CAST(EXTRACT(EPOCH FROM statement_timestamp()) AS double precision)) + :span"
    " WHERE channel = :channel"
    " RETURNING next_slot_at, CAST(EXTRACT(EPOCH FROM statement_timestamp()) AS double precision) AS now"
)
_PAUSE = text(
    "UPDATE send_rate_limits SET next_slot_at = GREATEST(next_slot_at,"
    " CAST(EXTRACT(EPOCH FROM statement_timestamp()) AS double precision) + :seconds)"
    " WHERE channel = :channel"
)
# Give unused slots back only when nobody has reserved after us (the row still ends where we left it).
_GIVE_BACK = text(
    "UPDATE send_rate_limits SET next_slot_at = :unused WHERE channel = :channel AND next_slot_at = :end"
)


class SharedPacer:
    """Hand out send slots from the PostgreSQL row of ``channel``, shared by every process."""

    # The dispatcher hands a text to its sender this long before the slot, so the sender is already
    # waiting when the slot comes instead of waking up late for it.
    lead = 0.1

    def __init__(self, engine: Engine, channel: str = "sms") -> None:
        self._engine = engine
        self._channel = channel
        self._lock = threading.Lock()
        # (local monotonic time, database time) of each reserved slot not yet handed out.
        self._slots: deque[tuple[float, float]] = deque()
        self._end = 0.0
        self._allowance = LATE_SECONDS
        self._offset, self._rtt = 0.0, float("inf")
        self._paused_until = 0.0

    def _fetch(self, rate: float) -> None:
        spacing = 1.0 / (rate * HEADROOM)
        count = max(1, int(rate * BATCH_SECONDS))
        params = {"channel": self._channel, "span": count * spacing}
        with self._engine.begin() as conn:
            asked = time.monotonic()
            row = conn.execute(_RESERVE, params).first()
            if row is None:
                # First use of this database (or the tables were emptied): create the row once.
                conn.execute(_ENSURE, {"channel": self._channel})
                asked = time.monotonic()
                row = conn.execute(_RESERVE, params).one()
            answered = time.monotonic()
        end, db_now = float(row.next_slot_at), float(row.now)
        self._learn_offset(db_now, asked, answered)
        first = end - count * spacing
        self._end = end
        self._slots.clear()
        for i in range(count):
            at = first + i * spacing
            self._slots.append((at - self._offset, at))

    def _learn_offset(self, db_now: float, asked: float, answered: float) -> None:
        """Keep the database clock minus ours, as measured by the quickest round trip so far."""
        rtt = answered - asked
        offset = db_now - (asked + answered) / 2
        # The database's "now" lies within the round trip, so a quick one pins the offset closely;
        # a sample outside the best one's error bars means a clock was stepped: start again from it.
        stepped = abs(offset - self._offset) > (rtt + self._rtt) / 2
        if rtt < self._rtt or stepped:
            self._offset, self._rtt = offset, rtt
        # The mapping may err by half the best round trip; that comes off how late a slot may be used.
        self._allowance = max(MIN_ALLOWANCE, LATE_SECONDS - self._rtt / 2)

    def reserve(self, rate: float) -> float:
        """Take the next slot of this process's run (reserving another run when spent); return its monotonic time."""
        with self._lock:
            now = time.monotonic()
            while self._slots and self._slots[0][0] + self._allowance < now:
                self._slots.popleft()
            if not self._slots:
                self._fetch(rate)
            return self._slots.popleft()[0]

    def admit(self, rate: float, slot: float | None = None) -> float:
        """Wait for ``slot`` and return the start time; a slot missed by too much is swapped for a new one."""
        if slot is None:
            slot = self.reserve(rate)
        for _ in range(RETRIES):
            sleep_until(slot)
            if slot < self._paused_until - LATE_SECONDS:
                # Handed out before a pause this process asked for (while it waited): the provider said wait.
                slot = self.reserve(rate)
                continue
            now = time.monotonic()
            if now - slot <= self._allowance:
                break
            slot = self.reserve(rate)
        else:
            # Never sent late: the text goes back in the queue (SenderPool) and a later run sends it.
            raise RuntimeError(f"no send slot could be used on time in {RETRIES} tries")
        return now

    def pause(self, seconds: float) -> None:
        """Give out no slot, in any process, for ``seconds`` (the provider said slow down)."""
        with self._lock:
            self._slots.clear()
            self._paused_until = time.monotonic() + seconds
            with self._engine.begin() as conn:
                conn.execute(_PAUSE, {"channel": self._channel, "seconds": seconds})

    def release(self) -> None:
        """Give this process's unused slots back, when no other process has reserved after them."""
        with self._lock:
            if not self._slots:
                return
            unused = self._slots[0][1]
            self._slots.clear()
            with self._engine.begin() as conn:
                conn.execute(_GIVE_BACK, {"channel": self._channel, "unused": unused, "end": self._end})
