"""The TSM survey routed by text (signed webhooks, the real engine and twilio client) and on a phone-sized web form."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from consultations.surveys.launch import launch
from consultations.surveys.models import Response
from messaging.api import dispatch_due
from tests.a11y import axe
from tests.consultations import factories as f
from tests.fakes.twilio_api import FakeTwilioApi
from tests.fakes.twilio_sign import signed_sms_post

ANN = "+447911123431"


def _texts(twilio_api: FakeTwilioApi) -> list[str]:
    return [r.form["Body"] for r in twilio_api.messages() if r.form.get("To") == ANN]


def _reply(app: Flask, body: str, twilio_api: FakeTwilioApi) -> str:
    before = len(_texts(twilio_api))
    assert signed_sms_post(app.test_client(), app, ANN, body).status_code == 200
    dispatch_due(now=utcnow())
    sent = _texts(twilio_api)
    assert len(sent) == before + 1, sent
    return sent[-1]


def test_tsm_survey_by_text_follows_the_filters(app: Flask, twilio_api: FakeTwilioApi, tsm_survey) -> None:
    f.sms_customer(ANN, first_name="Ann", tenure="General needs")
    consultation = tsm_survey(channels=["sms"])
    launch(consultation, now=utcnow())
    db.session.commit()
    dispatch_due(now=utcnow())
    opening = _texts(twilio_api)[0]
    assert opening.startswith("Hi Ann, Derwent Living would like your views.")
    assert "Q1: Taking everything into account" in opening and "Reply 1 for Very satisfied" in opening
    assert _reply(app, "fairly satisfied", twilio_api).startswith(
        "Q2: Has Derwent Living carried out a repair"
    )
    # No repair: TP02 and TP03 are passed over, straight to TP04 (question 5).
    assert _reply(app, "no", twilio_api).startswith("Q5: How satisfied or dissatisfied are you that Derwent")
    for _ in ("TP04", "TP05", "TP06", "TP07"):
        last = _reply(app, "2", twilio_api)
    assert last.startswith("Q9: To what extent do you agree or disagree")
    assert "1 for Strongly agree" in last
    assert _reply(app, "agree", twilio_api).startswith("Q10: Have you made a complaint")
    # A complaint: TP09 is asked.
    assert _reply(app, "yes", twilio_api).startswith(
        "Q11: How satisfied or dissatisfied are you with Derwent"
    )
    assert _reply(app, "5", twilio_api).startswith("Q12: Do you live in a building with communal areas")
    # "Don't know" about communal areas: TP10 is passed over.
    assert _reply(app, "3", twilio_api).startswith("Q14: How satisfied or dissatisfied are you that Derwent")
    assert _reply(app, "don't know", twilio_api).startswith("Q15:")
    assert _reply(app, "not applicable", twilio_api) == consultation.thanks
    db.session.expire_all()
    response = db.session.scalars(select(Response)).one()
    answers = {a.question.key: a.value for a in response.answers}
    assert response.status == "completed"
    assert not {"TP02", "TP03", "TP10"} & set(answers)
    assert answers["TP09"] == "Very dissatisfied" and answers["TP11"] == "Don't know"
    assert answers["TP12"] == "Not applicable" and answers["TP08"] == "Agree"


@pytest.mark.browser
def test_tsm_web_form_hides_routed_questions_at_phone_width(
    app: Flask, live_server, page, tsm_survey
) -> None:
    consultation = tsm_survey(channels=["email"], web_link=True)
    consultation.status = "open"
    db.session.commit()
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/w/{consultation.slug}")
    tp02 = page.locator("#q_TP02-block")
    tp09 = page.locator("#q_TP09-block")
    assert tp02.is_hidden() and tp09.is_hidden() and page.locator("#q_TP10-block").is_hidden()
    page.get_by_label("I rent my home").check()
    page.locator("#q_TP01-block").get_by_label("Very satisfied").check()
    page.locator("#q_repair_12m-block").get_by_label("Yes").check()
    assert tp02.is_visible() and page.locator("#q_TP03-block").is_visible()
    page.locator("#q_repair_12m-block").get_by_label("No").check()
    assert tp02.is_hidden()
    page.locator("#q_repair_12m-block").get_by_label("Yes").check()
    page.locator("#q_TP02-block").get_by_label("Fairly satisfied").check()
    page.locator("#q_TP03-block").get_by_label("Fairly dissatisfied").check()
    for key in ("TP04", "TP05", "TP06", "TP07"):
        page.locator(f"#q_{key}-block").get_by_label("Fairly satisfied").check()
    page.locator("#q_TP08-block").get_by_label("Strongly agree").check()
    page.locator("#q_complaint_12m-block").get_by_label("No").check()
    assert tp09.is_hidden()
    page.locator("#q_communal-block").get_by_label("Yes").check()
    page.locator("#q_TP10-block").get_by_label("Very satisfied").check()
    page.locator("#q_TP11-block").get_by_label("Don't know").check()
    page.locator("#q_TP12-block").get_by_label("Not applicable").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url(f"**/w/{consultation.slug}/thanks")
    db.session.expire_all()
    response = db.session.scalars(select(Response)).one()
    answers = {a.question.key: a.value for a in response.answers}
    assert answers["TP02"] == "Fairly satisfied" and answers["TP10"] == "Very satisfied"
    assert "TP09" not in answers and answers["complaint_12m"] == "No"


def test_a_shared_owner_on_the_open_link_is_not_shown_tp02_to_tp04(
    app: Flask, live_server, page, tsm_survey
) -> None:
    from playwright.sync_api import expect

    consultation = tsm_survey(channels=["email"], web_link=True)
    consultation.status = "open"
    db.session.commit()
    page.set_viewport_size({"width": 375, "height": 740})
    axe.enable(page)
    page.goto(f"{live_server.url}/w/{consultation.slug}")
    problems = axe.check(page, "", "TSM open link")
    assert not problems, "\n".join(problems)
    page.locator("#q_repair_12m-block").get_by_label("Yes").check()
    expect(page.locator("#q_TP02-block")).to_be_visible()
    expect(page.locator("#q_TP04-block")).to_be_visible()
    page.get_by_label("I own part of my home through shared ownership").check()
    for key in ("TP02", "TP03", "TP04"):
        expect(page.locator(f"#q_{key}-block")).to_be_hidden()
    expect(page.locator("#q_TP05-block")).to_be_visible()
    page.locator("#q_TP01-block").get_by_label("Very satisfied").check()
    for key in ("TP05", "TP06", "TP07"):
        page.locator(f"#q_{key}-block").get_by_label("Fairly satisfied").check()
    page.locator("#q_TP08-block").get_by_label("Agree", exact=True).check()
    page.locator("#q_complaint_12m-block").get_by_label("No").check()
    page.locator("#q_communal-block").get_by_label("No", exact=True).check()
    page.locator("#q_TP11-block").get_by_label("Don't know").check()
    page.locator("#q_TP12-block").get_by_label("Not applicable").check()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url(f"**/w/{consultation.slug}/thanks")
    db.session.expire_all()
    answers = {a.question.key for a in db.session.scalars(select(Response)).one().answers}
    assert "repair_12m" in answers and "TP05" in answers and not {"TP02", "TP03", "TP04"} & answers


def test_shared_owners_are_not_asked_tp02_to_tp04_by_text(
    app: Flask, twilio_api: FakeTwilioApi, tsm_survey
) -> None:
    f.sms_customer(ANN, first_name="Ann", tenure="Shared ownership")
    consultation = tsm_survey(channels=["sms"])
    launch(consultation, now=utcnow())
    db.session.commit()
    dispatch_due(now=utcnow())
    assert _reply(app, "1", twilio_api).startswith("Q2: Has Derwent Living carried out a repair")
    # A repair, but TP02–TP04 are for rented homes only: straight on to TP05 (question 6).
    assert _reply(app, "yes", twilio_api).startswith("Q6: Thinking about the condition")
    db.session.expire_all()
    answers = {a.question.key for a in db.session.scalars(select(Response)).one().answers}
    assert answers == {"TP01", "repair_12m"}
