"""Consultation definitions: validation, import by slug, export round trip, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from app.extensions import db
from app.models import Activity
from consultations.field_errors import field_of
from consultations.surveys.definitions import (
    DefinitionError,
    export_definition,
    import_definition,
    validate,
)
from consultations.surveys.launch import launch
from consultations.surveys.models import Consultation
from tests.consultations import factories as f
from tests.consultations.helpers import NOW, definition, make_consultation


def errors_of(data: object) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        validate(data)
    return caught.value.errors


def test_every_problem_is_named_by_its_field(app: Flask) -> None:
    bad = definition(
        slug="Not A Slug",
        channels=["fax"],
        closes_at="next tuesday",
        minutes_per_response=-1,
        audience={"areas": ["Atlantis"]},
        questions=[
            {"key": "a", "text": "Pick", "type": "choice", "options": ["Only one"]},
            {"key": "a", "text": "", "type": "scale", "min": 5, "max": 1},
            {"key": "c", "text": "?", "type": "colour"},
        ],
    )
    errors = errors_of(bad)
    joined = "\n".join(errors)
    for expected in [
        "The web address (slug) may use only lower-case letters",
        "Choose how to send it: by text message, by email, or both.",
        "Enter the closing time as a date and time, like 2011-06-30T17:00 (not 'next tuesday')",
        "Enter the minutes one response takes as a number of at least 0.",
        "There is no area called Atlantis.",
        "Question 1: give between 2 and 26 options to choose from.",
        "Question 2: write the question.",
        "Question 2: the highest value must be above the lowest",
        "Question 3: choose the kind of answer",
        "Two questions have the short name 'a': give each its own.",
    ]:
        assert expected in joined
    # Each message knows the field it belongs beside, so forms can show it there.
    fields = {field_of(e) for e in errors}
    assert {"slug", "channels", "closes_at", "minutes_per_response", "options", "text", "type"} <= fields
    assert "slug must be" not in joined and "questions[" not in joined
    assert errors_of(definition(slug="")) == ["Give the survey a web address (slug)."]
    long_title = errors_of(definition(title="x" * 201))
    assert long_title == ["Keep the title to 200 characters or fewer (it has 201)."]
    assert errors_of([]) == ["the definition must be a JSON object"]
    assert any("unknown field(s): colour" in e for e in errors_of(definition(colour="red")))


def test_naive_times_are_london_and_yes_no_alias(app: Flask) -> None:
    checked = validate(
        definition(closes_at="2011-06-30T17:00:00", questions=[{"text": "Ok?", "type": "yes/no"}])
    )
    assert checked.closes_at is not None and checked.closes_at.isoformat() == "2011-06-30T16:00:00+00:00"
    assert checked.questions[0]["type"] == "yesno" and checked.questions[0]["key"] == "q1"


def test_import_creates_then_updates_by_slug_and_export_round_trips(app: Flask) -> None:
    consultation = make_consultation()
    assert db.session.scalar(select(Activity.category).where(Activity.name == "Derwent Life newsletter")) == (
        "consultation"
    )
    exported = export_definition(consultation)
    assert exported["closes_at"] == "2011-06-30T17:00:00"
    again, created = import_definition(json.loads(json.dumps(exported)))
    db.session.commit()
    assert not created and again.id == consultation.id
    assert export_definition(again) == exported

    changed = dict(exported, title="New title", questions=exported["questions"][:1])
    import_definition(changed)
    db.session.commit()
    assert [q.key for q in consultation.questions] == ["reads"] and consultation.title == "New title"


def test_launched_questions_cannot_change_but_settings_can(app: Flask) -> None:
    f.sms_customer("+447911123401")
    consultation = make_consultation(channels=["sms"])
    launch(consultation, now=NOW)
    db.session.commit()
    exported = export_definition(consultation)
    with pytest.raises(DefinitionError, match="has been launched"):
        import_definition(dict(exported, questions=exported["questions"][:2]))
    db.session.rollback()
    import_definition(dict(exported, thanks="Cheers!"))
    db.session.commit()
    assert consultation.thanks == "Cheers!" and len(consultation.questions) == 3


def test_cli_import_launch_close_export(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    f.sms_customer("+447911123401")
    db.session.commit()
    path = tmp_path / "c.json"
    path.write_text(json.dumps(definition(channels=["sms"])))
    assert runner.invoke(args=["consultations", "import", str(path)]).output.strip() == "newsletter-2011"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(definition(questions=[])))
    result = runner.invoke(args=["consultations", "import", str(bad)])
    assert result.exit_code != 0 and "Add at least one question." in result.output

    result = runner.invoke(args=["consultations", "launch", "newsletter-2011"])
    assert result.exit_code == 0 and "1 invited (1 by sms)" in result.output
    assert "already open" in runner.invoke(args=["consultations", "launch", "newsletter-2011"]).output
    exported = runner.invoke(args=["consultations", "export", "newsletter-2011", "--format", "json"])
    assert json.loads(exported.output)["slug"] == "newsletter-2011"
    csv_out = runner.invoke(args=["consultations", "export", "newsletter-2011", "--format", "csv"]).output
    assert csv_out.splitlines()[0].endswith("reads,score,comments")
    assert "closed" in runner.invoke(args=["consultations", "close", "newsletter-2011"]).output
    db.session.expire_all()
    assert db.session.scalar(select(Consultation.status)) == "closed"
    missing = runner.invoke(args=["consultations", "launch", "nope"])
    assert missing.exit_code != 0 and "no consultation with slug 'nope'" in missing.output
