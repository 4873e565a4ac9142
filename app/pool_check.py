"""PostgreSQL connections checked before use, with a round trip only when one may be dead.

``pool_pre_ping`` sends ``SELECT 1`` on every checkout, so every request (each inbound text)
pays a round trip to the server before its first query. A server that stops or crashes closes
its connections, which makes their sockets readable (the FATAL message, then end of file): a
connection whose socket has nothing to read and that was in use a moment ago is alive. The
others (something to read, or idle longer than ``IDLE_PING_SECONDS``, which covers a peer that
vanished without closing) are pinged as before, and a failed ping replaces every pooled
connection, as ``pool_pre_ping`` does.
"""

from __future__ import annotations

import select
import time
from typing import Any

from sqlalchemy import Engine, event, exc

# A connection idle longer than this is pinged whatever its socket says.
IDLE_PING_SECONDS = 30.0
_USED_AT = "involve_used_at"


def _hung_up(dbapi_connection: Any) -> bool:
    """Return True when the connection is closed or its server has sent something unasked."""
    if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
        return True
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:
        return True
    try:
        poller = select.poll()
        poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
        return bool(poller.poll(0))
    except Exception:  # OSError, or psycopg's OperationalError for a closed pgconn
        return True


def install(engine: Engine, *, idle_ping_seconds: float = IDLE_PING_SECONDS) -> None:
    """Check the engine's connections on checkout: by their socket, and by a ping when in doubt."""

    @event.listens_for(engine, "connect")
    def _connected(_dbapi_connection: Any, record: Any) -> None:
        record.info[_USED_AT] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_USED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle = time.monotonic() - record.info.get(_USED_AT, 0.0)
        if idle < idle_ping_seconds and not _hung_up(dbapi_connection):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # As pool_pre_ping does: this connection and every one pooled before it are replaced.
            raise exc.InvalidatePoolError() from error
        record.info[_USED_AT] = time.monotonic()
