"""The apps bench/inbound.py serves under gunicorn: the bare floor, Involve, Involve's messaging alone.

Each Involve app gets a fresh database and `flask scheduler` beside it, which answers the texts
its webhook stores; ``Served`` holds one app's processes, its rates and how to count what it stored.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from cpu import CpuMeter
from inbound_db import BARE_SCHEMA, Databases, bare_url, bare_writer
from inbound_survey import respondent
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BARE_TOKEN = "bare-bench-token"
PATH = "/messaging/twilio/sms"
# Threads per gunicorn worker: within the default SQLAlchemy pool (5), so no connection churn.
THREADS = 4


def bare_app() -> object:
    """A Flask app that only checks the signature and inserts the text (SQLite or PostgreSQL)."""
    from flask import Flask, Response, abort, request

    app = Flask("bare")
    base = os.environ["BARE_BASE_URL"]
    validator = RequestValidator(BARE_TOKEN)
    write = bare_writer(bare_url())

    @app.post(PATH)
    def sms() -> Response:
        if not validator.validate(base + PATH, request.form, request.headers.get("X-Twilio-Signature", "")):
            abort(403)
        write(request.form["MessageSid"], request.form["From"], request.form["Body"])
        return Response('<?xml version="1.0" encoding="UTF-8"?><Response/>', mimetype="text/xml")

    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def stranger(i: int) -> tuple[str, str]:
    """A text from a number on no register and in no survey (the cheapest path)."""
    return f"+447911{i % 900000 + 100000:06d}", f"Bench text {i}: the lift on floor 3 is broken again 😀"


@dataclass
class Served:
    """One app under gunicorn, the rates measured on it and how to count what it stored."""

    label: str
    proc: subprocess.Popen[bytes]
    port: int
    token: str
    db_url: str
    query: str
    rates: list[float] = field(default_factory=list)
    rows: int = 0
    distinct: int = 0
    extra: tuple[subprocess.Popen[bytes], ...] = ()
    surveyed: bool = False
    answers: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
    meter: CpuMeter | None = None

    def settle(self, dbs: Databases) -> object:
        """Return what waits until the app's clock has handled every text it stored (None for the bare app)."""
        if not self.extra:
            return None

        def wait() -> None:
            deadline = time.monotonic() + 300
            with dbs.polling(self.db_url, UNHANDLED) as unhandled:
                while unhandled():
                    if time.monotonic() > deadline:
                        raise SystemExit(f"{self.label}: texts still unhandled after 300 s")
                    time.sleep(0.02)

        return wait

    def text(self, offset: int) -> object:
        """Return what text i of a batch starting at ``offset`` says, and from whom."""
        if not self.surveyed:
            return stranger
        return lambda i: (respondent(offset + i), "1")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


# Texts Involve's webhook stored that its clock (`flask scheduler`) has not handled yet.
UNHANDLED = "SELECT count(*) FROM inbound_messages WHERE handled_at IS NULL"


def start_bare(dbs: Databases, args: argparse.Namespace) -> Served:
    """Serve the bare baseline on a fresh database: one table, a unique sid."""
    url = dbs.new("bare")
    dbs.execute(url, BARE_SCHEMA["postgresql" if dbs.postgres else "sqlite"])
    port = free_port()
    env = {**os.environ, "BARE_DB_URL": url, "BARE_BASE_URL": f"http://127.0.0.1:{port}"}
    proc = serve("inbound_apps:bare_app()", env, args.workers, port, ROOT / "bench")
    query = "SELECT count(*), count(DISTINCT sid) FROM inbound"
    return Served("bare signed insert", proc, port, BARE_TOKEN, url, query)


def without_receivers() -> object:
    """The Involve app with only messaging's own handler (channel keywords) in the chain."""
    from wsgi import app

    chain = app.extensions["involve_inbound_handlers"]
    for name in [name for name in chain if name != "channel-keywords"]:
        del chain[name]
    return app


def involve_env(db_url: str, port: int) -> dict[str, str]:
    """The settings every Involve process of the bench runs with (the simulator, no quiet hours)."""
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SECRET_KEY": "bench-secret",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "SCHEDULER_ENABLED": "0",
        "INVOLVE_ENV": "development",
        # The dispatcher sends at the default rate whatever the hour the bench runs.
        "SMS_QUIET_HOURS": "",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "bench")]),
    }
    for key in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "MAIL_SERVER"):
        env.pop(key, None)
    return env


def start_involve(
    dbs: Databases,
    name: str,
    label: str,
    target: str,
    args: argparse.Namespace,
    seed: str = "",
    clock: dict[str, str] | None = None,
) -> Served:
    """Serve ``target`` under gunicorn on a fresh database (seeded by ``seed``, Python code), with
    `flask scheduler` beside it (its settings updated by ``clock``) to handle the texts stored."""
    from flask import Flask

    from messaging.webhooks import signing_token

    token_app = Flask("token")
    token_app.config.update(SECRET_KEY="bench-secret")
    db_url = dbs.new(name)
    port = free_port()
    env = involve_env(db_url, port)
    subprocess.run(
        [sys.executable, "-c", "from app.extensions import db; from wsgi import app; app.app_context().push(); db.create_all()"],
        cwd=ROOT,
        env=env,
        check=True,
    )  # fmt: skip
    if seed:
        subprocess.run([sys.executable, "-c", seed], cwd=ROOT, env=env, check=True)
    proc = serve(target, env, args.workers, port, ROOT)
    scheduler = subprocess.Popen(
        [str(Path(sys.executable).parent / "flask"), "--app", target.removesuffix(":app"), "scheduler"],
        cwd=ROOT,
        env={**env, **(clock or {})},
    )
    query = "SELECT count(*), count(DISTINCT message_sid) FROM inbound_messages"
    return Served(label, proc, port, signing_token(token_app), db_url, query, extra=(scheduler,))


def serve(target: str, env: dict[str, str], workers: int, port: int, chdir: Path) -> subprocess.Popen[bytes]:
    """Start gunicorn (gthread workers) on a loopback port and wait until it answers."""
    cmd = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--chdir", str(chdir),
        "-b", f"127.0.0.1:{port}",
        "-w", str(workers),
        "-k", "gthread",
        "--threads", str(THREADS),
        "--log-level", "warning",
        target,
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env)
    wait_for(port, proc)
    return proc
