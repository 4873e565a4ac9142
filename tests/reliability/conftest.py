"""Shared parts of the reliability suite: real processes (gunicorn, the scheduler, commands) on loopback.

Every process runs against the run's database (the ``app`` fixture's, so tables are clean for each
test), sends texts to the loopback Twilio fake and is stopped before the tables are emptied.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from twilio.request_validator import RequestValidator

from tests.conftest import free_port, skip_unless_required
from tests.fakes.fixtures import TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN
from tests.fakes.twilio_api import FakeTwilioApi
from tests.reliability.pgcluster import PgCluster, pg_bin

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# The address Twilio is told to call; signatures are computed over it, whatever port serves.
PUBLIC = "https://involve.test"
SMS_PATH = "/messaging/twilio/sms"
FIGURES = pytest.StashKey[list[str]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[FIGURES] = []


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    lines = config.stash.get(FIGURES, [])
    if lines:
        terminalreporter.section("reliability figures")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Print a figure now (seen with -s) and again in the terminal summary."""
    name = request.node.name

    def say(line: str) -> None:
        text = f"{name}: {line}"
        print(text)
        request.config.stash[FIGURES].append(text)

    return say


def wait_until(check: Callable[[], Any], timeout: float, what: str, step: float = 0.1) -> Any:
    """Poll ``check`` until it returns something truthy; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(step)


@dataclass
class Proc:
    """A started process, its log file and how to stop it."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        """Return what the process has written so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the process and its children (a crash, not a shutdown)."""
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(10)

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM (a graceful shutdown), then SIGKILL when it does not end in time."""
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def wait(self, timeout: float) -> int:
        """Wait for the process to end; fail with its log when it does not."""
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"{self.name} did not finish in {timeout:.0f}s:\n{self.output()[-3000:]}")


@dataclass
class Served(Proc):
    """A gunicorn server on a loopback port."""

    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Processes:
    """Starts processes for one test and stops every one of them afterwards."""

    tmp: Path
    env: dict[str, str]
    started: list[Proc] = field(default_factory=list)

    def _popen(
        self, name: str, cmd: list[str], env: dict[str, str] | None
    ) -> tuple[subprocess.Popen[bytes], Path]:
        log = self.tmp / f"{name}-{len(self.started)}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=env or self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return popen, log

    def start(self, name: str, cmd: list[str], env: dict[str, str] | None = None) -> Proc:
        """Start ``cmd`` in its own process group, logging to a file."""
        popen, log = self._popen(name, cmd, env)
        proc = Proc(name, popen, log)
        self.started.append(proc)
        return proc

    def flask(self, *args: str, app: str = "wsgi", env: dict[str, str] | None = None) -> Proc:
        """Start ``flask --app APP ARGS`` in the background."""
        return self.start(f"flask-{args[0]}", [str(BIN / "flask"), "--app", app, *args], env)

    def run_flask(
        self, *args: str, app: str = "wsgi", env: dict[str, str] | None = None, timeout: float = 60
    ) -> str:
        """Run ``flask --app APP ARGS`` to the end and return its standard output; fail on an error."""
        done = subprocess.run(
            [str(BIN / "flask"), "--app", app, *args],
            cwd=ROOT,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"flask {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def gunicorn(
        self,
        target: str = "wsgi:app",
        *,
        workers: int = 2,
        threads: int = 4,
        env: dict[str, str] | None = None,
        extra: tuple[str, ...] = (),
    ) -> Served:
        """Start gunicorn (gthread workers, as docs/deploy.md runs it) and wait until every worker answers."""
        port = free_port()
        cmd = [
            str(BIN / "gunicorn"),
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers),
            "--worker-class", "gthread",
            "--threads", str(threads),
            "--timeout", "60",
            "--graceful-timeout", "10",
            "--log-level", "warning",
            *extra,
            target,
        ]  # fmt: skip
        popen, log = self._popen("gunicorn", cmd, env)
        served = Served("gunicorn", popen, log, port)
        self.started.append(served)
        wait_until(lambda: served.alive() is False or _healthy(port), 60, "gunicorn to answer /healthz")
        if not served.alive():
            pytest.fail(f"gunicorn exited at start:\n{served.output()[-3000:]}")
        # gunicorn listens before its workers have imported the app: warm every worker up.
        for _ in range(workers * threads * 2):
            _healthy(port)
        return served

    def stop_all(self) -> None:
        for proc in reversed(self.started):
            proc.stop()


