"""Security headers on every kind of response, HSTS over HTTPS, and the sign-in throttle."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from app.models import StaffUser
from tests.conftest import PASSWORD

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def check(response: object, where: str) -> list[str]:
    headers = response.headers  # type: ignore[attr-defined]
    wrong = [
        f"{where}: {name}={headers.get(name)!r}"
        for name, value in EXPECTED.items()
        if headers.get(name) != value
    ]
    csp = headers.get("Content-Security-Policy", "")
    for part in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self'"):
        if part not in csp:
            wrong.append(f"{where}: CSP lacks {part}")
    if "unsafe-eval" in csp or "script-src 'self' 'unsafe-inline'" in csp:
        wrong.append(f"{where}: CSP lets scripts run inline")
    return wrong


def test_every_kind_of_response_carries_the_headers(
    app: Flask, client: FlaskClient, staff_client: FlaskClient
) -> None:
    calls = [
        (client, "GET", "/login"), (client, "GET", "/healthz"), (client, "GET", "/static/involve.css"),
        (client, "GET", "/"), (client, "GET", "/s/not-a-token"), (client, "GET", "/w/nothing"),
        (client, "GET", "/e/nothing"), (client, "GET", "/u/garbled"), (client, "POST", "/messaging/twilio/sms"),
        (client, "POST", "/messaging/twilio/status"), (client, "DELETE", "/login"), (client, "GET", "/no/such/page"),
        (staff_client, "GET", "/customers/"), (staff_client, "GET", "/reports/download/csv"),
        (staff_client, "GET", "/customers/staff"), (staff_client, "GET", "/customers/99999"),
    ]  # fmt: skip
    wrong: list[str] = []
    statuses = set()
    for who, method, path in calls:
        response = who.open(path, method=method)
        statuses.add(response.status_code)
        wrong += check(response, f"{method} {path} ({response.status_code})")
        response.close()
    assert not wrong, "\n".join(wrong)
    assert {200, 302, 403, 404, 405} <= statuses


def test_hsts_only_over_https(client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://involve.test")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert check(secure, "https /login") == []


def test_the_throttle_counts_an_address_however_it_is_typed(
    client: FlaskClient, make_user: Callable[..., StaffUser]
) -> None:
    user = make_user("admin", email="ann@derwent.test")
    for typed in (
        "ann@derwent.test",
        "ANN@derwent.test",
        " ann@derwent.test ",
        "Ann@Derwent.Test",
        "ann@derwent.test",
    ):
        assert client.post("/login", data={"email": typed, "password": "wrong guess"}).status_code == 401
    locked = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.get_data(as_text=True)
    assert client.get("/").status_code == 302
