"""The lists page: managers change the landlord's lists; staff and strangers cannot; every change is audited."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Customer, StaffUser
from app.vocabulary.lists import load
from tests.conftest import signed_in


def test_signed_out_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/lists/tenure")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/lists/tenure/add", data={"new_value": "Council flat"}).status_code in (303, 401)
    assert "Council flat" not in load("tenure").values


def test_staff_cannot_see_or_change_the_lists(staff_client: FlaskClient) -> None:
    assert staff_client.get("/lists/").status_code == 403
    assert staff_client.get("/lists/tenure").status_code == 403
    assert staff_client.post("/lists/tenure/add", data={"new_value": "Council flat"}).status_code == 403
    assert "Council flat" not in load("tenure").values
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == 0


def test_manager_sees_lists_in_order_with_customer_counts(manager_client: FlaskClient) -> None:
    db.session.add_all([Customer(ref="A1", gender="Female"), Customer(ref="A2", gender="female")])
    db.session.commit()
    index = manager_client.get("/lists/").get_data(as_text=True)
    assert "Asian or Asian British, Black, Black British, Caribbean or African, Mixed" in index
    page = manager_client.get("/lists/gender").get_data(as_text=True)
    assert page.index(">Female<") < page.index(">Male<") < page.index(">Non-binary<")
    female_row = page[page.index('id="value-1"') : page.index('id="value-2"')]
    assert re.search(r'<td class="num">2</td>', female_row)
    assert "Woman" in female_row


def test_manager_changes_are_saved_and_audited(manager_client: FlaskClient) -> None:
    db.session.add(Customer(ref="A1", tenure="Leaseholder"))
    db.session.commit()
    steps = [
        ("/lists/tenure/add", {"new_value": "Key worker"}),
        ("/lists/tenure/move", {"value": "Key worker", "step": "up"}),
        ("/lists/tenure/move", {"value": "Key worker", "step": "up"}),
        ("/lists/tenure/synonyms", {"value": "Key worker", "synonym": "Keyworker housing"}),
        ("/lists/tenure/rename", {"value": "Leaseholder", "rename": "Leasehold owner"}),
        ("/lists/tenure/retire", {"value": "Leasehold owner", "into": "Shared ownership"}),
    ]
    for path, form in steps:
        response = manager_client.post(path, data=form)
        assert response.status_code == 303, (path, response.get_data(as_text=True))
    tenure = load("tenure")
    assert tenure.values == (
        "General needs",
        "Affordable rent",
        "Supported housing",
        "Key worker",
        "Shared ownership",
    )
    assert tenure.canonical("keyworker  housing") == "Key worker"
    assert tenure.canonical("leaseholder") == "Shared ownership"
    assert db.session.scalar(select(Customer.tenure)) == "Shared ownership"
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.actor_email).order_by(AuditEvent.id)
    ).all()
    assert [a for a, _ in events] == [
        "vocabulary.add",
        "vocabulary.move",
        "vocabulary.move",
        "vocabulary.synonym.add",
        "vocabulary.rename",
        "vocabulary.retire",
    ]
    assert all(email.startswith("manager-") for _, email in events)
    page = manager_client.get("/lists/tenure").get_data(as_text=True)
    assert (
        "Retired &#39;Leasehold owner&#39;; 1 customer record(s) now say &#39;Shared ownership&#39;" in page
    )


def test_problems_show_beside_their_field_and_change_nothing(manager_client: FlaskClient) -> None:
    db.session.add(Customer(ref="A1", disability="Yes"))
    db.session.commit()
    refused = manager_client.post("/lists/disability/retire", data={"value": "Yes", "into": ""})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    message = "1 customer(s) have &#39;Yes&#39;: choose the value they should have instead."
    assert re.search(r'<small id="into-1-error" class="field-error" role="alert">' + re.escape(message), page)
    assert 'aria-describedby="into-1-error"' in page
    assert page.count("<details open>") == 1
    assert "<title>Error: " in page
    clash = manager_client.post("/lists/disability/add", data={"new_value": " NO "})
    assert clash.status_code == 422
    assert (
        '<small id="new_value-error" class="field-error" role="alert">&#39;No&#39; is already on the list.'
        in (clash.get_data(as_text=True))
    )
    assert manager_client.post("/lists/nonsense/add", data={"new_value": "x"}).status_code == 404
    assert load("disability").values == ("Yes", "No", "Prefer not to say")
    assert not load("disability").stored
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == 0


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_changes_without_the_page_token_are_refused(app: Flask, make_user: Callable[..., StaffUser]) -> None:
    client = signed_in(app, make_user("manager"))
    refused = client.post("/lists/gender/add", data={"new_value": "Robot"})
    assert refused.status_code == 400
    assert "Robot" not in load("gender").values
    page = client.get("/lists/gender").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    accepted = client.post("/lists/gender/add", data={"new_value": "Agender", "csrf_token": token.group(1)})
    assert accepted.status_code == 303
    assert load("gender").values[-1] == "Agender"


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/lists/tenure/add", {"new_value": "Council\x00flat"}),
        ("/lists/tenure/add", {"new_value": "x" * 5000}),
        ("/lists/tenure/rename", {"value": "Nowhere", "rename": "Somewhere"}),
        ("/lists/tenure/rename", {"value": "Leaseholder", "rename": "\x07"}),
        ("/lists/tenure/synonyms", {"value": "Leaseholder", "synonym": "a\x00b"}),
        ("/lists/tenure/retire", {"value": "Leaseholder", "into": "Nowhere"}),
        ("/lists/tenure/retire", {"value": "Leaseholder", "into": "Leaseholder"}),
        ("/lists/tenure/move", {"value": "Nowhere", "step": "up"}),
        ("/lists/tenure/synonyms/999/remove", {}),
        ("/lists/area/retire", {"value": "Nowhere"}),
    ],
)
def test_hostile_changes_are_refused_cleanly(
    manager_client: FlaskClient, path: str, form: dict[str, str]
) -> None:
    response = manager_client.post(path, data=form)
    # A NUL byte is refused by the app-wide guard before the form is read (400); the rest by the form.
    nul = any("\x00" in value for value in form.values())
    assert response.status_code == (400 if nul else 422)
    body = response.get_data(as_text=True)
    assert "Nothing was changed" in body or "Nothing was saved" in body  # NUL bytes are refused app-wide
    assert not load("tenure").stored
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == 0
