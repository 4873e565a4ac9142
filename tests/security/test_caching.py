"""Probe: staff pages and exports are never cached; trusted forwarded headers that never come are reported."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from app.extensions import db
from app.models.base import utcnow
from consultations.events.definitions import save_definition
from tests.consultations.events.conftest import local

PERIOD = {"from": "2011-04-01", "to": "2012-03-31"}


def test_staff_pages_and_exports_say_no_store(app, staff_client, manager_client) -> None:
    for path in ("/", "/events/"):
        response = staff_client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    download = manager_client.get("/reports/download/json", query_string=PERIOD)
    assert download.status_code == 200
    assert download.headers["Cache-Control"] == "no-store"


def test_public_pages_keep_their_caching(app, client) -> None:
    start = utcnow() + timedelta(days=20)
    event, _ = save_definition(
        {"slug": "tea", "title": "Tea", "activity": "Tenants' forum", "capacity": 30,
         "starts_at": local(start)[:16], "ends_at": local(start + timedelta(hours=2))[:16]},
        now=utcnow(),
    )  # fmt: skip
    db.session.commit()
    response = client.get(f"/e/{event.slug}")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")


def test_static_files_stay_cacheable_for_staff(app, staff_client) -> None:
    response = staff_client.get("/static/involve.css")
    response.close()
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


PROXIED = pytest.mark.parametrize("app_config", [{"PROXY_FIX_X_FOR": 1}])


@pytest.fixture(autouse=True)
def live_logger(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo Alembic's fileConfig (the migration tests) switching off loggers that already exist."""
    monkeypatch.setattr(logging.getLogger("app.web.caching"), "disabled", False)


@PROXIED
def test_trusted_proxy_headers_missing_warns_once(app, client, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="app.web.caching"):
        client.get("/login")
        client.get("/login")
    warnings = [r for r in caplog.records if r.name == "app.web.caching"]
    assert len(warnings) == 1 and "X-Forwarded-For" in warnings[0].getMessage()


@PROXIED
def test_no_warning_when_the_proxy_sends_its_headers(app, client, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="app.web.caching"):
        client.get("/login", headers={"X-Forwarded-For": "203.0.113.9"})
    assert not [r for r in caplog.records if r.name == "app.web.caching"]


def test_no_warning_without_proxy_settings(app, client, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="app.web.caching"):
        client.get("/login")
    assert not [r for r in caplog.records if r.name == "app.web.caching"]
