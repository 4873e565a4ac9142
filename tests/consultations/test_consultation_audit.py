"""Every create, edit, launch, schedule and close of a consultation is audited; refusals say why."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import BytesIO
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, StaffUser
from consultations.surveys.models import Consultation
from tests.conftest import signed_in
from tests.consultations import factories
from tests.consultations.helpers import definition, make_consultation


def audit_rows() -> list[tuple[str, str, dict[str, Any]]]:
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    return [(row.action, row.target_id, row.detail) for row in rows]


SETTINGS = {
    "title": "Bins",
    "slug": "bins",
    "activity": "Bin survey",
    "new_activity": "on",
    "channels": ["sms"],
    "preference": "sms",
    "intro": "Hi {first_name}",
    "thanks": "Ta",
    "minutes_per_response": "3",
}


def test_building_a_consultation_is_audited_with_its_actor(
    app: Flask, make_user: Callable[..., StaffUser]
) -> None:
    staff = make_user("staff")
    client = signed_in(app, staff)
    assert client.post("/consultations/new", data=SETTINGS).status_code == 303
    consultation = db.session.scalars(select(Consultation)).one()
    cid = str(consultation.id)
    base = f"/consultations/{consultation.id}"
    assert client.post(f"{base}/edit", data={**SETTINGS, "title": "Bins 2"}).status_code == 303
    question = {"action": "add", "text": "Score?", "type": "scale", "min": "1", "max": "5"}
    assert client.post(f"{base}/questions", data=question).status_code == 303
    assert (
        client.post(f"{base}/questions", data={**question, "text": "Day?", "type": "text"}).status_code == 303
    )
    assert client.post(f"{base}/questions", data={"action": "down", "index": "0"}).status_code == 303
    deleted = client.post(f"{base}/questions", data={"action": "delete", "index": "1", "confirm": "yes"})
    assert deleted.status_code == 303
    assert client.post(f"{base}/audience", data={"consented_only": "on"}).status_code == 303

    assert audit_rows() == [
        ("consultation.create", cid, {"slug": "bins"}),
        ("consultation.update", cid, {"slug": "bins"}),
        ("consultation.update", cid, {"slug": "bins", "questions": "add", "key": "q1"}),
        ("consultation.update", cid, {"slug": "bins", "questions": "add", "key": "q2"}),
        ("consultation.update", cid, {"slug": "bins", "questions": "down", "key": "q1"}),
        ("consultation.update", cid, {"slug": "bins", "questions": "delete", "key": "q1"}),
        ("consultation.update", cid, {"slug": "bins", "audience": True}),
    ]
    assert [q.key for q in db.session.get(Consultation, consultation.id).questions] == ["q2"]
    assert set(db.session.scalars(select(AuditEvent.actor_email))) == {staff.email}


def test_refused_and_invalid_changes_write_no_audit_row(app: Flask, staff_client: Any) -> None:
    consultation = make_consultation(closes_at=None)
    base = f"/consultations/{consultation.id}"
    invalid = staff_client.post(f"{base}/edit", data={**SETTINGS, "slug": "Not A Slug"})
    assert invalid.status_code == 422 and "The web address (slug) may use only" in invalid.get_data(
        as_text=True
    )
    stale = staff_client.post(f"{base}/questions", data={"action": "delete", "index": "9", "confirm": "yes"})
    assert stale.status_code == 409 and "That question no longer exists" in stale.get_data(as_text=True)
    assert audit_rows() == []


def test_launch_schedule_and_close_are_audited_and_repeats_are_conflicts(
    app: Flask, staff_client: Any
) -> None:
    factories.sms_customer("+447912345601")
    consultation = make_consultation(closes_at=None)
    cid = str(consultation.id)
    base = f"/consultations/{consultation.id}"
    assert staff_client.post(f"{base}/schedule", data={"at": "not a time"}).status_code == 422
    assert staff_client.post(f"{base}/unschedule").status_code == 409
    assert staff_client.post(f"{base}/schedule", data={"at": "2999-01-01T09:00"}).status_code == 303
    assert staff_client.post(f"{base}/unschedule").status_code == 303
    assert staff_client.post(f"{base}/launch", data={"confirm": "yes"}).status_code == 303

    again = staff_client.post(f"{base}/launch", data={"confirm": "yes"})
    assert again.status_code == 409 and "already launched" in again.get_data(as_text=True)
    fixed = staff_client.post(f"{base}/questions", data={"action": "add", "text": "More?", "type": "text"})
    assert fixed.status_code == 409 and "questions and audience are fixed" in fixed.get_data(as_text=True)
    assert staff_client.post(f"{base}/audience", data={"consented_only": "on"}).status_code == 409
    # Once launched the channels are shown fixed (so not posted) and stay as they were.
    renamed = {**SETTINGS, "slug": "newsletter-2011", "activity": "Derwent Life newsletter", "channels": []}
    assert staff_client.post(f"{base}/edit", data={**renamed, "title": "Renamed"}).status_code == 303
    assert db.session.get(Consultation, consultation.id).channels == ["sms", "email"]
    assert staff_client.post(f"{base}/close", data={"confirm": "yes"}).status_code == 303
    closed = staff_client.post(f"{base}/close", data={"confirm": "yes"})
    assert closed.status_code == 409 and "is not open" in closed.get_data(as_text=True)
    edited = staff_client.post(f"{base}/edit", data={**renamed, "title": "Too late"})
    assert edited.status_code == 409 and "is closed, so its settings" in edited.get_data(as_text=True)

    assert [(action, target) for action, target, _ in audit_rows()] == [
        ("consultation.schedule", cid),
        ("consultation.unschedule", cid),
        ("consultation.launch", cid),
        ("consultation.update", cid),
        ("consultation.close", cid),
    ]
    closed_row = db.session.get(Consultation, consultation.id)
    assert closed_row.status == "closed" and closed_row.title == "Renamed"


def test_importing_a_definition_is_audited_as_create_then_update(app: Flask, staff_client: Any) -> None:
    factories.activity()
    db.session.commit()
    raw = json.dumps(definition()).encode()
    for _ in range(2):
        upload = {"definition": (BytesIO(raw), "survey.json")}
        assert staff_client.post("/consultations/import", data=upload).status_code == 303
    broken = staff_client.post("/consultations/import", data={"definition_text": "{not json"})
    assert broken.status_code == 422 and "not valid JSON" in broken.get_data(as_text=True)
    cid = str(db.session.scalars(select(Consultation.id)).one())
    imported = {"slug": "newsletter-2011", "imported": True}
    assert audit_rows() == [("consultation.create", cid, imported), ("consultation.update", cid, imported)]


def test_importing_new_questions_into_a_launched_consultation_is_a_conflict(
    app: Flask, staff_client: Any
) -> None:
    consultation = make_consultation(closes_at=None)
    assert (
        staff_client.post(f"/consultations/{consultation.id}/launch", data={"confirm": "yes"}).status_code
        == 303
    )
    changed = definition(closes_at=None, questions=[{"key": "new", "text": "New?", "type": "text"}])
    upload = {"definition": (BytesIO(json.dumps(changed).encode()), "survey.json")}
    refused = staff_client.post("/consultations/import", data=upload)
    assert refused.status_code == 409 and "its questions can no longer change" in refused.get_data(
        as_text=True
    )
    assert [q.key for q in db.session.get(Consultation, consultation.id).questions] == [
        "reads",
        "score",
        "comments",
    ]
    assert [action for action, _, _ in audit_rows()] == ["consultation.launch"]


def test_the_import_command_is_audited_as_the_command_line(app: Flask, tmp_path: Any) -> None:
    path = tmp_path / "survey.json"
    path.write_text(json.dumps(definition()), encoding="utf-8")
    assert app.test_cli_runner().invoke(args=["consultations", "import", str(path)]).exit_code == 0
    row = db.session.scalars(select(AuditEvent)).one()
    assert row.action == "consultation.create" and row.actor_email.startswith("command line")
