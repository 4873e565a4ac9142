"""PostgreSQL stopped hard and started again under inbound traffic: the app recovers, nothing acknowledged is lost.

A throwaway cluster serves gunicorn while 8 connections post signed texts. The cluster is stopped
with `pg_ctl -m immediate` (a crash, no checkpoint), left down for a second and started again.
Every text gunicorn answered 200 must be stored; texts refused meanwhile are stored once when Twilio
sends them again; requests made after the restart succeed (app/pool_check.py swaps the dead connections:
their sockets were closed by the stopped server).
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.extensions import db
from tests.conftest import make_app
from tests.reliability.conftest import PgCluster, Processes, Texter, service_env

pytestmark = pytest.mark.slow

CONNECTIONS = 8


@dataclass(frozen=True)
class Sent:
    sid: str
    sender: str
    status: int  # 0: the connection failed
    at: float


def build_schema(url: str, tmp_path: Path) -> None:
    # The engine options follow the run's database; this cluster is PostgreSQL whatever the run uses.
    app = make_app(url, tmp_path, SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True})
    with app.app_context():
        db.create_all()
        db.engine.dispose()


def traffic(
    texter: Texter, stop: threading.Event, log: list[Sent], lock: threading.Lock
) -> list[threading.Thread]:
    """Start connections that post texts until ``stop`` is set."""

    def worker(c: int) -> None:
        conn = texter.connect()
        n = 0
        while not stop.is_set():
            n += 1
            sid, sender = f"SMpg{c:02d}{n:06d}", f"+4479114{c:02d}{n % 1000:03d}"
            try:
                status = texter.post(conn, sender, f"Text {n} from connection {c}", sid)
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = texter.connect()
            with lock:
                log.append(Sent(sid, sender, status, time.monotonic()))
            if status != 200:
                time.sleep(0.05)
        conn.close()

    threads = [threading.Thread(target=worker, args=(c,)) for c in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    return threads


def stored_sids(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT message_sid FROM inbound_messages")).scalars())
    finally:
        engine.dispose()


def test_app_recovers_from_a_postgresql_restart_without_losing_acknowledged_texts(
    pg_cluster: PgCluster, tmp_path: Path, figures: object
) -> None:
    url = pg_cluster.url()
    build_schema(url, tmp_path)
    processes = Processes(tmp_path, service_env(url, "http://127.0.0.1:9"))
    try:
        web = processes.gunicorn("wsgi:app", workers=2, threads=4)
        texter = Texter(web.port)
        log: list[Sent] = []
        lock = threading.Lock()
        stop = threading.Event()
        threads = traffic(texter, stop, log, lock)
        time.sleep(2.0)
        down_at = time.monotonic()
        pg_cluster.stop("immediate")
        time.sleep(1.0)
        pg_cluster.start()
        up_at = time.monotonic()
        time.sleep(3.0)
        stop.set()
        for thread in threads:
            thread.join(30)

        acknowledged = {s.sid for s in log if s.status == 200}
        refused = [s for s in log if s.status != 200]
        stored = stored_sids(url)
        assert acknowledged <= set(stored), f"acknowledged but lost: {sorted(acknowledged - set(stored))[:5]}"
        assert any(s.at < down_at for s in log if s.status == 200)
        assert refused, "the restart should have refused some texts"
        assert all(s.status in (500, 503, 0) for s in refused)
        # Recovered: every request that started a moment after the restart was answered 200.
        late = [s for s in log if s.at > up_at + 1.0]
        assert late and all(s.status == 200 for s in late)
        first_ok = min(s.at for s in log if s.status == 200 and s.at > up_at)

        # Twilio sending the refused texts again: each is stored, once.
        for s in refused:
            assert texter.send(s.sender, "again", s.sid) == 200
        stored = stored_sids(url)
        assert len(stored) == len(set(stored)) == len({s.sid for s in log})
        conn = texter.connect()
        conn.request("GET", "/healthz")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        processes.stop_all()
    figures(  # type: ignore[operator]
        f"{len(log)} texts over {CONNECTIONS} connections, PostgreSQL down {up_at - down_at:.1f}s "
        f"(pg_ctl -m immediate): {len(acknowledged)} acknowledged, 0 of them lost; {len(refused)} refused "
        f"(5xx/closed) and stored once when re-sent; first 200 {max(first_ok - up_at, 0):.2f}s after restart"
    )
