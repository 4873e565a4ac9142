"""Settings docs/deploy.md relies on: forwarded headers are trusted only when PROXY_FIX_* says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, request

from app.config import SettingsError, load_settings
from tests.conftest import make_app

FORWARDED = {
    "X-Forwarded-For": "203.0.113.9",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "involve.example.org",
}


def probe(app: Flask) -> str:
    """Return what the app believes about a request that came through a proxy."""

    @app.get("/_probe")
    def _probe() -> str:
        return f"{request.url} {request.remote_addr}"

    return app.test_client().get("/_probe", headers=FORWARDED, environ_base={"REMOTE_ADDR": "10.0.0.2"}).text


def test_forwarded_headers_are_ignored_by_default(_schema: str, tmp_path: Path) -> None:
    assert probe(make_app(_schema, tmp_path)) == "http://localhost/_probe 10.0.0.2"


def test_proxy_fix_settings_trust_one_proxy(_schema: str, tmp_path: Path) -> None:
    settings = load_settings(
        str(tmp_path), {"PROXY_FIX_X_FOR": "1", "PROXY_FIX_X_PROTO": "1", "PROXY_FIX_X_HOST": "1"}
    )
    hops = {k: v for k, v in settings.items() if k.startswith("PROXY_FIX_")}
    assert hops == {"PROXY_FIX_X_FOR": 1, "PROXY_FIX_X_PROTO": 1, "PROXY_FIX_X_HOST": 1}
    assert probe(make_app(_schema, tmp_path, **hops)) == "https://involve.example.org/_probe 203.0.113.9"


def test_proxy_fix_proto_alone_leaves_host_and_address(_schema: str, tmp_path: Path) -> None:
    assert probe(make_app(_schema, tmp_path, PROXY_FIX_X_PROTO=1)) == "https://localhost/_probe 10.0.0.2"


def test_proxy_fix_setting_must_be_a_number(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="PROXY_FIX_X_FOR"):
        load_settings(str(tmp_path), {"PROXY_FIX_X_FOR": "yes"})
