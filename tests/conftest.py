"""Shared fixtures: a fresh database per run, a clean one per test, clients signed in by role."""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.extensions import db
from app.factory import create_app
from app.models import StaffUser, utcnow

pytest_plugins = ["tests.fakes.fixtures"]

PASSWORD = "correct horse battery"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out tests of several PostgreSQL processes from the SQLite run; the PostgreSQL run has them."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    left_out = [item for item in items if item.get_closest_marker("pg_run")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("pg_run")]


def skip_unless_required(flag: str, reason: str) -> None:
    """Skip for a missing part locally; fail instead when CI requires it (REQUIRE_PG / REQUIRE_BROWSER)."""
    if _flag(flag):
        pytest.fail(f"{flag}=1 but {reason}")
    pytest.skip(reason)  # only locally: CI sets REQUIRE_PG=1 REQUIRE_BROWSER=1, which fail instead


class NetworkBlocked(ConnectionRefusedError):
    """A test tried to reach a host that is not loopback."""


def _is_local(address: Any) -> bool:
    if isinstance(address, (str, bytes)):  # a Unix socket path
        return True
    host = str(address[0]).strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Refuse any connection that is not to loopback, and fail the test that tried (threads too)."""
    blocked: list[Any] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def check(address: Any) -> None:
        if not _is_local(address):
            blocked.append(address)
            raise NetworkBlocked(f"tests may only connect to loopback, not {address!r}")

    def connect(sock: socket.socket, address: Any) -> None:
        check(address)
        return real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        check(address)
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield blocked
    if blocked:
        pytest.fail(f"the test tried to reach the network: {blocked!r}")


# Settings a developer's shell may carry that must never reach an app a test builds.
DEVELOPER_SETTINGS = (
    "SECRET_KEY", "PUBLIC_BASE_URL", "INVOLVE_ENV", "SCHEDULER_ENABLED", "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER", "TWILIO_MESSAGING_SERVICE_SID", "TWILIO_API_BASE_URL",
    "MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER", "SMS_RATE_PER_SECOND",
)  # fmt: skip


@pytest.fixture(autouse=True)
def sealed_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Give any app a test builds directly (or in a child process) its own instance folder, no outside settings."""
    for name in DEVELOPER_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INVOLVE_INSTANCE_PATH", str(tmp_path / "instance-from-env"))


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _create_pg_database(admin_url: str) -> tuple[str, Callable[[], None]]:
    """Create a throwaway PostgreSQL database next to ``admin_url``; return its URL and a dropper."""
    url = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"involve_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The database this run uses: a new PostgreSQL database when DATABASE_URL names one, else SQLite."""
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith("postgres"):
        url, drop = _create_pg_database(configured)
        yield url
        drop()
        return
    if _flag("REQUIRE_PG"):
        pytest.fail("REQUIRE_PG=1 but DATABASE_URL does not point at PostgreSQL")
    yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'involve.sqlite3'}"


# The only environment a test app sees: a developer's TWILIO_*, DATABASE_URL or MAIL_* never leak in.
TEST_ENVIRON: dict[str, str] = {}


def make_app(database_url: str, instance: Path, **overrides: Any) -> Flask:
    """Create an app for tests on ``database_url``, with its own instance folder and no outside settings."""
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "PUBLIC_BASE_URL": "http://involve.test",
        "SMS_QUIET_HOURS": "",
        "SERVER_NAME": None,
        # The test's session shares the request's, so counters in process memory; the database
        # storage has its own tests (tests/app/test_ratelimit.py).
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    config.update(overrides)
    # DATABASE_URL too, so the engine options suit the database (SQLite or PostgreSQL).
    environ = {**TEST_ENVIRON, "DATABASE_URL": database_url}
    return create_app(config, instance_path=str(instance), environ=environ)


@pytest.fixture(scope="session")
def _schema(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Build the schema once per run."""
    app = make_app(database_url, tmp_path_factory.mktemp("instance"))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return database_url


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Extra settings for the ``app`` fixture; override in a module to change them."""
    return {}


@pytest.fixture
def app(_schema: str, tmp_path: Path, app_config: dict[str, Any]) -> Iterator[Flask]:
    """An app on a clean database, inside an app context."""
    application = make_app(_schema, tmp_path / "instance", **app_config)
    with application.app_context():
        try:
            yield application
        finally:
            db.session.remove()
            _empty_tables()
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client that is not signed in."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for the app."""
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., StaffUser]:
    """Create a staff user with a role; the password is PASSWORD."""

    def make(role: str = "staff", email: str | None = None) -> StaffUser:
        user = StaffUser(
            email=email or f"{role}-{uuid.uuid4().hex[:6]}@involve.test", role=role, name=role.title()
        )
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user

    return make


def signed_in(app: Flask, user: StaffUser) -> FlaskClient:
    """Return a client whose session belongs to ``user``."""
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
        sess["_fresh"] = True
        # The stamps a real sign-in leaves (app.auth.sessions), so the session is current.
        stamp = int(utcnow().timestamp())
        sess["_sv"], sess["_since"], sess["_seen"] = user.session_version or 0, stamp, stamp
    return client


@pytest.fixture
def staff_client(app: Flask, make_user: Callable[..., StaffUser]) -> FlaskClient:
    """A client signed in with the staff role."""
    return signed_in(app, make_user("staff"))


@pytest.fixture
def manager_client(app: Flask, make_user: Callable[..., StaffUser]) -> FlaskClient:
    """A client signed in with the manager role."""
    return signed_in(app, make_user("manager"))


@pytest.fixture
def admin_client(app: Flask, make_user: Callable[..., StaffUser]) -> FlaskClient:
    """A client signed in with the admin role."""
    return signed_in(app, make_user("admin"))


class LiveServer:
    """The app served by werkzeug on a loopback port in a background thread."""

    def __init__(self, app: Flask) -> None:
        from werkzeug.serving import make_server

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = make_server("127.0.0.1", self.port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(5)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """Serve the test app over HTTP on loopback."""
    with LiveServer(app) as server:
        yield server


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright; skipped locally when absent."""
    if not Path(CHROMIUM).exists():
        skip_unless_required("REQUIRE_BROWSER", f"Chromium not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser page."""
    context = browser.new_context()
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An admin URL for a PostgreSQL server, for tests that need PostgreSQL whatever the run's database."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = os.environ.get("TEST_PG_URL", "")
    if not url:
        skip_unless_required("REQUIRE_PG", "no PostgreSQL configured (set DATABASE_URL or TEST_PG_URL)")
    yield url
