"""Test apps are sealed off: their own instance folder, no developer settings, loopback only."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.conftest import NetworkBlocked, make_app

ROOT = Path(__file__).resolve().parents[2]


def test_the_app_has_its_own_instance_folder(app, tmp_path) -> None:
    assert Path(app.instance_path) == tmp_path / "instance"
    assert Path(app.instance_path) != ROOT / "instance"


def test_developer_settings_and_involve_cfg_never_reach_a_test_app(
    database_url, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC-from-the-developers-shell")
    monkeypatch.setenv("SMS_RATE_PER_SECOND", "99")
    instance = tmp_path / "instance"
    app = make_app(database_url, instance)
    assert app.config["TWILIO_ACCOUNT_SID"] == "" and app.config["SMS_RATE_PER_SECOND"] == 10
    # A settings file is read from the test's own folder only.
    (instance / "involve.cfg").write_text('ORGANISATION_NAME = "Test Homes"\n')
    assert make_app(database_url, instance).config["ORGANISATION_NAME"] == "Test Homes"
    assert make_app(database_url, tmp_path / "other").config["ORGANISATION_NAME"] == "Derwent Living"


def test_connections_off_loopback_are_refused(loopback_only) -> None:
    with socket.socket() as sock, pytest.raises(NetworkBlocked):
        sock.connect(("192.0.2.10", 443))  # TEST-NET-1: refused before any packet leaves
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("198.51.100.7", 80), timeout=1)
    assert loopback_only == [("192.0.2.10", 443), ("198.51.100.7", 80)]
    loopback_only.clear()  # seen and asserted: do not fail this test at teardown


def test_loopback_connections_work() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass


def test_an_app_built_directly_also_gets_a_folder_of_its_own(tmp_path) -> None:
    from app.factory import create_app

    built = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert Path(built.instance_path) == tmp_path / "instance-from-env"
    assert built.config["TWILIO_ACCOUNT_SID"] == ""
