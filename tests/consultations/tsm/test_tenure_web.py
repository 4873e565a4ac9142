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