def _healthy(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        # A worker still booting under load resets or times out: close the socket all the same.
        return False
    finally:
        conn.close()


def service_env(database_url: str, twilio_url: str = "", **extra: str) -> dict[str, str]:
    """The environment of Involve's processes: the run's database, the Twilio fake, no quiet hours."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TWILIO_", "MAIL_", "PROXY_FIX_", "SMS_", "FLASK_"))
    }
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="reliability-secret",
        PUBLIC_BASE_URL=PUBLIC,
        INVOLVE_ENV="development",
        SCHEDULER_ENABLED="0",
        SMS_QUIET_HOURS="",
        SMS_RATE_PER_SECOND="200",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    if twilio_url:
        env.update(
            TWILIO_ACCOUNT_SID=TWILIO_SID,
            TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
            TWILIO_FROM_NUMBER=TWILIO_FROM,
            TWILIO_API_BASE_URL=twilio_url,
        )
    env.update(extra)
    return env


def app_with(**settings: Any) -> str:
    """Return a ``--app``/gunicorn target that builds the app with extra settings (a literal dict)."""
    return f"app.factory:create_app({settings!r})"


@pytest.fixture
def run_env(app: Flask, twilio_api: FakeTwilioApi) -> dict[str, str]:
    """The environment for processes on this test's (clean) database, texting the Twilio fake."""
    return service_env(app.config["SQLALCHEMY_DATABASE_URI"], twilio_api.url)


@pytest.fixture
def procs(app: Flask, run_env: dict[str, str], tmp_path: Path) -> Iterator[Processes]:
    """Start processes; all are stopped before the test's tables are emptied."""
    processes = Processes(tmp_path, run_env)
    try:
        yield processes
    finally:
        processes.stop_all()


class Texter:
    """Posts inbound texts to a served app, signed the way Twilio signs them."""

    def __init__(self, port: int, token: str = TWILIO_TOKEN) -> None:
        self.port = port
        self.validator = RequestValidator(token)

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def encode(self, from_: str, body: str, sid: str) -> tuple[str, dict[str, str]]:
        """Return the form body and headers of one signed webhook call."""
        params = {
            "MessageSid": sid,
            "AccountSid": TWILIO_SID,
            "From": from_,
            "To": TWILIO_FROM,
            "Body": body,
            "NumSegments": "1",
        }
        signature = self.validator.compute_signature(PUBLIC + SMS_PATH, params)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
        return urllib.parse.urlencode(params), headers

    def send(self, from_: str, body: str, sid: str) -> int:
        """Send one text on a new connection, as Twilio does after a pause; return the HTTP status."""
        conn = self.connect()
        try:
            return self.post(conn, from_, body, sid)
        finally:
            conn.close()

    def post(self, conn: http.client.HTTPConnection, from_: str, body: str, sid: str) -> int:
        """Send one text on ``conn``; return the HTTP status (0 when the connection failed)."""
        form, headers = self.encode(from_, body, sid)
        conn.request("POST", SMS_PATH, body=form, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status


def port_open(port: int) -> bool:
    """Return True when something listens on the loopback port."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def message_id(form: dict[str, str]) -> int | None:
    """Return our outbox id from a recorded Twilio request (it rides on the status callback URL)."""
    query = urllib.parse.urlsplit(form.get("StatusCallback", "")).query
    value = urllib.parse.parse_qs(query).get("m", [""])[0]
    return int(value) if value.isdigit() else None


@pytest.fixture
def pg_cluster() -> Iterator[PgCluster]:
    """A fresh PostgreSQL cluster for one test; skipped without PostgreSQL's binaries unless REQUIRE_PG=1."""
    bin_dir = pg_bin()
    if bin_dir is None:
        skip_unless_required("REQUIRE_PG", "PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    cluster = PgCluster(bin_dir)
    try:
        yield cluster.init()
    finally:
        cluster.remove()
