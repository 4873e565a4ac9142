"""Staff sign-in: success, failure, throttling, safe redirects, sign-out and switched-off logins."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.auth.models import LoginAttempt, LoginCounter
from app.extensions import db
from app.models import StaffUser
from tests.conftest import PASSWORD


def sign_in(client: FlaskClient, email: str, password: str, next_url: str | None = None):  # type: ignore[no-untyped-def]
    path = "/login" if next_url is None else f"/login?next={next_url}"
    return client.post(path, data={"email": email, "password": password})


def test_sign_in_with_the_right_password_opens_the_home_page(
    client: FlaskClient, make_user: Callable[..., StaffUser]
) -> None:
    user = make_user("staff")
    response = sign_in(client, user.email.upper(), PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Customers on the register" in home.get_data(as_text=True)
    assert db.session.get(StaffUser, user.id).last_login_at is not None


def test_a_wrong_password_is_refused_with_a_message(
    client: FlaskClient, make_user: Callable[..., StaffUser]
) -> None:
    user = make_user("staff")
    response = sign_in(client, user.email, "not the password")
    assert response.status_code == 401
    assert "do not match an active account" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert (
        db.session.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.ok.is_(False)))
        == 1
    )


def test_an_unknown_email_gets_the_same_message(client: FlaskClient) -> None:
    response = sign_in(client, "nobody@involve.test", PASSWORD)
    assert response.status_code == 401
    assert "do not match an active account" in response.get_data(as_text=True)


def test_five_failures_lock_the_account_even_against_the_right_password(
    client: FlaskClient, make_user: Callable[..., StaffUser]
) -> None:
    user = make_user("staff")
    for _ in range(5):
        assert sign_in(client, user.email, "guess").status_code == 401
    locked = sign_in(client, user.email, PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_four_failures_still_let_the_right_password_in(
    client: FlaskClient, make_user: Callable[..., StaffUser]
) -> None:
    user = make_user("staff")
    for _ in range(4):
        sign_in(client, user.email, "guess")
    assert sign_in(client, user.email, PASSWORD).status_code == 303


def test_a_local_next_is_followed(client: FlaskClient, make_user: Callable[..., StaffUser]) -> None:
    user = make_user("staff")
    response = sign_in(client, user.email, PASSWORD, next_url="/customers/?q=smith")
    assert response.headers["Location"] == "/customers/?q=smith"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "%2F%2Fevil.example",
        "javascript:alert(1)",
        "/%0d%0aLocation:%20https://evil.example",
    ],
)
def test_next_never_leads_off_site(
    client: FlaskClient, make_user: Callable[..., StaffUser], target: str
) -> None:
    user = make_user("staff")
    response = sign_in(client, user.email, PASSWORD, next_url=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_anonymous_visit_redirects_to_sign_in_with_next(client: FlaskClient) -> None:
    response = client.get("/customers/?area=1")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_sign_out_ends_the_session(app: Flask, make_user: Callable[..., StaffUser]) -> None:
    user = make_user("staff")
    client = app.test_client()
    sign_in(client, user.email, PASSWORD)
    assert client.get("/").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_sign_out_is_post_only(staff_client: FlaskClient) -> None:
    assert staff_client.get("/logout").status_code == 405
    assert staff_client.get("/").status_code == 200


def test_a_switched_off_login_cannot_sign_in(
    client: FlaskClient, make_user: Callable[..., StaffUser]
) -> None:
    user = make_user("staff")
    user.active = False
    db.session.commit()
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 401
    assert client.get("/").status_code == 302


def test_an_empty_form_is_a_bad_request(client: FlaskClient) -> None:
    assert client.post("/login", data={}).status_code == 400


def test_signed_in_staff_skip_the_login_page(staff_client: FlaskClient) -> None:
    response = staff_client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_one_address_spraying_many_emails_is_locked_out(
    client: FlaskClient, make_user: Callable[..., StaffUser]
) -> None:
    user = make_user("staff")
    for n in range(20):  # one guess per address, far below the per-email limit
        assert sign_in(client, f"guess{n}@involve.test", "password1").status_code == 401
    # the 21st failure is already refused, and so is the right password for a real account after it
    assert sign_in(client, "guess20@involve.test", "password1").status_code == 429
    locked = sign_in(client, user.email, PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.get_data(as_text=True)
    assert client.get("/").status_code == 302
    # the same person from another address is let in
    elsewhere = client.post(
        "/login", data={"email": user.email, "password": PASSWORD}, environ_base={"REMOTE_ADDR": "192.0.2.7"}
    )
    assert elsewhere.status_code == 303


def test_nineteen_failures_from_one_address_still_let_the_right_password_in(
    client: FlaskClient, make_user: Callable[..., StaffUser]
) -> None:
    user = make_user("staff")
    for n in range(19):
        assert sign_in(client, f"guess{n}@involve.test", "password1").status_code == 401
    assert sign_in(client, user.email, PASSWORD).status_code == 303


@pytest.mark.parametrize("app_config", [{"LOGIN_MAX_FAILURES_PER_IP": 3}])
def test_the_address_limit_is_a_setting_and_older_failures_expire(
    client: FlaskClient, make_user: Callable[..., StaffUser]
) -> None:
    user = make_user("staff")
    for n in range(3):
        assert sign_in(client, f"guess{n}@involve.test", "password1").status_code == 401
    assert sign_in(client, user.email, PASSWORD).status_code == 429
    # once the lock window has passed, the failures no longer count
    for counter in db.session.scalars(select(LoginCounter)):
        counter.expires_at -= 16 * 60
    db.session.commit()
    assert sign_in(client, user.email, PASSWORD).status_code == 303
