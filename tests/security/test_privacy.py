"""Erasure, subject access and retention (UK GDPR duties) over every place that holds personal data."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import String, Text, func, select

from app.extensions import db
from app.models import AuditEvent, Customer, Participation, StaffUser
from app.privacy.access import subject_access
from app.privacy.services import PrivacyError, erase_customer
from consultations.events.models import Booking
from consultations.surveys.models import Answer, Invitation, Question, Response
from messaging.models import InboundMessage, OutboundMessage
from tests.conftest import signed_in
from tests.security.world import AFTER_EVENT, EMAIL, PHONE, build_world, report_json

SAID = "My neighbour at 4 Elm Road keeps the bins out"


def every_text_cell() -> list[tuple[str, str, str]]:
    """Return (table, column, value) for every non-empty text cell in the database."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            found += [(table.name, c.name, v) for c, v in zip(columns, row, strict=True) if v]
    return found


def answers_of(customer: Customer) -> list[tuple[str, Answer]]:
    rows = db.session.execute(
        select(Question.type, Answer)
        .join(Answer, Answer.question_id == Question.id)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.customer_id == customer.id)
    )
    return [(kind, answer) for kind, answer in rows]


def test_erasure_blanks_every_place_and_leaves_the_report_as_it_was(
    app: Flask, make_user: Callable[..., StaffUser]
) -> None:
    world = build_world(SAID)
    manager = make_user("manager")
    before = report_json()
    ledger_before = db.session.scalar(
        select(func.count()).select_from(Participation).where(Participation.customer_id == world.customer.id)
    )
    assert ledger_before == 5  # two panel meetings, the text survey, the web survey, the event
    assert any(PHONE in v or EMAIL in v for _, _, v in every_text_cell())

    changed = erase_customer(world.customer, actor=manager, now=AFTER_EVENT)
    db.session.commit()
    db.session.expire_all()

    after = report_json()
    # Every figure stays; only the profile, which compares people's profile fields and so cannot
    # count someone whose fields are gone, loses exactly this one person.
    assert {k: v for k, v in after.items() if k != "profile"} == {
        k: v for k, v in before.items() if k != "profile"
    }
    assert (after["profile"]["participants_total"], after["profile"]["base_total"]) == (
        before["profile"]["participants_total"] - 1,
        before["profile"]["base_total"] - 1,
    )
    person = db.session.get(Customer, world.customer.id)
    assert person is not None and person.erased_at == AFTER_EVENT
    assert (person.first_name, person.last_name, person.phone, person.email) == ("", "", None, None)
    assert [person.area_id, person.tenure, person.age_band, person.gender, person.ethnicity] == [None] * 5
    assert person.ref == "DL0001"  # kept so a later register import cannot bring them back
    assert not (person.sms_consent or person.email_consent)
    # Neither contact survives anywhere in the database.
    leaks = [(t, c) for t, c, v in every_text_cell() if PHONE in v or EMAIL in v]
    assert leaks == []
    messages = list(db.session.scalars(select(OutboundMessage)))
    guests = [m for m in messages if m.to_address == "guest@example.net"]
    assert len(guests) == 1 and guests[0].body  # the guest's own confirmation stays
    assert all(m.body == "" and m.to_address == "" for m in messages if m not in guests)
    texts = list(db.session.scalars(select(InboundMessage)))
    assert len(texts) == 3 and all(m.body == "" and m.from_number == "" for m in texts)
    answers = answers_of(person)
    assert {kind for kind, _ in answers} == {"choice", "scale", "text"}
    assert all(a.raw == "" for _, a in answers)
    assert [a.value for kind, a in answers if kind == "text"] == ["", ""]
    assert [a.option_index for kind, a in answers if kind == "choice"] == [0, 0]  # the counts stay
    assert all(i.address == "" for i in db.session.scalars(select(Invitation)))
    mine = db.session.scalar(select(Booking).where(Booking.customer_id == person.id))
    assert mine is not None and (mine.name, mine.phone, mine.email) == ("", None, None) and mine.attended
    guest = db.session.get(Booking, world.guest.id)
    assert guest is not None and guest.name == SAID  # someone else's booking is left alone
    assert (
        db.session.scalar(
            select(func.count()).select_from(Participation).where(Participation.customer_id == person.id)
        )
        == ledger_before
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customer.erase"))
    assert event is not None and event.actor_email == manager.email
    assert event.detail["outbound_messages"] >= 2 and event.detail["inbound_messages"] == 3
    assert SAID not in json.dumps(event.detail) and changed == event.detail


def test_a_second_erasure_is_refused(app: Flask) -> None:
    world = build_world(SAID)
    erase_customer(world.customer, actor=None, now=AFTER_EVENT)
    db.session.commit()
    try:
        erase_customer(world.customer, actor=None, now=AFTER_EVENT)
    except PrivacyError as exc:
        assert "already erased" in str(exc)
    else:
        raise AssertionError("a second erasure went through")


def test_subject_access_lists_what_every_place_holds(app: Flask) -> None:
    world = build_world(SAID)
    data = subject_access(world.customer, AFTER_EVENT)
    json.dumps(data)  # JSON-ready as it stands
    assert data["customer"]["phone"] == PHONE and data["customer"]["area"] == "Derby"
    assert len(data["participation"]) == 5
    assert {row["channel"] for row in data["participation"]} == {"in person", "sms", "web", "event"}
    assert {m["to"] for m in data["outbound_messages"]} == {PHONE, EMAIL}
    assert [m["body"] for m in data["inbound_messages"]] == ["1", "4", SAID]
    assert [a["answer"] for a in data["survey_answers"] if a["question"] == "Anything to add?"] == [
        SAID,
        SAID,
    ]
    assert [(b["event"], b["attended"]) for b in data["event_bookings"]] == [("The Big Get Together", True)]


def test_commands_export_erase_and_refuse_unknown_references(app: Flask) -> None:
    world = build_world(SAID)
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["privacy", "export", "dl0001"])
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.output)["customer"]["email"] == EMAIL
    erased = runner.invoke(args=["privacy", "erase", "DL0001", "--yes"])
    assert erased.exit_code == 0 and "Erased DL0001" in erased.output
    again = runner.invoke(args=["privacy", "erase", "DL0001", "--yes"])
    assert again.exit_code == 1 and "already erased" in again.output
    unknown = runner.invoke(args=["privacy", "export", "NOPE"])
    assert unknown.exit_code == 1 and "No customer has the reference 'NOPE'" in unknown.output
    db.session.expire_all()
    assert db.session.get(Customer, world.customer.id).email is None
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-2:] == ["customer.export", "customer.erase"]


