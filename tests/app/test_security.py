"""Every staff route is guarded by role; forms need a CSRF token; production cookies are secure.

Routes are enumerated from the app's URL map, so routes other packages add later are covered.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import Rule

from app.config import SettingsError
from app.extensions import db
from app.factory import create_app
from app.models import Activity, Cost, Customer, StaffUser
from app.models.people import ROLES
from tests.conftest import PASSWORD, signed_in

PUBLIC_ENDPOINTS = {
    "static",
    "health.healthz",
    "auth.login",
    "auth.logout",
    "password.forgot",
    "password.reset",
}
# Pages outsiders use: emailed survey links, the website survey anyone may answer, event booking,
# unsubscribe and the Twilio webhooks.
PUBLIC_PREFIXES = ("/s/", "/w/", "/e/", "/u/", "/messaging/twilio/", "/residents/")
LOWER_ROLE = {"manager": "staff", "admin": "manager"}


def is_public(rule: Rule) -> bool:
    return rule.endpoint in PUBLIC_ENDPOINTS or rule.rule.startswith(PUBLIC_PREFIXES)


def staff_rules(app: Flask) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules() if not is_public(r)), key=lambda r: r.rule)


def dummy_value(rule: Rule, name: str) -> Any:
    """A plausible value for a URL argument, by its converter."""
    converter = type(rule._converters[name]).__name__
    if converter == "IntegerConverter":
        return 1
    if converter == "UUIDConverter":
        return uuid.uuid4()
    if converter == "AnyConverter":
        return sorted(rule._converters[name].items)[0]  # type: ignore[attr-defined]
    return "x"


def request_for(rule: Rule) -> tuple[str, str]:
    """Return (method, path) to exercise ``rule`` with dummy arguments."""
    values = {name: dummy_value(rule, name) for name in rule.arguments}
    methods = rule.methods or {"GET"}
    method = "GET" if "GET" in methods else "POST" if "POST" in methods else sorted(methods - {"OPTIONS"})[0]
    _, path = rule.build(values, append_unknown=False) or ("", "")
    return method, path


def call(client: FlaskClient, method: str, path: str) -> Any:
    return client.open(path, method=method, data={} if method != "GET" else None)


def test_the_route_map_holds_the_core_staff_screens(app: Flask) -> None:
    endpoints = {r.endpoint for r in staff_rules(app)}
    expected = {
        "web.home",
        "people.customers",
        "people.customer",
        "people.new_customer",
        "people.staff_users",
        "involvement.activities",
        "involvement.activity",
        "involvement.log_participation_view",
        "involvement.delete_ledger_row_view",
        "involvement.outcomes",
        "involvement.actions",
        "involvement.budgets",
        "involvement.edit_budget",
    }
    assert expected <= endpoints


def test_every_staff_route_wears_roles_required(app: Flask) -> None:
    missing = [
        f"{rule.rule} ({rule.endpoint})"
        for rule in staff_rules(app)
        if getattr(app.view_functions[rule.endpoint], "required_role", None) not in ROLES
    ]
    assert not missing, "routes without roles_required:\n" + "\n".join(missing)


def test_every_staff_route_sends_anonymous_visitors_to_sign_in(client: FlaskClient, app: Flask) -> None:
    wrong = []
    for rule in staff_rules(app):
        method, path = request_for(rule)
        response = call(client, method, path)
        location = response.headers.get("Location", "")
        # 303 after a POST, so the browser follows with a GET; 302 otherwise.
        if response.status_code != (303 if method == "POST" else 302) or not location.startswith("/login"):
            wrong.append(f"{method} {path} -> {response.status_code} {location}")
    assert not wrong, "\n".join(wrong)


def test_routes_refuse_roles_below_their_own(app: Flask, make_user: Callable[..., StaffUser]) -> None:
    clients = {role: signed_in(app, make_user(role)) for role in LOWER_ROLE.values()}
    checked, wrong = 0, []
    for rule in staff_rules(app):
        needed = getattr(app.view_functions[rule.endpoint], "required_role", "staff")
        if needed not in LOWER_ROLE:
            continue
        method, path = request_for(rule)
        response = call(clients[LOWER_ROLE[needed]], method, path)
        checked += 1
        if response.status_code != 403:
            wrong.append(f"{method} {path} as {LOWER_ROLE[needed]} -> {response.status_code}")
    assert not wrong, "\n".join(wrong)
    # At least the ledger delete, budget edits and staff logins are above the staff role.
    assert checked >= 5


def test_a_switched_off_login_loses_its_open_session(app: Flask, make_user: Callable[..., StaffUser]) -> None:
    user = make_user("admin")
    client = signed_in(app, user)
    assert client.get("/customers/").status_code == 200
    user.active = False
    db.session.commit()
    response = client.get("/customers/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_staff_cannot_delete_ledger_rows(app: Flask, staff_client: FlaskClient) -> None:
    activity = Activity(name="Reading Panel", category="panel")
    db.session.add(activity)
    db.session.flush()
    cost = Cost(activity_id=activity.id, date=date(2026, 5, 1), amount=Decimal("5.00"))
    db.session.add(cost)
    db.session.commit()
    response = staff_client.post(f"/activities/{activity.id}/ledger/cost/{cost.id}/delete")
    assert response.status_code == 403
    assert db.session.get(Cost, cost.id) is not None


def _token(client: FlaskClient, path: str) -> str:
    match = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).get_data(as_text=True)
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_posts_without_a_csrf_token_are_refused_and_write_nothing(
    app: Flask, make_user: Callable[..., StaffUser]
) -> None:
    user = make_user("manager")
    client = signed_in(app, user)
    form = {"ref": "DL1", "first_name": "Ann", "last_name": "Lee"}
    refused = client.post("/customers/new", data=form)
    assert refused.status_code == 400
    assert "The form expired" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0

    refused = client.post("/activities/new", data={"name": "Local Offers", "category": "consultation"})
    assert refused.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0

    refused_logout = client.post("/logout")
    assert refused_logout.status_code == 400
    assert client.get("/customers/").status_code == 200  # still signed in

    # The same form with the page's token goes through, so the refusal above was the token's doing.
    accepted = client.post("/customers/new", data={**form, "csrf_token": _token(client, "/customers/new")})
    assert accepted.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 1


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_sign_in_without_a_csrf_token_is_refused(app: Flask, make_user: Callable[..., StaffUser]) -> None:
    user = make_user("staff")
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


@pytest.fixture
def production_app(app: Flask, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The app as production runs it (secure cookies), on the test database."""
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "MAIL_USERNAME", "MAIL_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    prod = create_app(
        {
            "INVOLVE_ENV": "production",
            "SECRET_KEY": "production-secret",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "ALLOW_SQLITE_IN_PRODUCTION": True,
            # No real Twilio or SMTP here; the cookie settings do not depend on them.
            "MESSAGING_ALLOW_DEV_CHANNELS": True,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    yield prod
    with prod.app_context():
        db.engine.dispose()


def test_production_cookies_are_secure_http_only_and_same_site(
    production_app: Flask, make_user: Callable[..., StaffUser]
) -> None:
    assert production_app.config["SESSION_COOKIE_SECURE"] is True
    assert production_app.config["REMEMBER_COOKIE_SECURE"] is True
    user = make_user("staff")
    client = production_app.test_client()
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD}, base_url="https://involve.test"
    )
    assert response.status_code == 303
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_development_cookies_are_not_marked_secure(app: Flask) -> None:
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_refuses_to_start_without_a_secret_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        create_app({"INVOLVE_ENV": "production", "SECRET_KEY": None, "ALLOW_SQLITE_IN_PRODUCTION": True})


def test_pages_carry_security_headers(staff_client: FlaskClient) -> None:
    response = staff_client.get("/customers/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
