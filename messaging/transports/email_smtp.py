"""Email over SMTP with flask-mail: one connection per batch, a socket timeout, errors sorted."""

from __future__ import annotations

import smtplib
import socket

from flask import Flask, current_app

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
        """Send each message over one SMTP session; a refused recipient does not stop the batch."""
        results: dict[int, SendResult] = {}
        mail = current_app.extensions["mail"]
        try:
            with mail.connect() as conn:
                if conn.host is not None and conn.host.sock is not None:
                    conn.host.sock.settimeout(self.timeout)
                for message in messages:
                    results[message.id] = self._send_one(conn, message)
                    if results[message.id].error_code == "disconnected":
                        raise _ConnectionLost
        except _ConnectionLost:
            pass
        except (smtplib.SMTPException, OSError) as exc:
            # Connect or login failed, or QUIT failed after the batch: only unattempted ones retry.
            for message in messages:
                results.setdefault(
                    message.id, SendResult("retry", error_code="connect", error_message=str(exc)[:500])
                )
        return results

    def _send_one(self, conn: object, message: OutboundMessage) -> SendResult:
        built = buildable(message)
        if isinstance(built, SendResult):
            return built
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
