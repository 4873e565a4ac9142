"""PostgreSQL connections are checked on checkout without a round trip, and dead ones are replaced."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from app import pool_check


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    url = make_url(pg_url).set(drivername="postgresql+psycopg")
    made = create_engine(url, pool_size=2)
    pool_check.install(made)
    yield made
    made.dispose()


def _count_pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pings: list[int] = []
    real = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_just_used_is_not_pinged(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    pings = _count_pings(engine, monkeypatch)
    first = _backend_pid(engine)
    assert _backend_pid(engine) == first
    assert _backend_pid(engine) == first
    assert pings == []


def test_an_idle_connection_is_pinged(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    made = create_engine(make_url(pg_url).set(drivername="postgresql+psycopg"), pool_size=1)
    pool_check.install(made, idle_ping_seconds=0.0)
    try:
        pings = _count_pings(made, monkeypatch)
        first = _backend_pid(made)
        assert _backend_pid(made) == first
        assert len(pings) >= 1
    finally:
        made.dispose()


def test_a_connection_the_server_closed_is_replaced_without_an_error(pg_url: str, engine: Engine) -> None:
    victim = _backend_pid(engine)
    admin = create_engine(make_url(pg_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim}).scalar_one()
            # Wait until the backend is gone, so its socket has been closed.
            for _ in range(100):
                alive = conn.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": victim}
                ).scalar_one()
                if not alive:
                    break
                conn.execute(text("SELECT pg_sleep(0.02)"))
    finally:
        admin.dispose()
    # The next checkout sees the closed socket, pings, fails and reconnects: no error reaches the caller.
    replacement = _backend_pid(engine)
    assert replacement != victim
