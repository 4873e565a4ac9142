"""A whole email consultation: real flask-mail to a loopback SMTP server, the form in Chromium."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Participation
from app.models.base import utcnow
from consultations.surveys.closing import close
from consultations.surveys.jobs import send_reminders
from consultations.surveys.launch import launch
from consultations.surveys.models import Invitation, Response
from messaging.api import dispatch_due
from tests.consultations import factories as f
from tests.consultations.helpers import make_consultation
from tests.fakes.smtp import FakeSmtp


@pytest.fixture
def app_config(smtp_config: dict[str, Any]) -> dict[str, Any]:
    return smtp_config


def body_of(message: Any, kind: str) -> str:
    return message.get_body(preferencelist=(kind,)).get_content()


def launch_by_email(smtp_server: FakeSmtp) -> tuple[Any, str]:
    f.email_customer("ann@example.org", first_name="Ann <b>")
    consultation = make_consultation(
        channels=["email"], closes_at=None, reminder_after_hours=0.5, max_reminders=1
    )
    now = utcnow()
    launch(consultation, now=now)
    db.session.commit()
    dispatch_due(now=now)
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    text = body_of(message, "plain")
    html = body_of(message, "html")
    assert message["Subject"] == "Derwent Life readership"
    assert text.startswith("Hi Ann <b>,") and "Hi Ann &lt;b&gt;," in html
    assert message["List-Unsubscribe"] and "/u/" in text
    link = re.search(r"http://involve\.test(/s/[\w-]+)", text)
    assert link is not None and link.group(1) in html
    return consultation, link.group(1)


def test_email_consultation_in_a_browser(
    app: Flask, smtp_server: FakeSmtp, live_server: Any, page: Any
) -> None:
    _consultation, path = launch_by_email(smtp_server)
    page.goto(live_server.url + path)
    assert page.locator("h1").inner_text() == "Derwent Life readership"
    page.get_by_role("button", name="Send my answers").click()
    # Server-side errors: a summary linked to each field, nothing saved.
    summary = page.locator("#error-summary")
    assert "There is a problem" in summary.inner_text()
    assert summary.get_by_role("link").count() == 2
    page.get_by_label("Yes").check()
    page.get_by_role("group", name="2. How useful is it, 1 to 5?").get_by_label("4").check()
    page.get_by_label("3. Anything to add?").fill('=HYPERLINK("x") more bins')
    page.get_by_role("button", name="Send my answers").click()
    assert page.locator("h1").inner_text() == "Thank you"
    assert page.title().startswith("Thank you: answers saved")  # not the form's title
    page.goto(live_server.url + path)
    assert page.locator("h1").inner_text() == "You have already answered"

    db.session.expire_all()
    response = db.session.scalars(select(Response)).one()
    assert response.channel == "email" and response.status == "completed"
    assert {a.question.key: a.value for a in response.answers}["score"] == "4"
    participation = db.session.scalars(select(Participation)).one()
    assert participation.source_key == f"survey-response:{response.id}" and participation.channel == "email"


def test_form_errors_keep_values_and_a_second_post_changes_nothing(app: Flask, smtp_server: FakeSmtp) -> None:
    _consultation, path = launch_by_email(smtp_server)
    client: FlaskClient = app.test_client()
    page = client.post(path, data={"q_reads": "0", "q_score": "9", "q_comments": "kept text"})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "Enter a whole number from 1 to 5." in html and "kept text" in html
    assert 'href="#q_score-0"' in html and 'value="0" checked' in html
    done = client.post(path, data={"q_reads": "1", "q_score": "2"})
    assert done.status_code == 303
    again = client.post(path, data={"q_reads": "0", "q_score": "5"})
    assert "You have already answered" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 1
    assert client.get("/s/not-a-real-token").status_code == 404


def test_reminder_then_unsubscribe_stops_further_mail(app: Flask, smtp_server: FakeSmtp) -> None:
    _consultation, path = launch_by_email(smtp_server)
    later = utcnow() + timedelta(hours=1)
    assert send_reminders(later) == 1
    dispatch_due(now=later)
    reminder = smtp_server.messages[-1]
    assert reminder["Subject"] == "Reminder: Derwent Life readership"
    second_link = re.search(r"http://involve\.test(/s/[\w-]+)", body_of(reminder, "plain"))
    assert second_link is not None and second_link.group(1) != path
    client = app.test_client()
    assert "Derwent Life readership" in client.get(second_link.group(1)).get_data(as_text=True)

    # One-click unsubscribe, as a mail client posts it (RFC 8058).
    unsubscribe = re.search(r"<http://involve\.test(/u/[\w.-]+)>", reminder["List-Unsubscribe"])
    assert unsubscribe is not None
    assert client.post(unsubscribe.group(1), data={"List-Unsubscribe": "One-Click"}).status_code == 200
    db.session.execute(db.update(Invitation).values(reminders_sent=0))
    db.session.commit()
    assert send_reminders(later + timedelta(hours=2)) == 0


def test_closed_and_not_yet_open_pages(app: Flask, smtp_server: FakeSmtp) -> None:
    consultation, path = launch_by_email(smtp_server)
    close(consultation, now=utcnow())
    db.session.commit()
    page = app.test_client().get(path).get_data(as_text=True)
    assert "This survey has closed" in page and "closed on" in page
