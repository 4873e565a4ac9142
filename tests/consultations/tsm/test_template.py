"""The TSM template: the regulator's twelve questions, scales, routing and the landlord's name."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from consultations.surveys.models import Consultation
from consultations.surveys.qtypes import AGREEMENT, SATISFACTION, kind
from consultations.tsm.template import MEASURES


def test_template_imports_with_the_measures_in_order_and_routing(app: Flask, tsm_survey) -> None:
    consultation = tsm_survey()
    questions = {q.key: q for q in consultation.questions}
    keys = [q.key for q in consultation.questions]
    assert keys == [
        "TP01", "repair_12m", "TP02", "TP03", "TP04", "TP05", "TP06", "TP07", "TP08",
        "complaint_12m", "TP09", "communal", "TP10", "TP11", "TP12",
    ]  # fmt: skip
    assert set(MEASURES) <= set(keys)
    tp01 = questions["TP01"]
    assert tp01.text == (
        "Taking everything into account, how satisfied or dissatisfied are you with the service "
        "provided by Derwent Living?"
    )
    # TP01 offers no "don't know"; TP08 is the agreement scale, its statement quoted.
    assert kind(tp01).labels(tp01) == list(SATISFACTION)
    tp08 = questions["TP08"]
    assert kind(tp08).labels(tp08) == [*AGREEMENT, "Don't know"]
    assert "“Derwent Living treats me fairly and with respect”" in tp08.text
    assert questions["TP12"].options == ["Don't know", "Not applicable"]
    assert questions["TP02"].ask_if == {"key": "repair_12m", "in": ["Yes"]}
    assert questions["TP03"].ask_if == {"key": "repair_12m", "in": ["Yes"]}
    assert questions["TP09"].ask_if == {"key": "complaint_12m", "in": ["Yes"]}
    assert questions["TP10"].ask_if == {"key": "communal", "in": ["Yes"]}
    assert questions["communal"].options == ["Yes", "No", "Don't know"]
    assert questions["repair_12m"].options == ["Yes", "No"]
    assert "Tenant Satisfaction Measures" in consultation.intro and "10 minutes" in consultation.intro


def test_landlords_add_their_own_questions_after_the_required_ones(app: Flask, tsm_survey, tmp_path) -> None:
    from consultations.tsm.template import tsm_questions

    own = {
        "key": "easy",
        "text": "How easy are we to deal with?",
        "type": "satisfaction",
        "not_counted": ["Don't know"],
    }
    consultation = tsm_survey(questions=[*tsm_questions("Derwent Living"), own])
    assert [q.key for q in consultation.questions][-1] == "easy"


def test_own_questions_before_tp12_are_a_definition_error(app: Flask, runner, tmp_path) -> None:
    import json

    from consultations.tsm.template import tsm_definition

    definition = tsm_definition(landlord="Derwent Living", today=date(2026, 5, 1))
    own = {"key": "easy", "text": "How easy are we to deal with?", "type": "satisfaction"}
    definition["questions"].insert(3, own)
    path = tmp_path / "tsm.json"
    path.write_text(json.dumps(definition), encoding="utf-8")
    out = runner.invoke(args=["consultations", "import", str(path)])
    assert out.exit_code != 0
    assert "your own questions come after TP01–TP12: move easy after TP12" in out.output
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 0
    # Without all twelve measures it is an ordinary consultation, in any order.
    definition["questions"] = [own, *definition["questions"][:3]]
    path.write_text(json.dumps(definition), encoding="utf-8")
    assert runner.invoke(args=["consultations", "import", str(path)]).exit_code == 0
