"""Routing (ask_if): checked in definitions, followed by SMS, the web form, staff entry, figures and exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from consultations.surveys import stats
from consultations.surveys.definitions import DefinitionError, export_definition, validate
from consultations.surveys.exports import to_csv
from consultations.surveys.launch import launch
from consultations.surveys.models import Response
from consultations.surveys.webform import submit_open
from tests.consultations import factories as f
from tests.consultations.helpers import NOW, definition, make_consultation, sent_to, text_in

PHONE = "+447911123411"
ROUTED = [
    {
        "key": "repair",
        "text": "Have we repaired your home this year?",
        "type": "choice",
        "options": ["Yes", "No"],
    },
    {
        "key": "repair_sat",
        "text": "How satisfied are you with the repair?",
        "type": "satisfaction",
        "ask_if": {"key": "repair", "in": ["yes"]},
    },
    {
        "key": "score",
        "text": "How likely are you to recommend us, 1 to 5?",
        "type": "scale",
        "min": 1,
        "max": 5,
    },
    {
        "key": "why",
        "text": "Why so low?",
        "type": "text",
        "required": False,
        "ask_if": {"key": "score", "in": [1, "2"]},
    },
]


def _errors(questions: list[dict[str, Any]]) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        validate(definition(questions=questions))
    return caught.value.errors


def test_definitions_check_ask_if_names_an_earlier_question_and_its_answers(app: Flask) -> None:
    checked = validate(definition(questions=ROUTED)).questions
    # Answers are stored as the parent question writes them: the option's own case, numbers as text.
    assert checked[1]["ask_if"] == {"key": "repair", "in": ["Yes"]}
    assert checked[3]["ask_if"] == {"key": "score", "in": ["1", "2"]}
    later = [dict(ROUTED[1], ask_if={"key": "score", "in": ["1"]}), ROUTED[2]]
    assert (
        "Question 1: it can only depend on an earlier question, and none before it is called 'score'."
        in _errors(later)
    )
    wrong = [ROUTED[0], dict(ROUTED[1], ask_if={"key": "repair", "in": ["Maybe"]})]
    assert any("Maybe is not an answer to repair (Yes, No)" in e for e in _errors(wrong))
    out_of_range = [*ROUTED[:3], dict(ROUTED[3], ask_if={"key": "score", "in": [9]})]
    assert any("9 is not an answer to score" in e for e in _errors(out_of_range))
    bad_shape = [ROUTED[0], dict(ROUTED[1], ask_if={"key": "repair"})]
    assert any("write when to ask it like" in e for e in _errors(bad_shape))


def test_exported_definition_keeps_routing_and_imports_unchanged(app: Flask) -> None:
    consultation = make_consultation(questions=ROUTED)
    exported = export_definition(consultation)["questions"]
    assert exported[1]["ask_if"] == {"key": "repair", "in": ["Yes"]}
    assert exported[1]["type"] == "satisfaction"
    assert validate(definition(questions=exported)).questions[1]["ask_if"] == exported[1]["ask_if"]


def test_sms_conversation_passes_over_routed_questions(app: Flask) -> None:
    f.sms_customer(PHONE, first_name="Ann")
    consultation = make_consultation(channels=["sms"], questions=ROUTED)
    launch(consultation, now=NOW)
    db.session.commit()
    assert "Q1: Have we repaired your home this year?" in sent_to(PHONE)[0].body
    # "No" routes past the repair question straight to question 3.
    reply = text_in(PHONE, "no", now=NOW + timedelta(minutes=1))
    assert reply == ["Q3: How likely are you to recommend us, 1 to 5?\nReply a number from 1 to 5"]
    # A high score routes past the last question: the conversation ends with thanks.
    assert text_in(PHONE, "5", now=NOW + timedelta(minutes=2)) == ["Thank you!"]
    response = db.session.scalars(select(Response)).one()
    assert response.status == "completed"
    assert {a.question.key for a in response.answers} == {"repair", "score"}
    rows = list(csv.DictReader(io.StringIO(to_csv(consultation))))
    assert (rows[0]["repair_sat"], rows[0]["why"]) == ("(not asked)", "(not asked)")
    figures = {q.question.key: q for q in stats.question_figures(consultation)}
    assert figures["repair_sat"].not_asked == 1 and figures["why"].not_asked == 1
    assert sum(n for _, n in figures["repair_sat"].bars) == 0


def test_sms_asks_the_routed_question_when_the_answer_matches(app: Flask) -> None:
    f.sms_customer(PHONE, first_name="Ann")
    consultation = make_consultation(channels=["sms"], questions=ROUTED)
    launch(consultation, now=NOW)
    db.session.commit()
    reply = text_in(PHONE, "yes", now=NOW + timedelta(minutes=1))[0]
    assert reply.startswith(
        "Q2: How satisfied are you with the repair?\nReply 1 for Very satisfied, 2 for Fairly"
    )
    assert text_in(PHONE, "fairly satisfied", now=NOW + timedelta(minutes=2))[0].startswith("Q3:")
    assert text_in(PHONE, "2", now=NOW + timedelta(minutes=3))[0].startswith("Q4: Why so low?")
    assert text_in(PHONE, "Slow", now=NOW + timedelta(minutes=4)) == ["Thank you!"]
    response = db.session.scalars(select(Response)).one()
    got = {a.question.key: a.value for a in response.answers}
    assert got == {"repair": "Yes", "repair_sat": "Fairly satisfied", "score": "2", "why": "Slow"}


def test_web_form_ignores_and_never_requires_routed_past_questions(app: Flask) -> None:
    consultation = make_consultation(questions=ROUTED, web_link=True)
    # The repair question is required, but "No" routes past it: no error, and a value sent anyway
    # (a page without scripts shows every field) is not stored.
    outcome = submit_open(
        consultation, {"q_repair": "1", "q_repair_sat": "0", "q_score": "4"}, channel="web", now=NOW
    )
    assert outcome.ok, outcome.errors
    assert {a.question.key for a in outcome.response.answers} == {"repair", "score"}
    missing = submit_open(consultation, {"q_repair": "0", "q_score": "4"}, channel="web", now=NOW)
    assert missing.errors == {"q_repair_sat": "Choose an answer."}


def test_staff_entry_and_open_page_carry_routing_to_the_page(app: Flask, staff_client: FlaskClient) -> None:
    consultation = make_consultation(questions=ROUTED, web_link=True, status="open")
    consultation.status = "open"
    db.session.commit()
    page = staff_client.get(f"/consultations/{consultation.id}/entry").get_data(as_text=True)
    assert 'data-ask-if-field="q_repair"' in page and 'data-ask-if-values="[&#34;0&#34;]"' in page
    assert "Only if you answered “Yes” to question 1." in page
    assert "survey-routing.js" in page
    posted = staff_client.post(
        f"/consultations/{consultation.id}/entry",
        data={"entry_channel": "phone", "q_repair": "1", "q_score": "5"},
    )
    assert posted.status_code in (302, 303)
    response = db.session.scalars(select(Response)).one()
    assert response.channel == "phone" and {a.question.key for a in response.answers} == {"repair", "score"}
