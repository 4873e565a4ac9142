"""The staff logins page: admins create logins with a role and switch them off, never their own."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, StaffUser
from tests.conftest import signed_in


def test_admins_create_staff_logins_with_a_role(app: Flask, admin_client: FlaskClient) -> None:
    response = admin_client.post(
        "/customers/staff",
        data={
            "email": "New.Officer@Example.org",
            "name": "New Officer",
            "role": "manager",
            "password": "long enough pw",
            "confirm": "long enough pw",
        },
    )
    assert response.status_code == 303
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == "new.officer@example.org"))
    assert user.role == "manager" and user.check_password("long enough pw")
    listing = admin_client.get("/customers/staff").get_data(as_text=True)
    assert "new.officer@example.org" in listing


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password": "short", "confirm": "short"}, "Use at least 8 characters."),
        ({"password": "long enough pw", "confirm": "different pw"}, "The passwords do not match."),
        ({"email": "admin-dup@example.org"}, "already exists"),
    ],
)
def test_staff_login_form_messages(
    admin_client: FlaskClient, make_user: Callable[..., StaffUser], data: dict[str, str], message: str
) -> None:
    make_user("staff", email="admin-dup@example.org")
    form = {
        "email": "someone@example.org",
        "role": "staff",
        "password": "long enough pw",
        "confirm": "long enough pw",
    }
    response = admin_client.post("/customers/staff", data={**form, **data})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_admins_switch_logins_off_but_not_their_own(app: Flask, make_user: Callable[..., StaffUser]) -> None:
    admin = make_user("admin")
    other = make_user("staff")
    client = signed_in(app, admin)
    assert client.post(f"/customers/staff/{other.id}/active", data={"active": "0"}).status_code == 303
    assert client.post(f"/customers/staff/{admin.id}/active", data={"active": "0"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(StaffUser, other.id).active is False
    assert db.session.get(StaffUser, admin.id).active is True
    assert (
        db.session.scalar(select(AuditEvent.action).where(AuditEvent.target_id == str(other.id)))
        == "staff.disable"
    )