def test_managers_erase_from_the_customer_page_once_they_confirm(
    app: Flask, make_user: Callable[..., StaffUser]
) -> None:
    world = build_world(SAID)
    manager = signed_in(app, make_user("manager"))
    page = manager.get(f"/customers/{world.customer.id}").get_data(as_text=True)
    assert f"/customers/{world.customer.id}/erase" in page and f"/customers/{world.customer.id}/data" in page
    g.pop("_login_user", None)  # the test keeps one app context, so Flask-Login's cache outlives requests
    staff_page = (
        signed_in(app, make_user("staff")).get(f"/customers/{world.customer.id}").get_data(as_text=True)
    )
    g.pop("_login_user", None)
    assert "/erase" not in staff_page and "/data" not in staff_page

    unconfirmed = manager.post(f"/customers/{world.customer.id}/erase", follow_redirects=True)
    assert "This cannot be undone" in unconfirmed.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Customer, world.customer.id).erased_at is None

    done = manager.post(
        f"/customers/{world.customer.id}/erase", data={"confirm": "yes"}, follow_redirects=True
    )
    assert "personal details were erased" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Customer, world.customer.id).phone is None


def test_managers_read_and_download_a_subject_access_export(app: Flask, manager_client: FlaskClient) -> None:
    world = build_world(SAID)
    page = manager_client.get(f"/customers/{world.customer.id}/data")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Inbound messages" in html and SAID in html and "The Big Get Together" in html
    download = manager_client.get(f"/customers/{world.customer.id}/data.json")
    assert download.status_code == 200 and download.mimetype == "application/json"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.get_json()["customer"]["ref"] == "DL0001"
    formats = [e.detail["format"] for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
               if e.action == "customer.export"]  # fmt: skip
    assert formats == ["html", "json"]
