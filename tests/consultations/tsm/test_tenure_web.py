"""Shared owners answer the emailed TSM form without TP02–TP04; renters see all twelve."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from consultations.surveys.launch import launch
from consultations.surveys.models import Invitation, Response
from messaging.api import dispatch_due
from tests.consultations import factories as f
from tests.fakes.smtp import FakeSmtp


@pytest.fixture
def app_config(smtp_config: dict[str, Any]) -> dict[str, Any]:
    return dict(smtp_config, LANDLORD_NAME="Derwent Living")


def _links(smtp_server: FakeSmtp) -> dict[str, str]:
    out = {}
    for message in smtp_server.messages:
        text = message.get_body(preferencelist=("plain",)).get_content()
        link = re.search(r"http://involve\.test(/s/[\w-]+)", text)
        assert link is not None
        out[message["To"]] = link.group(1)
    return out


def test_shared_owners_are_not_asked_tp02_to_tp04_on_the_web(
    app: Flask, smtp_server: FakeSmtp, tsm_survey
) -> None:
    f.email_customer("sue@example.org", first_name="Sue", tenure="Shared ownership")
    f.email_customer("ann@example.org", first_name="Ann", tenure="General needs")
    consultation = tsm_survey(channels=["email"])
    launch(consultation, now=utcnow())
    db.session.commit()
    dispatch_due(now=utcnow())
    links = _links(smtp_server)
    client = app.test_client()
    owner = client.get(links["sue@example.org"]).get_data(as_text=True)
    renter = client.get(links["ann@example.org"]).get_data(as_text=True)
    for key in ("TP02", "TP03", "TP04"):
        assert f"q_{key}-block" in renter and f"q_{key}-block" not in owner, key
    assert "q_TP05-block" in owner
    form = {"q_TP01": "0", "q_repair_12m": "0", "q_TP02": "0", "q_TP03": "0", "q_TP04": "0"}
    for key in ("TP05", "TP06", "TP07", "TP08", "TP11", "TP12"):
        form[f"q_{key}"] = "1"
    form.update({"q_complaint_12m": "1", "q_communal": "1"})
    done = client.post(links["sue@example.org"], data=form)
    assert done.status_code == 303, done.get_data(as_text=True)
    db.session.expire_all()
    invitation = db.session.scalar(select(Invitation).where(Invitation.address == "sue@example.org"))
    response = db.session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    keys = {a.question.key for a in response.answers}
    assert "TP01" in keys and "TP05" in keys and not {"TP02", "TP03", "TP04"} & keys


def _all_answers(**overrides: str) -> dict[str, str]:
    form = {"q_TP01": "0", "q_repair_12m": "0", "q_TP02": "0", "q_TP03": "0", "q_TP04": "0"}
    for key in ("TP05", "TP06", "TP07", "TP08", "TP11", "TP12"):
        form[f"q_{key}"] = "1"
    form.update({"q_complaint_12m": "1", "q_communal": "1"})
    form.update(overrides)
    return form


def _keys() -> set[str]:
    db.session.expire_all()
    response = db.session.scalars(select(Response).order_by(Response.id.desc())).first()
    return {a.question.key for a in response.answers}


def test_the_open_link_asks_the_tenure_and_routes_shared_owners_past_tp02_to_tp04(
    app: Flask, tsm_survey
) -> None:
    consultation = tsm_survey(channels=["email"], web_link=True)
    consultation.status = "open"
    db.session.commit()
    client = app.test_client()
    url = f"/w/{consultation.slug}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="tsm_tenure" value="shared"' in page
    assert 'id="q_TP04-block" aria-describedby="q_TP04-hint" data-not-if-field="tsm_tenure"' in page
    assert (
        "Not asked of shared owners." in page
        and "data-not-if-field" not in page.split('id="q_TP05-block"')[1].split("</fieldset>")[0]
    )
    missing = client.post(url, data=_all_answers())
    assert missing.status_code == 422
    assert (
        "Tell us whether you rent your home or own part of it through shared ownership."
        in missing.get_data(as_text=True)
    )
    assert db.session.scalar(select(Response.id)) is None
    assert client.post(url, data=_all_answers(tsm_tenure="shared")).status_code == 303
    assert "TP01" in _keys() and not {"TP02", "TP03", "TP04"} & _keys()
    assert client.post(url, data=_all_answers(tsm_tenure="rent")).status_code == 303
    assert {"TP02", "TP03", "TP04"} <= _keys()


def test_a_matched_customer_is_routed_by_the_registers_tenure(app: Flask, tsm_survey) -> None:
    f.customer(ref="SO-1", last_name="Owens", tenure="Shared ownership")
    consultation = tsm_survey(channels=["email"], web_link=True)
    consultation.status = "open"
    db.session.commit()
    form = _all_answers(tsm_tenure="rent", customer_ref="so-1", customer_check="owens")
    assert app.test_client().post(f"/w/{consultation.slug}", data=form).status_code == 303
    assert "TP01" in _keys() and not {"TP02", "TP03", "TP04"} & _keys()


def test_staff_entry_follows_the_same_rule(app: Flask, tsm_survey, staff_client) -> None:
    f.customer(ref="GN-1", tenure="General needs")
    f.customer(ref="SO-2", tenure="Shared ownership")
    consultation = tsm_survey(channels=["email"])
    url = f"/consultations/{consultation.id}/entry"
    assert 'name="tsm_tenure"' in staff_client.get(url).get_data(as_text=True)
    assert staff_client.post(url, data=_all_answers(customer_ref="SO-2")).status_code == 303
    assert not {"TP02", "TP03", "TP04"} & _keys()
    assert staff_client.post(url, data=_all_answers(customer_ref="GN-1")).status_code == 303
    assert {"TP02", "TP03", "TP04"} <= _keys()
    # Nobody named: staff say which, or nothing is stored.
    before = db.session.scalar(select(db.func.count(Response.id)))
    assert staff_client.post(url, data=_all_answers()).status_code == 422
    assert db.session.scalar(select(db.func.count(Response.id))) == before
    assert staff_client.post(url, data=_all_answers(tsm_tenure="shared")).status_code == 303
    assert not {"TP02", "TP03", "TP04"} & _keys()


def test_with_no_shared_ownership_tenures_the_open_link_asks_no_tenure(app: Flask, tsm_survey) -> None:
    app.config["TSM_LCHO_TENURES"] = ""
    consultation = tsm_survey(channels=["email"], web_link=True)
    consultation.status = "open"
    db.session.commit()
    client = app.test_client()
    assert 'name="tsm_tenure"' not in client.get(f"/w/{consultation.slug}").get_data(as_text=True)
    assert client.post(f"/w/{consultation.slug}", data=_all_answers()).status_code == 303
    assert {"TP02", "TP03", "TP04"} <= _keys()
