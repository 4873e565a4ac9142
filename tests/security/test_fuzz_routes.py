"""Hostile input on every public route: never a server error, and a refusal writes nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from consultations.events.definitions import save_definition
from consultations.surveys.definitions import import_definition
from consultations.surveys.launch import launch
from messaging.models import OutboundMessage
from tests.consultations import factories
from tests.fakes.twilio_sign import sign
from tests.security.fuzz import FORMS, FUZZ, TEXT, grew, row_counts

QUESTIONS = [
    {"key": "reads", "text": "Do you read Derwent Life?", "type": "choice", "options": ["Yes", "No"]},
    {"key": "score", "text": "How useful is it, 1 to 5?", "type": "scale", "min": 1, "max": 5},
    {"key": "comments", "text": "Anything to add?", "type": "text", "required": False},
]


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Hundreds of posts from one address: without the per-address limit, so each reaches the form."""
    return {"RATELIMIT_ENABLED": False}


@dataclass
class Targets:
    token: str
    slug: str
    event: str


@pytest.fixture
def targets(app: Flask) -> Targets:
    """An open survey with a web link and one emailed invitation, and an event taking bookings."""
    now = utcnow()
    factories.email_customer("ann@example.org", ref="DL0001", first_name="Ann")
    consultation, _ = import_definition(
        {"slug": "fuzz", "title": "Fuzz", "activity": "Fuzz survey", "channels": ["email"], "web_link": True,
         "audience": {"consented_only": True}, "questions": QUESTIONS}
    )  # fmt: skip
    launch(consultation, now=now)
    start = (now + timedelta(days=10)).replace(tzinfo=None, microsecond=0)
    save_definition(
        {"slug": "fuzz-event", "title": "Fuzz event", "activity": "Fuzz event", "capacity": 3, "waitlist": True,
         "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(), "sms_keyword": "FUZ"},
        now=now,
    )  # fmt: skip
    db.session.commit()
    body = db.session.scalar(select(OutboundMessage.body))
    token = re.search(r"/s/([\w-]+)", body or "")
    assert token is not None
    return Targets(token.group(1), "fuzz", "fuzz-event")


def post(client: FlaskClient, path: str, form: dict[str, str], headers: dict[str, str] | None = None) -> int:
    response = client.post(path, data=form, headers=headers or {})
    response.close()
    return response.status_code


def test_the_sms_webhook_refuses_unsigned_payloads(app: Flask) -> None:
    client = app.test_client()

    @FUZZ
    @given(
        form=FORMS, signature=st.one_of(st.just(""), TEXT.filter(lambda s: "\n" not in s and "\r" not in s))
    )
    def check(form: dict[str, str], signature: str) -> None:
        before = row_counts()
        for path in ("/messaging/twilio/sms", "/messaging/twilio/status"):
            headers = {"X-Twilio-Signature": signature.encode("utf-8", "replace").decode("latin-1")}
            # A body over WEBHOOK_MAX_CONTENT_LENGTH is refused (413) before the signature is read.
            assert post(client, path, form, headers) in (403, 413)
        assert grew(before) == {}

    check()


def test_the_sms_webhook_survives_any_signed_payload(app: Flask, targets: Targets) -> None:
    client = app.test_client()

    @FUZZ
    @given(form=FORMS, body=TEXT, sender=TEXT, sid=TEXT)
    def check(form: dict[str, str], body: str, sender: str, sid: str) -> None:
        params = {**form, "Body": body, "From": sender, "MessageSid": sid}
        before = row_counts()
        headers = {"X-Twilio-Signature": sign(app, "/messaging/twilio/sms", params)}
        status = post(client, "/messaging/twilio/sms", params, headers)
        assert status in (200, 400, 413)
        if status != 200:
            assert grew(before) == {}
        status_headers = {"X-Twilio-Signature": sign(app, "/messaging/twilio/status", params)}
        # Only a body over WEBHOOK_MAX_CONTENT_LENGTH may be refused, and then with 413.
        assert post(client, "/messaging/twilio/status", params, status_headers) in (200, 413)

    check()


def test_the_survey_pages_take_or_refuse_any_form(app: Flask, targets: Targets) -> None:
    client = app.test_client()

    @FUZZ
    @given(form=FORMS, token=TEXT, slug=TEXT)
    def check(form: dict[str, str], token: str, slug: str) -> None:
        for path in (f"/s/{quote(token, safe='')}", f"/w/{quote(slug, safe='')}"):
            before = row_counts()
            assert post(client, path, form) in (
                200,
                400,
                404,
                405,
            )  # unknown links: a kind page, nothing written
            assert grew(before) == {}
        before = row_counts()
        status = post(client, f"/w/{targets.slug}", form)
        assert status in (303, 400, 422)
        if status != 303:
            assert grew(before) == {}
        status = post(client, f"/s/{targets.token}", form)
        assert status in (200, 303, 400, 422)
        if status in (400, 422):
            assert grew(before, ignore=("survey_responses", "survey_answers", "participations")) == {}

    check()


def test_the_booking_pages_take_or_refuse_any_form(app: Flask, targets: Targets) -> None:
    client = app.test_client()

    @FUZZ
    @given(form=FORMS, slug=TEXT, token=TEXT)
    def check(form: dict[str, str], slug: str, token: str) -> None:
        before = row_counts()
        status = post(client, f"/e/{targets.event}", form)
        assert status in (303, 400, 409, 422)
        if status != 303:
            assert grew(before) == {}
        before = row_counts()
        s, t = quote(slug, safe=""), quote(token, safe="")
        for path in (f"/e/{s}", f"/e/{targets.event}/cancel/{t}", f"/e/{s}/cancel/{t}", f"/u/{t}"):
            assert post(client, path, form) in (200, 303, 400, 404, 405, 409, 422)
        for path in (f"/e/{s}/calendar.ics", f"/e/{targets.event}/booking/{t}", f"/u/{t}", f"/s/{t}/thanks"):
            response = client.get(path)
            response.close()
            # An empty token leaves a double slash, which the router merges with a 308 redirect.
            assert response.status_code in ((200, 302, 404, 308) if "//" in path else (200, 302, 404))
        assert grew(before, ignore=("event_bookings", "outbound_messages", "events")) == {}

    check()


def test_sign_in_and_health_survive_anything(app: Flask) -> None:
    client = app.test_client()

    @FUZZ
    @given(form=FORMS, email=TEXT, password=TEXT, query=TEXT)
    def check(form: dict[str, str], email: str, password: str, query: str) -> None:
        before = row_counts()
        status = post(
            client, f"/login?next={quote(query, safe='')}", {**form, "email": email, "password": password}
        )
        assert status in (400, 401, 429)
        # A sign-in attempt is recorded and charged to its failure counters; nothing else grows.
        assert grew(before, ignore=("login_attempts", "login_counters")) == {}
        health = client.get(f"/healthz?{quote(query, safe='=&')}")
        assert health.status_code in (200, 400)
        if health.status_code == 200:
            assert health.get_json() == {"status": "ok", "database": "ok"}

    check()


def test_nul_bytes_are_refused_with_a_message_before_they_reach_the_database(
    app: Flask, targets: Targets
) -> None:
    client = app.test_client()
    before = row_counts()
    for path, form in (
        (f"/w/{targets.slug}", {"q_reads": "0", "q_score": "3", "q_comments": "fine\x00"}),
        (f"/e/{targets.event}", {"name": "Sam\x00", "email": "sam@example.org", "places": "1"}),
        ("/login", {"email": "ann\x00@example.org", "password": "x"}),
    ):
        response = client.post(path, data=form)
        assert response.status_code == 400, path
        assert "cannot be stored (a NUL byte)" in response.get_data(as_text=True)
    for path in ("/w/fu%00zz", "/e/fuzz%00-event", "/e/fuzz-event/booking/%00", "/s/%00/thanks"):
        response = client.get(path)
        assert response.status_code == 404, path
    assert grew(before) == {}
    # Twilio's webhook cleans its own fields instead, so a text is never lost over one.
    params = {"MessageSid": "SM" + "1" * 32, "From": "+447912345699", "Body": "hello\x00"}
    headers = {"X-Twilio-Signature": sign(app, "/messaging/twilio/sms", params)}
    assert post(client, "/messaging/twilio/sms", params, headers) == 200


def test_an_overlong_sign_in_address_is_a_bad_request_not_a_stored_attempt(app: Flask) -> None:
    client = app.test_client()
    before = row_counts()
    response = client.post("/login", data={"email": "a" * 300 + "@example.org", "password": "x"})
    assert response.status_code == 400
    assert grew(before) == {}
