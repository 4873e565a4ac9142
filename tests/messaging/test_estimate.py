"""The sending estimate: finish time in UK time, paused by quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime

from app.extensions import db
from app.periods import LONDON
from messaging.api import NewMessage, enqueue_many, estimate_sending, progress_by_topic


def test_no_quiet_hours_is_count_over_rate() -> None:
    now = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    est = estimate_sending(50_000, now, {"SMS_RATE_PER_SECOND": 10, "SMS_QUIET_HOURS": ""})
    assert est.pauses == [] and est.sending_seconds == 5000
    assert est.finishes_at == datetime(2026, 6, 1, 12, 23, 20, tzinfo=LONDON)


def test_quiet_hours_pause_the_send_until_morning() -> None:
    # 20:00 BST: one hour of sending before 21:00, the rest after 09:00 the next day.
    now = datetime(2026, 6, 1, 19, 0, tzinfo=UTC)
    est = estimate_sending(72_000, now, {"SMS_RATE_PER_SECOND": 10, "SMS_QUIET_HOURS": "21:00-09:00"})
    [(start, end)] = est.pauses
    assert (start.hour, end.hour, end.day) == (21, 9, 2)
    assert est.finishes_at == datetime(2026, 6, 2, 10, 0, tzinfo=LONDON)


def test_launch_inside_quiet_hours_starts_at_their_end() -> None:
    now = datetime(2026, 1, 10, 23, 0, tzinfo=UTC)  # 23:00 GMT
    est = estimate_sending(600, now, {"SMS_RATE_PER_SECOND": 10, "SMS_QUIET_HOURS": "21:00-09:00"})
    assert est.finishes_at == datetime(2026, 1, 11, 9, 1, tzinfo=LONDON)


def test_progress_counts_a_topics_messages(app) -> None:
    now = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    enqueue_many(
        "sms", [NewMessage(to=f"+4479112{i:05d}", body="Hi", topic="c:1") for i in range(3)], now=now
    )
    enqueue_many("sms", [NewMessage(to="+447911299999", body="Hi", topic="other")], now=now)
    db.session.commit()
    assert progress_by_topic("c:1") == {"queued": 3, "sending": 0, "sent": 0, "delivered": 0, "failed": 0}
