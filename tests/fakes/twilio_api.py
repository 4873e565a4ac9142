"""A loopback HTTP server that speaks the Twilio Messages API, for the real twilio client."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass(frozen=True)
class Answer:
    """A scripted answer: an HTTP status, a Twilio error code, and a delay before answering."""

    status: int = 201
    code: int | None = None
    delay: float = 0.0
    message: str = ""


@dataclass(frozen=True)
class Recorded:
    """One request the fake received, with the time it arrived."""

    at: float
    path: str
    form: dict[str, str]
    auth: str


@dataclass
class FakeTwilioApi:
    """The fake server; ``answer()`` scripts the next responses, ``requests`` records every call."""

    requests: list[Recorded] = field(default_factory=list)
    script: deque[Answer] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(
        self, status: int = 201, code: int | None = None, delay: float = 0.0, message: str = ""
    ) -> None:
        """Queue an answer for the next request (later requests get 201 unless scripted)."""
        self.script.append(Answer(status, code, delay, message or f"scripted error {code or status}"))

    def messages(self) -> list[Recorded]:
        """Return the message-create requests received so far."""
        return [r for r in self.requests if r.path.endswith("/Messages.json")]

    def start(self) -> FakeTwilioApi:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as Twilio's API does: a client reuses its pooled connections, so a request
            # arrives without a new connection (and a new server thread) first.
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                with fake.lock:
                    fake.requests.append(
                        Recorded(time.monotonic(), self.path, form, self.headers.get("Authorization", ""))
                    )
                    answer = fake.script.popleft() if fake.script else Answer()
                if answer.delay:
                    time.sleep(answer.delay)
                if answer.status >= 400:
                    payload: dict[str, Any] = {
                        "code": answer.code,
                        "message": answer.message,
                        "more_info": f"https://www.twilio.com/docs/errors/{answer.code}",
                        "status": answer.status,
                    }
                else:
                    payload = _message_resource(self.path, form)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def _message_resource(path: str, form: dict[str, str]) -> dict[str, Any]:
    account = path.split("/Accounts/")[1].split("/")[0] if "/Accounts/" in path else "AC"
    sid = "SM" + uuid.uuid4().hex
    return {
        "sid": sid,
        "account_sid": account,
        "to": form.get("To"),
        "from": form.get("From"),
        "messaging_service_sid": form.get("MessagingServiceSid"),
        "body": form.get("Body"),
        "status": "queued",
        "num_segments": "1",
        "direction": "outbound-api",
        "api_version": "2010-04-01",
        "date_created": "Mon, 16 Aug 2010 03:45:01 +0000",
        "date_updated": "Mon, 16 Aug 2010 03:45:01 +0000",
        "date_sent": None,
        "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
    }
