"""Two scheduler processes at once, plus two lock-free sweep loops: no duplicate launch, reminder or send.

On PostgreSQL the advisory lock keeps the second `flask scheduler` on standby (the first test shows
it taking over when the active one is killed); on SQLite both run. The sweep loops take no lock anywhere, so on both
databases launches, reminders and sends are raced by several processes and only the atomic claims
keep them single.
"""

from __future__ import annotations

import collections
import sys
import time
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, insert, select

from app.extensions import db
from app.models import AuditEvent, Customer
from app.models.base import utcnow
from consultations.surveys.definitions import import_definition
from consultations.surveys.launch import schedule
from consultations.surveys.models import Consultation, Invitation
from messaging.models import OutboundMessage
from tests.fakes.smtp import FakeSmtp
from tests.fakes.twilio_api import FakeTwilioApi
from tests.reliability.conftest import Proc, Processes, app_with, message_id, wait_until

pytestmark = pytest.mark.slow

SMS_PEOPLE, EMAIL_PEOPLE, REMINDERS = 30, 20, 2
SWEEP_SECONDS = 8


def set_up() -> Consultation:
    now = utcnow()
    common = {"last_name": "Test", "created_at": now, "updated_at": now}
    rows = [
        {
            "ref": f"T{i:04d}",
            "first_name": f"Sam{i}",
            "phone": f"+4479115{i:05d}",
            "sms_consent": True,
            **common,
        }
        for i in range(SMS_PEOPLE)
    ]
    rows += [
        {
            "ref": f"E{i:04d}",
            "first_name": f"Eve{i}",
            "email": f"eve{i}@example.org",
            "email_consent": True,
            **common,
        }
        for i in range(EMAIL_PEOPLE)
    ]
    db.session.execute(insert(Customer), rows)
    consultation, _ = import_definition(
        {
            "slug": "two-clocks",
            "title": "Two clocks",
            "activity": "Scheduler race survey",
            "channels": ["sms", "email"],
            "audience": {"consented_only": True},
            "intro": "Hi {first_name}, one question.",
            # A reminder is due a second after the last text, so the race covers reminders too.
            "reminder_after_hours": 1 / 3600,
            "max_reminders": REMINDERS,
            "questions": [{"key": "ok", "text": "All well?", "type": "yesno"}],
        }
    )
    db.session.commit()
    # Due by the time the processes have started: every one of them races for the launch.
    assert schedule(consultation, now + timedelta(seconds=2), now=now) is None
    db.session.commit()
    return consultation


def test_two_schedulers_and_two_sweep_loops_do_nothing_twice(
    app: Flask, procs: Processes, twilio_api: FakeTwilioApi, smtp_server: FakeSmtp, figures: object
) -> None:
    consultation = set_up()
    env = {
        **procs.env,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server.port),
        "MAIL_DEFAULT_SENDER": "involve@example.org",
    }
    clock = app_with(MESSAGING_DISPATCH_SECONDS=1, MAIL_TIMEOUT=5)
    schedulers = [procs.flask("scheduler", "--wait-seconds", "1", app=clock, env=env) for _ in range(2)]
    loops = [
        procs.start(
            "sweep-loop", [sys.executable, "-m", "tests.reliability.sweep_loop", str(SWEEP_SECONDS)], env
        )
        for _ in range(2)
    ]
    for loop in loops:
        assert loop.wait(SWEEP_SECONDS + 60) == 0, loop.output()[-3000:]
    wait_until(lambda: settled(), 30, "every message to be sent", step=0.3)
    for proc in schedulers:
        assert "Traceback" not in proc.output(), proc.output()[-3000:]

    invited = check_once(consultation, twilio_api, smtp_server)
    figures(  # type: ignore[operator]
        f"{db.engine.dialect.name}: 2 schedulers ({'one on standby' if standby(schedulers) else 'both active'}) "
        f"+ 2 lock-free sweep loops for {SWEEP_SECONDS}s; 1 launch, {invited} invitations, "
        f"{invited * REMINDERS} reminders, {invited * (1 + REMINDERS)} messages each sent once"
    )


def standby(schedulers: list[Proc]) -> bool:
    return any("standing by" in s.output() for s in schedulers)


def test_second_scheduler_waits_on_postgresql_and_runs_on_sqlite(procs: Processes, figures: object) -> None:
    schedulers = [procs.flask("scheduler", "--wait-seconds", "1") for _ in range(2)]
    wait_until(
        lambda: all("Scheduler running" in s.output() or "standing by" in s.output() for s in schedulers),
        30,
        "both schedulers to start",
    )
    active = [s for s in schedulers if "Scheduler running" in s.output()]
    if db.engine.dialect.name != "postgresql":
        # SQLite has no advisory lock: both clocks run, and the atomic claims keep them apart.
        assert len(active) == 2
        figures("sqlite: both schedulers active (no lock); see the race test for what keeps them apart")  # type: ignore[operator]
        return
    assert len(active) == 1, [s.output() for s in schedulers]
    waiting = next(s for s in schedulers if s is not active[0])
    time.sleep(2.5)
    assert "Scheduler running" not in waiting.output()
    # The active clock dies without letting go: its session ends, so does the lock, and the standby runs.
    active[0].kill()
    died = time.monotonic()
    wait_until(lambda: "Scheduler running" in waiting.output(), 30, "the standby to take over")
    figures(
        f"postgresql: one scheduler active, one on standby; standby took over {time.monotonic() - died:.1f}s after SIGKILL"
    )  # type: ignore[operator]


def settled() -> bool:
    db.session.expire_all()
    statuses = set(db.session.scalars(select(OutboundMessage.status)))
    reminders = set(db.session.scalars(select(Invitation.reminders_sent)))
    return statuses == {"sent"} and reminders == {REMINDERS}


def check_once(consultation: Consultation, twilio_api: FakeTwilioApi, smtp_server: FakeSmtp) -> int:
    """Assert one launch, one invitation per person, the set reminders once each, every message sent once."""
    db.session.expire_all()
    launches = db.session.scalar(
        select(func.count()).where(
            AuditEvent.action == "consultation.launch", AuditEvent.target_id == str(consultation.id)
        )
    )
    assert launches == 1
    invitations = db.session.execute(
        select(Invitation.customer_id, Invitation.id, Invitation.reminders_sent).where(
            Invitation.consultation_id == consultation.id
        )
    ).all()
    people = len({row.customer_id for row in invitations})
    assert len(invitations) == people == SMS_PEOPLE + EMAIL_PEOPLE

    messages = db.session.execute(
        select(
            OutboundMessage.id,
            OutboundMessage.ref,
            OutboundMessage.purpose,
            OutboundMessage.channel,
            OutboundMessage.to_address,
        )
    ).all()
    per_invitation = collections.Counter((row.ref, row.purpose) for row in messages)
    for row in invitations:
        assert per_invitation[(f"invitation:{row.id}", "invitation")] == 1
        assert per_invitation[(f"invitation:{row.id}", "reminder")] == row.reminders_sent == REMINDERS
    assert len(messages) == len(invitations) * (1 + REMINDERS)

    texts = {row.id for row in messages if row.channel == "sms"}
    requests = collections.Counter(message_id(r.form) for r in twilio_api.messages())
    assert set(requests) == texts and set(requests.values()) == {1}
    emails = collections.Counter(row.to_address for row in messages if row.channel == "email")
    delivered = collections.Counter(str(m["To"]) for m in smtp_server.messages)
    assert delivered == emails
    return len(invitations)
