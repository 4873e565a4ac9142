"""Request bodies are limited: small for forms and webhooks, larger only for uploads; 413 before reading."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.web.limits import MIB, body_limit, limit_for
from tests.conftest import LiveServer
from tests.reliability.conftest import Processes, service_env


def test_the_default_limit_is_real_not_flasks_none(app: Flask) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * MIB
    assert limit_for(app, "/login", "auth.login") == 2 * MIB
    assert limit_for(app, "/messaging/twilio/sms", "messaging.twilio_sms") == 256 * 1024
    # Web imports (any route under /imports) take spreadsheets.
    assert limit_for(app, "/imports/customers/upload", None) == 64 * MIB
    assert limit_for(app, "/consultations/import", "consultations.import_json") == 64 * MIB


def test_a_declared_limit_wins(app: Flask) -> None:
    @body_limit(1234)
    def view() -> str:
        return "ok"

    app.view_functions["probe.view"] = view
    assert limit_for(app, "/anything", "probe.view") == 1234
    app.config["BODY_LIMITS"]["probe.other"] = "UPLOAD_MAX_CONTENT_LENGTH"
    assert limit_for(app, "/other", "probe.other") == 64 * MIB


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 1000}])
def test_a_too_large_form_gets_a_plain_413_page(client: FlaskClient) -> None:
    response = client.post("/login", data={"email": "a@b.test", "password": "x" * 2000})
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "That was too large" in text and "Nothing was saved" in text
    assert "<h1>" in text


def test_an_oversized_content_length_is_refused_without_reading(client: FlaskClient) -> None:
    class Unread(io.BytesIO):
        def read(self, *args: object) -> bytes:  # pragma: no cover - reading is the bug
            raise AssertionError("the body was read")

        readline = read

    response = client.post(
        "/login",
        input_stream=Unread(),
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"CONTENT_LENGTH": str(100 * MIB)},
    )
    assert response.status_code == 413
    assert "2 MB" in response.get_data(as_text=True)


def test_a_twilio_webhook_takes_no_70_mb_post(client: FlaskClient) -> None:
    response = client.post(
        "/messaging/twilio/sms", data={"Body": "x" * (300 * 1024)}, headers={"X-Twilio-Signature": "x"}
    )
    assert response.status_code == 413


def _chunked_post(port: int, path: str, blocks: int, block_size: int) -> tuple[int, str, int]:
    """POST ``blocks`` chunks without a Content-Length; return status, page and how many chunks went."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    block = b"email=a%40b.test&password=" + b"x" * (block_size - 26)
    sent = 0
    sock.settimeout(0.5)
    reply = b""
    try:
        sock.sendall(head.encode())
        for _ in range(blocks):
            sock.sendall(b"%x\r\n%b\r\n" % (len(block), block))
            sent += 1
            try:  # stop sending as soon as the server has answered
                reply = sock.recv(65536)
            except TimeoutError:
                continue
            if reply:
                break
        else:
            sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server answered and closed early
    sock.settimeout(10)
    try:
        while True:
            got = sock.recv(65536)
            if not got:
                break
            reply += got
    except OSError:
        pass
    sock.close()
    status = int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/") else 0
    return status, reply.decode(errors="replace"), sent


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 64 * 1024, "WTF_CSRF_ENABLED": True}])
def test_a_chunked_oversized_form_gets_413_from_werkzeugs_server(live_server: LiveServer) -> None:
    # 200 chunks of 16 KB would be 3.2 MB; the answer comes after the limit (64 KB), not at the end.
    status, page, sent = _chunked_post(live_server.port, "/login", blocks=200, block_size=16 * 1024)
    assert status == 413, page[:300]
    assert "That was too large" in page and "64 KB" in page and "Nothing was saved" in page
    assert sent < 200, f"the whole body was taken ({sent} chunks) before the answer"


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 64 * 1024}])
def test_a_chunked_form_under_the_limit_still_works(live_server: LiveServer) -> None:
    status, page, _sent = _chunked_post(live_server.port, "/login", blocks=2, block_size=300)
    # Read whole and parsed: a wrong password, not a refused body.
    assert status == 401, page[:300]


def _worker_pid(master: int) -> int:
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master):
            return int(status.parent.name)
    raise AssertionError("gunicorn has no worker")


def _memory_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise AssertionError(key)


def _post_huge(port: int, path: str, size: int, chunked: bool) -> int:
    """Send a ``size``-byte POST (as fast as the server takes it); return the status it answered."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"{length}\r\nConnection: close\r\n\r\n"
    )
    block = b"a=" + b"x" * (MIB - 2)
    try:
        sock.sendall(head.encode())
        for _ in range(size // MIB):
            sock.sendall(b"%x\r\n%b\r\n" % (len(block), block) if chunked else block)
        if chunked:
            sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server answered and closed early: exactly what it should do
    reply = b""
    try:
        while b"\r\n" not in reply:
            got = sock.recv(4096)
            if not got:
                break
            reply += got
    except OSError:
        pass
    sock.close()
    return int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/") else 0


def test_a_gunicorn_worker_stays_flat_under_100_mb_posts(app: Flask, tmp_path: Path) -> None:
    procs = Processes(tmp_path, service_env(app.config["SQLALCHEMY_DATABASE_URI"]))
    try:
        web = procs.gunicorn("wsgi:app", workers=1, threads=2)
        worker = _worker_pid(web.pid)
        before = _memory_kb(worker, "VmRSS")
        statuses = [
            _post_huge(web.port, "/login", 100 * MIB, chunked=False),
            _post_huge(web.port, "/login", 100 * MIB, chunked=True),
            _post_huge(web.port, "/messaging/twilio/sms", 100 * MIB, chunked=True),
        ]
        peak = _memory_kb(worker, "VmHWM")
    finally:
        procs.stop_all()
    # A chunked body (no Content-Length) is refused with 413 too, once it passes the limit.
    # An unsigned webhook may be refused (403) before its body is looked at.
    assert statuses[:2] == [413, 413] and statuses[2] in (403, 413), statuses
    grew_mb = (peak - before) / 1024
    print(f"worker RSS {before / 1024:.0f} MB before, peak {peak / 1024:.0f} MB after 3 x 100 MB posts")
    assert grew_mb < 20, f"the worker grew by {grew_mb:.0f} MB"
