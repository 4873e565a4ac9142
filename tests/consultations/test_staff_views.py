"""The staff builder, preview, live page, exports and data entry, and the open web link."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import Activity, Participation
from consultations.surveys.exports import formula_safe, to_csv
from consultations.surveys.launch import launch
from consultations.surveys.models import Consultation, Response
from messaging.models import OutboundMessage
from tests.consultations import factories as f
from tests.consultations.helpers import NOW, make_consultation, text_in


def test_staff_routes_need_a_signed_in_user(client: FlaskClient, app: Flask) -> None:
    consultation = make_consultation()
    for path in [
        "/consultations/",
        f"/consultations/{consultation.id}",
        f"/consultations/{consultation.id}/preview",
    ]:
        assert client.get(path).status_code in (302, 401)
    assert client.post(f"/consultations/{consultation.id}/launch").status_code in (303, 401)
    assert db.session.get(Consultation, consultation.id).status == "draft"


def test_builder_creates_a_consultation_with_questions_and_audience(
    staff_client: FlaskClient, app: Flask
) -> None:
    f.area("Derby")
    f.sms_customer("+447911123401", area_id=1)
    f.email_customer("a@example.org")
    db.session.commit()
    bad = staff_client.post("/consultations/new", data={"title": "", "slug": "BAD SLUG", "activity": "x"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "The web address (slug) may use only" in page
    # Beside the field, tied to it for screen readers, as well as in the summary.
    assert 'id="slug-error"' in page and 'aria-describedby="slug-error slug-hint"' in page
    assert 'id="title-error"' in page and "Give the survey a title." in page
    created = staff_client.post(
        "/consultations/new",
        data={
            "title": "Bins",
            "slug": "bins",
            "activity": "Bin survey",
            "new_activity": "on",
            "channels": ["sms", "email"],
            "preference": "sms,email",
            "intro": "Hi {first_name}",
            "thanks": "Ta",
            "minutes_per_response": "3",
            "reminder_after_hours": "0.5",
            "max_reminders": "2",
            "closes_at": "2011-07-01T12:00",
        },
    )
    assert created.status_code == 303
    consultation = db.session.scalars(select(Consultation)).one()
    assert consultation.reminder_after_hours == 0.5 and consultation.closes_at.hour == 11
    base = f"/consultations/{consultation.id}/questions"
    staff_client.post(
        base,
        data={
            "action": "add",
            "text": "Which day?",
            "type": "choice",
            "options": "Mon\nTue",
            "required": "on",
        },
    )
    staff_client.post(
        base, data={"action": "add", "text": "Score?", "type": "scale", "min": "1", "max": "10"}
    )
    refused = staff_client.post(
        base, data={"action": "add", "text": "Pick", "type": "choice", "options": "Only"}
    )
    assert refused.status_code == 422 and "give between 2 and 26 options" in refused.get_data(as_text=True)
    # Beside the field of the form that failed, tied to it, linked from the summary; what was typed stays.
    html = refused.get_data(as_text=True)
    assert 'id="new-options-error"' in html and 'aria-describedby="new-options-error"' in html
    assert 'href="#new-options"' in html and ">Only</textarea>" in html
    assert ">Pick</textarea>" in html and "q0-options-error" not in html
    bad_save = staff_client.post(
        base, data={"action": "save", "index": "1", "text": "Score?", "type": "scale", "min": "5", "max": "2"}
    )
    html = bad_save.get_data(as_text=True)
    assert bad_save.status_code == 422 and 'id="q1-max-error"' in html and 'href="#q1-max"' in html
    assert "<details open><summary>Edit question 2" in html and 'id="new-max-error"' not in html
    staff_client.post(base, data={"action": "down", "index": "0"})
    db.session.expire_all()
    assert [(q.text, q.required) for q in consultation.questions] == [("Score?", False), ("Which day?", True)]

    audience = staff_client.post(
        f"/consultations/{consultation.id}/audience",
        data={"areas": ["Derby"], "consented_only": "on", "customer_refs": ""},
    )
    assert audience.status_code == 303
    page = staff_client.get(f"/consultations/{consultation.id}/audience").get_data(as_text=True)
    assert "Total invited" in page
    preview = staff_client.get(f"/consultations/{consultation.id}/preview").get_data(as_text=True)
    assert "Hi Sam" in preview and "GSM-7" in preview and "Re-prompt" in preview and "srcdoc=" in preview
    assert "£0.04" in preview  # one SMS recipient, one segment at the default price


def test_test_send_and_simulator(staff_client: FlaskClient, app: Flask) -> None:
    consultation = make_consultation()
    sent = staff_client.post(
        f"/consultations/{consultation.id}/test-send", data={"channel": "sms", "to": "07911 123499"}
    )
    assert sent.status_code == 303
    message = db.session.scalars(select(OutboundMessage)).one()
    assert message.to_address == "+447911123499" and message.status != "queued"
    wrong = staff_client.post(
        f"/consultations/{consultation.id}/test-send",
        data={"channel": "sms", "to": "12"},
        follow_redirects=True,
    )
    assert "not a" in wrong.get_data(as_text=True)
    simulated = staff_client.post(f"/consultations/{consultation.id}/simulate", data={"phone": "07911123498"})
    assert simulated.status_code == 303
    assert text_in("+447911123498", "1") and db.session.scalars(select(Participation)).all() == []


def test_live_page_escapes_free_text_and_exports_are_formula_safe(
    staff_client: FlaskClient, app: Flask
) -> None:
    f.sms_customer("+447911123401")
    consultation = make_consultation(channels=["sms"])
    launch(consultation, now=NOW)
    db.session.commit()
    text_in("+447911123401", "1")
    text_in("+447911123401", "3")
    text_in("+447911123401", "<script>alert(1)</script> =cmd")
    page = staff_client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert 'class="bar-chart"' in page and "1 (100%)" in page  # the one answer to question 1
    rows = list(csv.reader(io.StringIO(to_csv(consultation))))
    assert rows[0][-3:] == ["reads", "score", "comments"] and rows[1][-3:] == ["Yes", "3", rows[1][-1]]
    xlsx = staff_client.get(f"/consultations/{consultation.id}/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[2]][-2] == 3
    for value in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]:
        assert formula_safe(value) == "'" + value
    assert formula_safe("plain") == "plain" and formula_safe(3) == 3
    text_in("+447911123409", "x")  # unrelated
    csv_download = staff_client.get(f"/consultations/{consultation.id}/export.csv").get_data(as_text=True)
    assert "'=" not in csv_download.split("\n")[0]


def test_paper_entry_and_open_web_link(staff_client: FlaskClient, client: FlaskClient, app: Flask) -> None:
    customer = f.customer(ref="T100")
    consultation = make_consultation(web_link=True, closes_at=None)
    launch(consultation, now=NOW)
    db.session.commit()
    data: dict[str, Any] = {"entry_channel": "post", "customer_ref": "t100", "q_reads": "1", "q_score": "2"}
    assert staff_client.post(f"/consultations/{consultation.id}/entry", data=data).status_code == 303
    unknown = staff_client.post(
        f"/consultations/{consultation.id}/entry", data=dict(data, customer_ref="NOPE")
    )
    assert unknown.status_code == 422 and "could not find that customer reference" in unknown.get_data(
        as_text=True
    )
    assert client.get("/w/newsletter-2011").status_code == 200
    assert client.post("/w/newsletter-2011", data={"q_reads": "0", "q_score": "5"}).status_code == 303
    assert client.get("/w/no-such-survey").status_code == 404
    rows = db.session.execute(select(Response.channel, Response.customer_id).order_by(Response.id)).all()
    assert rows == [("post", customer.id), ("web", None)]
    ledger = db.session.execute(
        select(Participation.channel, Participation.customer_id).order_by(Participation.id)
    )
    assert ledger.all() == [("post", customer.id), ("web", None)]
    page = staff_client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert (
        "Open web link: 1 answer, 0 from customers matched on the register" in page and "1 anonymous" in page
    )


def test_builder_makes_the_slug_from_the_title(staff_client: FlaskClient, app: Flask) -> None:
    made = staff_client.post("/consultations/new", data={"title": "Derwent Life: readers 2011!", "activity": "x",
                                                          "channels": "sms", "new_activity": "on"})  # fmt: skip
    assert made.status_code == 303
    assert db.session.scalar(select(Consultation.slug).where(Consultation.title.like("Derwent Life%"))) == (
        "derwent-life-readers-2011"
    )


def test_the_consultation_form_does_not_conjure_activities(staff_client: FlaskClient, app: Flask) -> None:
    data = {"title": "Bins", "slug": "bins", "activity": "Bin survey", "channels": ["sms"], "intro": "Hi"}
    refused = staff_client.post("/consultations/new", data=data)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "no activity called “Bin survey”" in page
    assert db.session.scalar(select(Activity)) is None and db.session.scalar(select(Consultation)) is None
    assert staff_client.post("/consultations/new", data={**data, "new_activity": "on"}).status_code == 303
    activity = db.session.scalars(select(Activity)).one()
    assert activity.name == "Bin survey" and activity.category == "consultation"
