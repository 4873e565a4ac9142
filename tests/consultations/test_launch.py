"""Launch, schedule and close: one transaction, idempotent, sweepers safe to run twice."""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent
from consultations.surveys.jobs import close_due, expire_conversations, launch_due, send_reminders
from consultations.surveys.launch import launch, schedule
from consultations.surveys.models import Consultation, Invitation
from messaging.models import OutboundMessage, Suppression
from messaging.scheduler import run_sweepers_once
from tests.consultations import factories as f
from tests.consultations.helpers import NOW, make_consultation, text_in


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def register() -> None:
    f.customer(phone="+447911123401", email="both@example.org", sms_consent=True, email_consent=True)
    f.sms_customer("+447911123402")
    f.email_customer("mail@example.org")
    f.customer(phone="+447911123404")  # no consent: skipped
    f.sms_customer("+447911123405")
    db.session.add(Suppression(channel="sms", address="+447911123405", reason="stop"))
    db.session.commit()


def test_launch_writes_invitations_and_messages_once(app: Flask) -> None:
    register()
    consultation = make_consultation(channel_preference=["email", "sms"])
    result = launch(consultation, now=NOW)
    db.session.commit()
    assert result.launched and result.by_channel == {"email": 2, "sms": 1}
    assert result.skipped["no_consent"] == 1 and result.skipped["suppressed"] == 1
    assert consultation.status == "open" and consultation.invited_count == 3
    rows = db.session.scalars(select(Invitation).order_by(Invitation.id)).all()
    assert [(i.channel, i.status) for i in rows] == [
        ("email", "invited"),
        ("sms", "invited"),
        ("email", "invited"),
    ]
    assert all(len(i.token_hash or "") == 64 for i in rows if i.channel == "email")
    messages = db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).all()
    assert {m.ref for m in messages} == {f"invitation:{i.id}" for i in rows}
    assert all(m.topic == consultation.topic and m.activity_id == consultation.activity_id for m in messages)
    email = next(m for m in messages if m.channel == "email")
    assert (
        email.list_unsubscribe and "/u/" in email.body and "/s/" in email.body and "/s/" in (email.html or "")
    )

    again = launch(consultation, now=NOW + timedelta(minutes=1))
    db.session.commit()
    assert not again.launched and count(Invitation) == 3 and count(OutboundMessage) == 3
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "consultation.launch")) == 1


def test_scheduled_launch_runs_once_even_when_two_sweepers_race(app: Flask) -> None:
    register()
    consultation = make_consultation()
    schedule(consultation, NOW + timedelta(hours=1), now=NOW)
    db.session.commit()
    assert launch_due(NOW) == 0 and consultation.status == "scheduled"

    done: list[int] = []

    def sweep() -> None:
        with app.app_context():
            try:
                done.append(launch_due(NOW + timedelta(hours=1)))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(done) == [0, 1]
    db.session.expire_all()
    assert count(Invitation) == 3 and count(OutboundMessage) == 3
    assert db.session.get(Consultation, consultation.id).status == "open"


def test_closing_time_sweeper_and_registered_sweepers(app: Flask) -> None:
    register()
    consultation = make_consultation()
    launch(consultation, now=NOW)
    db.session.commit()
    closes = consultation.closes_at
    assert closes is not None
    assert close_due(closes - timedelta(minutes=1)) == 0
    ran = run_sweepers_once(app, now=closes + timedelta(minutes=1))
    assert ran["consultations.close"] == 1
    assert run_sweepers_once(app, now=closes + timedelta(minutes=2))["consultations.close"] == 0
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).status == "closed"
    assert set(db.session.scalars(select(Invitation.status))) == {"closed"}


def test_reminders_go_once_to_those_who_have_not_answered(app: Flask) -> None:
    register()
    consultation = make_consultation(
        reminder_after_hours=1.5, max_reminders=1, channel_preference=["sms", "email"]
    )
    launch(consultation, now=NOW)
    db.session.commit()
    text_in("+447911123401", "1", now=NOW + timedelta(minutes=10))  # answered: no reminder
    assert send_reminders(NOW + timedelta(hours=1)) == 0
    assert send_reminders(NOW + timedelta(hours=2)) == 2  # one SMS, one email
    assert send_reminders(NOW + timedelta(hours=5)) == 0  # at most one each
    reminders = db.session.scalars(select(OutboundMessage).where(OutboundMessage.purpose == "reminder")).all()
    assert sorted(m.channel for m in reminders) == ["email", "sms"]
    assert all(m.to_address != "+447911123401" for m in reminders)
    sms = next(m for m in reminders if m.channel == "sms")
    assert "reminder" in sms.body and "Do you read Derwent Life?" in sms.body


def test_quiet_conversations_expire(app: Flask) -> None:
    register()
    consultation = make_consultation(channels=["sms"])
    launch(consultation, now=NOW)
    db.session.commit()
    text_in("+447911123401", "1", now=NOW)
    assert expire_conversations(NOW + timedelta(days=6)) == 0
    assert expire_conversations(NOW + timedelta(days=8)) == 1


def test_launch_skips_landlines_and_says_how_many(app: Flask) -> None:
    f.sms_customer("+447911123410")
    landline = f.sms_customer("+441332123456")  # a Derby landline: kept, never texted
    both = f.customer(phone="+441332654321", email="home@example.org", sms_consent=True, email_consent=True)
    db.session.commit()
    assert (landline.phone_type, both.phone_type) == ("landline", "landline")
    consultation = make_consultation(channel_preference=["sms", "email"])
    result = launch(consultation, now=NOW)
    db.session.commit()
    # The landline with an email address is reached by email instead.
    assert result.by_channel == {"sms": 1, "email": 1}
    assert result.skipped["landline"] == 1
    texted = db.session.scalars(
        select(OutboundMessage.to_address).where(OutboundMessage.channel == "sms")
    ).all()
    assert texted == ["+447911123410"]
    assert landline.phone == "+441332123456"
