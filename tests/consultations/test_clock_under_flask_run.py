"""Every sweeper runs under `flask run` with SCHEDULER_ENABLED=1: a scheduled consultation launches,
reminds those who have not answered and closes at its deadline, with no command but the server."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from app.extensions import db
from app.models.base import utcnow
from app.periods import LONDON
from consultations.surveys.launch import schedule
from consultations.surveys.models import Consultation, Invitation
from messaging.models import SweeperRun
from tests.conftest import free_port
from tests.consultations import factories as f
from tests.consultations.helpers import make_consultation
from tests.fakes.fixtures import TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN
from tests.fakes.twilio_api import FakeTwilioApi

ROOT = Path(__file__).resolve().parents[2]
ANN, BOB = "+447911123401", "+447911123402"


def london(value) -> str:
    return value.astimezone(LONDON).replace(tzinfo=None).isoformat(timespec="seconds")


@pytest.fixture
def served(app, twilio_api: FakeTwilioApi, tmp_path: Path) -> Iterator[str]:
    """`flask run` on the test's database, its clock on, Twilio pointed at the loopback fake."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "INVOLVE_INSTANCE_PATH": str(tmp_path / "served-instance"),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "served-secret",
        "PUBLIC_BASE_URL": base,
        "SCHEDULER_ENABLED": "1",
        "SCHEDULER_MAX_SECONDS": "1",
        "SMS_QUIET_HOURS": "",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_FROM_NUMBER": TWILIO_FROM,
        "TWILIO_API_BASE_URL": twilio_api.url,
    }
    flask = str(Path(sys.executable).parent / "flask")
    log = (tmp_path / "flask-run.log").open("wb")
    proc = subprocess.Popen(
        [flask, "--app", "wsgi", "run", "--port", str(port), "--no-reload", "--no-debugger"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: _healthy(port), 30, "flask run to answer /healthz", tmp_path)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
        db.session.remove()


def _healthy(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False


def wait_for(check: Callable[[], object], seconds: float, what: str, logs: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.remove()  # read what the server committed, not this session's snapshot
        if check():
            return
        time.sleep(0.25)
    log = (logs / "flask-run.log").read_text(errors="replace")[-3000:] if logs else ""
    pytest.fail(f"timed out waiting for {what}\n{log}")


def text_in(base: str, number: str, body: str, sid: str) -> None:
    """Post an inbound text to the served webhook, signed as Twilio signs it."""
    params = {"MessageSid": sid, "From": number, "To": TWILIO_FROM, "Body": body}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(base + "/messaging/twilio/sms", params)
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request(
        "POST",
        "/messaging/twilio/sms",
        urllib.parse.urlencode(params),
        {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
    )
    assert conn.getresponse().status == 200


def texts_to(twilio_api: FakeTwilioApi, number: str) -> list[str]:
    return [r.form["Body"] for r in twilio_api.messages() if r.form.get("To") == number]


def test_scheduled_consultation_launches_reminds_and_closes(app, twilio_api, served, tmp_path) -> None:
    f.sms_customer(ANN, first_name="Ann")
    f.sms_customer(BOB, first_name="Bob")
    now = utcnow().replace(microsecond=0)
    opens, closes = now + timedelta(seconds=4), now + timedelta(seconds=16)
    # A fraction of an hour: a reminder about 3 seconds after the opening text.
    consultation = make_consultation(
        channels=["sms"], closes_at=london(closes), reminder_after_hours=3 / 3600, max_reminders=1
    )
    schedule(consultation, opens, now=now)
    db.session.commit()
    slug = consultation.slug

    def status() -> str:
        return db.session.scalars(select(Consultation.status).where(Consultation.slug == slug)).one()

    wait_for(
        lambda: len(texts_to(twilio_api, ANN)) == 1 and texts_to(twilio_api, BOB), 20, "the launch", tmp_path
    )
    assert status() == "open" and utcnow() >= opens
    assert texts_to(twilio_api, ANN)[0].startswith("Hi Ann, 3 quick questions")
    text_in(served, ANN, "1", "SMann0001")  # Ann answers, so only Bob is reminded

    wait_for(lambda: len(texts_to(twilio_api, BOB)) == 2, 12, "Bob's reminder", tmp_path)
    assert "reminder about our survey" in texts_to(twilio_api, BOB)[1]
    assert texts_to(twilio_api, ANN)[1].startswith("Q2:")  # the reply to her answer, not a reminder

    wait_for(lambda: status() == "closed", 25, "the closing", tmp_path)
    closed_at = db.session.scalars(select(Consultation.closed_at).where(Consultation.slug == slug)).one()
    assert closed_at >= closes
    statuses = dict(db.session.execute(select(Invitation.address, Invitation.status)).all())
    assert statuses == {ANN: "closed", BOB: "closed"}
    assert not any("reminder" in text for text in texts_to(twilio_api, ANN))
    assert len([t for t in texts_to(twilio_api, BOB) if "reminder" in t]) == 1  # max_reminders holds

    # The server's clock recorded every sweeper, from another process.
    runs = {row.name: row for row in db.session.scalars(select(SweeperRun))}
    assert {"dispatch", "consultations.launch", "consultations.remind", "consultations.close"} <= set(runs)
    assert {"consultations.expire", "event-reminders", "privacy-retention"} <= set(runs)
    assert all(not row.process.endswith(f":{os.getpid()}") for row in runs.values())
