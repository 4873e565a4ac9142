"""Twilio's webhooks: the signature check, the development signing token, no session, one writer."""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import lru_cache
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from twilio.request_validator import RequestValidator


def signing_token(app: Flask) -> str:
    """Return the token webhooks are signed with.

    With Twilio configured it is TWILIO_AUTH_TOKEN. In simulator mode there is no account, so a
    development token derived from SECRET_KEY is used: only code that knows the app's secret (the
    simulator page, the tests' signing helper) can produce a valid signature.
    """
    token = app.config.get("TWILIO_AUTH_TOKEN") or ""
    return token or _development_token(str(app.config["SECRET_KEY"]))


@lru_cache(maxsize=8)
def _development_token(secret: str) -> str:
    return hmac.new(secret.encode(), b"involve-dev-twilio-token", hashlib.sha256).hexdigest()


@lru_cache(maxsize=8)
def _validator(token: str) -> RequestValidator:
    # Kept per token: every inbound text and status callback is checked with it.
    return RequestValidator(token)


def public_url(app: Flask, request: Request) -> str:
    """Return the URL Twilio called, as the outside world spells it (PUBLIC_BASE_URL, path, query)."""
    url = app.config["PUBLIC_BASE_URL"].rstrip("/") + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    return url


def signature_ok(app: Flask, request: Request) -> bool:
    """Return True when the request carries a valid X-Twilio-Signature."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    return _validator(signing_token(app)).validate(public_url(app, request), request.form, signature)


WEBHOOK_PATHS = frozenset({"/messaging/twilio/sms", "/messaging/twilio/status"})


class WebhookAwareSessions(SecureCookieSessionInterface):
    """The signed-cookie session, skipped on Twilio's webhooks.

    Twilio sends no cookie and reads none, so opening and saving a session there is pure cost;
    the webhooks get Flask's null session (readable, empty) instead.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Open the visitor's session, or none for a webhook."""
        if request.path in WEBHOOK_PATHS:
            return None
        return super().open_session(app, request)


def skip_sessions_on_webhooks(app: Flask) -> None:
    """Use WebhookAwareSessions when the app has Flask's default session interface."""
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = WebhookAwareSessions()


class WriterLock:
    """The SQLite writer's lock, taken by a webhook at its first write and held until its transaction ends.

    SQLite takes one writer at a time, and a connection that finds the database locked sleeps
    1, 2, 5, 10... ms before trying again, so threads of one process racing each other for it
    waste most of their time asleep. Queued on a lock instead, the next one starts the moment
    the last one commits. The lock is taken only when the webhook's first write reaches the
    driver (its reads run outside SQLite's write transaction, as pysqlite begins one at the first
    write), so while one thread writes, the others check signatures and read.
    """

    def __init__(self, path: str | None = None) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        # The same lock across gunicorn's workers: an advisory lock on a file beside the database,
        # which the kernel hands to the next waiter the moment it is let go, where SQLite's own
        # busy handler would sleep 1, 2, 5... ms and try again.
        self._path = path

    def locked(self) -> bool:
        """Return True while some thread holds the lock."""
        return self._lock.locked()

    @contextmanager
    def scope(self) -> Iterator[None]:
        """Arm the lock for this thread's writes; release it, if taken, when the block ends."""
        local = self._local
        local.armed, local.held = True, False
        try:
            yield
        finally:
            local.armed = False
            if local.held:
                local.held = False
                if self._path is not None:
                    fcntl.flock(_lock_file(self._path), fcntl.LOCK_UN)
                self._lock.release()

    def before_execute(self, statement: str) -> None:
        """Take the lock before this thread's first statement that is not a plain read."""
        local = self._local
        if getattr(local, "armed", False) and not local.held and not _is_read(statement):
            self._lock.acquire()
            if self._path is not None:
                fcntl.flock(_lock_file(self._path), fcntl.LOCK_EX)
            local.held = True


_LOCK_FILES: dict[tuple[int, str], int] = {}


def _lock_file(path: str) -> int:
    """Return this process's descriptor for the lock file at ``path``, opened on first use.

    Opened per process: a descriptor inherited across a fork shares its lock with the parent's.
    """
    key = (os.getpid(), path)
    descriptor = _LOCK_FILES.get(key)
    if descriptor is None:
        descriptor = _LOCK_FILES[key] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    return descriptor


def _is_read(statement: str) -> bool:
    # Anything else (INSERT, UPDATE, DELETE, SAVEPOINT, a WITH that may write) takes the lock.
    return statement.lstrip()[:6].upper() == "SELECT"


def configure_writer_lock(app: Flask) -> None:
    """Give the webhooks a per-process writer lock when the database is SQLite (none on PostgreSQL).

    PostgreSQL locks rows, not the database, so there is no lock there.
    """
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.extensions["involve_webhook_lock"] = None
        return
    from sqlalchemy import event

    from app.extensions import db

    with app.app_context():
        engine = db.engine
    database = engine.url.database
    # An in-memory database lives in one process, so the thread lock is all it needs there.
    lock = WriterLock(f"{database}.writer" if database and database != ":memory:" else None)
    app.extensions["involve_webhook_lock"] = lock

    @event.listens_for(engine, "before_cursor_execute")
    def _take_at_first_write(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        lock.before_execute(statement)


def writer_lock(app: Flask) -> AbstractContextManager[None]:
    """Return the scope a webhook's transaction runs in: SQLite's writer lock from its first write."""
    lock: WriterLock | None = app.extensions.get("involve_webhook_lock")
    return lock.scope() if lock is not None else nullcontext()
