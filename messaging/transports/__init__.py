"""Transports: how a message leaves the building. Chosen from settings in messaging.init_app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from flask import Flask, current_app

from messaging.models import OutboundMessage


@dataclass(frozen=True)
class SendResult:
    """What a provider said about one message.

    ``outcome`` is "sent" (accepted), "delivered" (the simulator knows at once), "retry" (transient,
    try again later), "failed" (permanent) or "unknown" (it may or may not have gone: never resend).
    """

    outcome: str
    provider_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    # "opt-out" suppresses the address and marks the customer opted out; other words just suppress.
    suppress_reason: str | None = None
    # The provider asked us to slow down (429/20429) or is failing (5xx): every sender pauses.
    throttle: bool = False


class SmsTransport(Protocol):
    """Sends one text message."""

    name: str
    paced: bool

    def send(self, message: OutboundMessage) -> SendResult:
        """Send ``message`` and say what happened."""
        ...


class EmailTransport(Protocol):
    """Sends a batch of emails over one connection."""

    name: str

    def send_batch(self, messages: list[OutboundMessage]) -> dict[int, SendResult]:
        """Send each message; return a result per message id that was attempted."""
        ...


def configure(app: Flask) -> None:
    """Pick the SMS and email transports from settings and keep them in ``app.extensions``."""
    from messaging.transports.email_outbox import OutboxEmail
    from messaging.transports.email_smtp import SmtpEmail
    from messaging.transports.sms_simulator import SimulatorSms

    sms: SmsTransport = SimulatorSms()
    if app.config.get("TWILIO_ACCOUNT_SID"):
        # Twilio's client brings requests and urllib3: loaded only when texts go through Twilio.
        from messaging.transports.sms_twilio import TwilioSms

        sms = TwilioSms.from_config(app.config, app=app)
    email: EmailTransport = SmtpEmail(app) if app.config.get("MAIL_SERVER") else OutboxEmail()
    app.extensions["involve_transports"] = {"sms": sms, "email": email}
    app.extensions["involve_channels"] = {"sms": sms.name, "email": email.name}


def sms_transport() -> SmsTransport:
    """Return the current app's SMS transport."""
    return current_app.extensions["involve_transports"]["sms"]


def email_transport() -> EmailTransport:
    """Return the current app's email transport."""
    return current_app.extensions["involve_transports"]["email"]
