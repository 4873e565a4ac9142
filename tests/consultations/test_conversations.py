"""Which conversation an inbound text belongs to: live first, then recently closed, then timed out."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask

from app.extensions import db
from consultations.surveys.conversations import Found, conversation_for
from consultations.surveys.models import Consultation, Invitation
from tests.consultations.helpers import NOW, make_consultation

PHONE = "+447911123401"
DAY = timedelta(days=1)


def consultation(slug: str, status: str = "open", closed_at: datetime | None = None) -> Consultation:
    row = make_consultation(slug=slug, title=slug, channels=["sms"])
    row.status, row.closed_at = status, closed_at
    db.session.commit()
    return row


def invite(
    of: Consultation, status: str, last_sent_at: datetime, *, phone: str = PHONE, is_test: bool = False
) -> Invitation:
    row = Invitation(
        consultation_id=of.id,
        channel="sms",
        address=phone,
        status=status,
        last_sent_at=last_sent_at,
        is_test=is_test,
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_nothing_for_a_stranger(app: Flask) -> None:
    invite(consultation("a"), "invited", NOW - DAY, phone="+447911999999")
    assert conversation_for(PHONE, NOW) is None


def test_live_beats_closed_and_timed_out_and_newest_live_wins(app: Flask) -> None:
    timed_out = invite(consultation("quiet"), "expired", NOW - 8 * DAY)
    closed = invite(consultation("shut", "closed", NOW - DAY), "closed", NOW - 2 * DAY)
    older = invite(consultation("old"), "started", NOW - 3 * DAY)
    newer = invite(consultation("new"), "invited", NOW - DAY)
    assert conversation_for(PHONE, NOW) == Found(newer.id, "live")
    newer.status = "completed"
    db.session.commit()
    assert conversation_for(PHONE, NOW) == Found(older.id, "live")
    older.status = "ended"
    db.session.commit()
    assert conversation_for(PHONE, NOW) == Found(closed.id, "closed")
    db.session.delete(closed)
    db.session.commit()
    assert conversation_for(PHONE, NOW) == Found(timed_out.id, "timed-out")


def test_windows_end(app: Flask) -> None:
    invite(consultation("shut", "closed", NOW - 8 * DAY), "closed", NOW - 9 * DAY)
    quiet = invite(consultation("quiet"), "started", NOW - 8 * DAY)
    # Quiet past the 7-day window: not live, but still within the 3 days that hear it timed out.
    assert conversation_for(PHONE, NOW) == Found(quiet.id, "timed-out")
    assert conversation_for(PHONE, NOW + 3 * DAY) is None


def test_a_trial_conversation_is_live_before_launch(app: Flask) -> None:
    trial = invite(consultation("draft", "draft"), "invited", NOW - DAY, is_test=True)
    invite(consultation("also-draft", "draft"), "invited", NOW - DAY)
    assert conversation_for(PHONE, NOW) == Found(trial.id, "live")
