"""Email over SMTP with flask-mail: a batch over one connection (or several at once), errors sorted."""

from __future__ import annotations

import smtplib
import socket
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app
from flask_mail import Message

from messaging.models import OutboundMessage
from messaging.transports import SendResult
from messaging.transports.email_build import buildable

DEFAULT_TIMEOUT = 30.0


class _ConnectionLost(Exception):
    """The SMTP session ended mid-batch; the rest of the batch waits for the next run."""


class SmtpEmail:
    """Send batches through the configured SMTP server."""

    name = "smtp"

    def __init__(self, app: Flask) -> None:
        self.timeout = float(app.config.get("MAIL_TIMEOUT", DEFAULT_TIMEOUT))
        # flask-mail opens smtplib.SMTP without a timeout; the process default bounds the connect.
        if socket.getdefaulttimeout() is None:
            socket.setdefaulttimeout(self.timeout)

    def send_batch(self, messages: list[OutboundMessage]) -> dict[int, SendResult]:
        """Send the messages over up to MAIL_SESSIONS SMTP sessions; a refused recipient stops nothing."""
        results: dict[int, SendResult] = {}
        ready: list[tuple[int, Message]] = []
        # Built here, from the rows: the session threads get plain MIME messages, never a row.
        for message in messages:
            built = buildable(message)
            if isinstance(built, SendResult):
                results[message.id] = built
            else:
                ready.append((message.id, built))
        # SMTP sessions at once: 1 unless the server is known to allow more (many relays limit
        # connections per client, and refuse or defer beyond it).
        sessions = min(max(1, int(current_app.config.get("MAIL_SESSIONS", 1) or 1)), len(ready))
        if sessions <= 1:
            results.update(self._session(ready))
            return results
        app = current_app._get_current_object()  # type: ignore[attr-defined]

        def in_app(share: list[tuple[int, Message]]) -> dict[int, SendResult]:
            with app.app_context():
                return self._session(share)

        with ThreadPoolExecutor(sessions, thread_name_prefix="involve-smtp") as pool:
            for done in pool.map(in_app, [ready[i::sessions] for i in range(sessions)]):
                results.update(done)
        return results

    def _session(self, ready: list[tuple[int, Message]]) -> dict[int, SendResult]:
        """Send built messages over one SMTP session; after a lost connection the rest retry later."""
        results: dict[int, SendResult] = {}
        if not ready:
            return results
        mail = current_app.extensions["mail"]
        try:
            with mail.connect() as conn:
                if conn.host is not None and conn.host.sock is not None:
                    conn.host.sock.settimeout(self.timeout)
                for message_id, built in ready:
                    results[message_id] = self._send_one(conn, built)
                    if results[message_id].error_code == "disconnected":
                        raise _ConnectionLost
        except _ConnectionLost:
            pass
        except (smtplib.SMTPException, OSError) as exc:
            # Connect or login failed, or QUIT failed after the batch: only unattempted ones retry.
            for message_id, _ in ready:
                results.setdefault(
                    message_id, SendResult("retry", error_code="connect", error_message=str(exc)[:500])
                )
        return results

    def _send_one(self, conn: object, built: Message) -> SendResult:
        try:
            conn.send(built)  # type: ignore[attr-defined]
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()), (550, b"refused"))
            return _by_code(code, text)
        except smtplib.SMTPResponseException as exc:
            return _by_code(exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            return SendResult(
                "retry", error_code="disconnected", error_message=str(exc)[:500] or "connection lost"
            )
        return SendResult("sent")


def _by_code(code: int, text: bytes | str) -> SendResult:
    """SMTP 4xx is a temporary refusal (retry), 5xx permanent."""
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    outcome = "retry" if 400 <= code < 500 else "failed"
    return SendResult(outcome, error_code=str(code), error_message=message[:500])
