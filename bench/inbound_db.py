"""The databases of one bench/inbound.py run: a fresh SQLite file per app, or a fresh PostgreSQL database.

With ``--database-url postgresql+psycopg://...`` every app (the bare floor, each Involve and the
scheduler beside the survey round) gets its own new database on that server, dropped at the end;
without it each gets its own SQLite file in the run's temporary folder, as before.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def psycopg_conninfo(url: str) -> str:
    """Turn a SQLAlchemy PostgreSQL URL into one psycopg connects with."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgres") else url


class Databases:
    """Hand out one fresh database per app and read counts from them afterwards."""

    def __init__(self, tmpdir: Path, server_url: str = "") -> None:
        self.tmpdir = tmpdir
        self.server_url = server_url
        self.created: list[str] = []

    @property
    def postgres(self) -> bool:
        return self.server_url.startswith("postgres")

    def new(self, name: str) -> str:
        """Return the SQLAlchemy URL of a new, empty database for the app called ``name``."""
        if not self.postgres:
            return f"sqlite:///{self.tmpdir / f'{name}.sqlite3'}"
        import psycopg

        database = f"bench_inbound_{name}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(psycopg_conninfo(self.server_url), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        self.created.append(database)
        base, _ = self.server_url.rsplit("/", 1)
        return f"{base}/{database}"

    def query(self, url: str, sql: str) -> tuple[Any, ...]:
        """Run one read on the database at ``url``; return its first row."""
        if url.startswith("sqlite"):
            with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
                return tuple(db.execute(sql).fetchone())
        import psycopg

        with psycopg.connect(psycopg_conninfo(url)) as conn:
            row = conn.execute(sql).fetchone()
            assert row is not None
            return tuple(row)

    @contextmanager
    def polling(self, url: str, sql: str) -> Iterator[Callable[[], Any]]:
        """Yield ``read()``, which runs one read on ``url`` and returns its first value, over one
        connection kept open meanwhile (polling must cost the app under test as little as it can)."""
        if url.startswith("sqlite"):
            conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
            try:
                yield lambda: conn.execute(sql).fetchone()[0]
            finally:
                conn.close()
            return
        import psycopg

        with psycopg.connect(psycopg_conninfo(url), autocommit=True) as pg:
            yield lambda: pg.execute(sql).fetchone()[0]  # type: ignore[index]

    def execute(self, url: str, sql: str) -> None:
        """Run one statement (schema) on the database at ``url`` and commit."""
        if url.startswith("sqlite"):
            with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(sql)
            return
        import psycopg

        with psycopg.connect(psycopg_conninfo(url)) as conn:
            conn.execute(sql)

    def drop_all(self) -> None:
        """Drop the PostgreSQL databases this run created (nothing to do for SQLite files)."""
        if not self.created:
            return
        import psycopg

        with psycopg.connect(psycopg_conninfo(self.server_url), autocommit=True) as conn:
            for database in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self.created.clear()


BARE_SCHEMA = {
    "sqlite": "CREATE TABLE inbound (id INTEGER PRIMARY KEY, sid TEXT UNIQUE, sender TEXT, body TEXT)",
    "postgresql": "CREATE TABLE inbound (id BIGSERIAL PRIMARY KEY, sid TEXT UNIQUE, sender TEXT, body TEXT)",
}


def bare_writer(url: str) -> Any:
    """Return ``write(sid, sender, body)`` for the bare floor: one insert and a commit per text.

    Each thread keeps its own connection: a ``sqlite3`` one with Involve's pragmas, or a psycopg
    one (which prepares a statement it runs often, as it does for Involve).
    """
    local = threading.local()
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")

        def sqlite_conn() -> sqlite3.Connection:
            if not hasattr(local, "conn"):
                local.conn = sqlite3.connect(path, timeout=30)
                # The pragmas Involve sets on each of its connections.
                local.conn.execute("PRAGMA journal_mode=WAL")
                local.conn.execute("PRAGMA synchronous=NORMAL")
                local.conn.execute("PRAGMA foreign_keys=ON")
            return local.conn

        def write_sqlite(sid: str, sender: str, body: str) -> None:
            db = sqlite_conn()
            db.execute(
                "INSERT OR IGNORE INTO inbound (sid, sender, body) VALUES (?, ?, ?)", (sid, sender, body)
            )
            db.commit()

        return write_sqlite

    import psycopg

    conninfo = psycopg_conninfo(url)

    def write_pg(sid: str, sender: str, body: str) -> None:
        if not hasattr(local, "conn"):
            local.conn = psycopg.connect(conninfo)
        conn = local.conn
        conn.execute(
            "INSERT INTO inbound (sid, sender, body) VALUES (%s, %s, %s) ON CONFLICT (sid) DO NOTHING",
            (sid, sender, body),
        )
        conn.commit()

    return write_pg


def bare_url() -> str:
    """The bare app's database, as the bench handed it over."""
    return os.environ["BARE_DB_URL"]
