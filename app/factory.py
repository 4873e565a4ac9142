"""The application factory."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, request
from werkzeug.wrappers import Response

from app.config import check_production, load_settings
from app.extensions import csrf, db, login, mail, migrate

FEATURE_PACKAGES = ("messaging", "consultations", "reporting")


class Involve(Flask):
    """Flask, with one redirect rule for every screen: after a POST, 303 See Other."""

    def redirect(self, location: str, code: int = 302) -> Response:
        """Redirect; a plain redirect answering a POST becomes 303, so the browser follows with GET."""
        if code == 302 and request and request.method == "POST":
            code = 303
        return super().redirect(location, code)


def create_app(
    test_config: dict[str, Any] | None = None,
    *,
    instance_path: str | None = None,
    environ: dict[str, str] | None = None,
) -> Flask:
    """Create and configure an Involve application.

    ``instance_path`` (else INVOLVE_INSTANCE_PATH, else ``instance/`` beside wsgi.py) holds the
    SQLite file, the secret key and involve.cfg; ``environ`` replaces os.environ (tests pass
    their own, so a developer's settings never leak in).
    """
    env = os.environ if environ is None else environ
    app = Involve(
        __name__,
        instance_relative_config=True,
        instance_path=instance_path or env.get("INVOLVE_INSTANCE_PATH"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_settings(app.instance_path, dict(env)))
    app.config.from_pyfile("involve.cfg", silent=True)
    if test_config:
        app.config.update(test_config)
    _finish_settings(app)

    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    for name in FEATURE_PACKAGES:
        __import__(name).init_app(app)
    # Outermost, so what a package puts in front of the app (the SMS webhook) sees the client's
    # scheme and address.
    _apply_proxy_fix(app)
    # A package's ready(app) runs once the whole app is built: the scheduler clock starts there,
    # so it sees the sweepers of every package.
    for name in FEATURE_PACKAGES:
        ready = getattr(__import__(name), "ready", None)
        if ready is not None:
            ready(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # APScheduler logs every run of every job at INFO; our jobs log what they did themselves.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return app


def _finish_settings(app: Flask) -> None:
    """Fill derived settings and refuse unsafe production ones."""
    development = app.config["INVOLVE_ENV"] != "production"
    if not development:
        check_production(app.config)
    if not app.config.get("SECRET_KEY"):
        # A per-install random key keeps development sessions valid across restarts.
        key_file = Path(app.instance_path) / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_SECURE", not development)
    # Flask pre-fills the session-cookie keys (Secure off, no SameSite), so setdefault keeps them.
    if not development:
        app.config["SESSION_COOKIE_SECURE"] = True
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config.setdefault("REMEMBER_COOKIE_SECURE", not development)
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("LOGIN_MAX_FAILURES", 5)
    app.config.setdefault("LOGIN_MAX_FAILURES_PER_IP", 20)
    app.config.setdefault("LOGIN_MAX_FAILURES_PER_ACCOUNT", 50)
    app.config.setdefault("LOGIN_LOCK_MINUTES", 15)


def _apply_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* headers from the configured number of proxies (off unless set)."""
    hops = {key: int(app.config.get(f"PROXY_FIX_X_{key.upper()}") or 0) for key in ("for", "proto", "host")}
    if any(hops.values()):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops["for"], x_proto=hops["proto"], x_host=hops["host"]
        )


def register_extensions(app: Flask) -> None:
    """Bind extension objects to the app."""
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
        include_name=lambda name, type_, parent: not (type_ == "table" and name == "apscheduler_jobs"),
    )
    mail.init_app(app)
    login.init_app(app)
    csrf.init_app(app)
    from app import auth, ratelimit

    auth.init_app(app)
    ratelimit.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _tune_sqlite(app)
    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        from app import pool_check

        with app.app_context():
            pool_check.install(db.engine)


def _tune_sqlite(app: Flask) -> None:
    """Use WAL so readers never wait for the writer, and enforce foreign keys."""
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()


def register_blueprints(app: Flask) -> None:
    """Register the core screens: health, the staff UI and privacy (sign-in comes with auth.init_app)."""
    from app import health, privacy, web

    health.init_app(app)
    web.init_app(app)
    privacy.init_app(app)


def register_commands(app: Flask) -> None:
    """Register the core CLI commands."""
    from app import cli

    cli.init_app(app)
