"""Messaging settings checked at start, so a bad value fails fast and names the variable."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask

from app.config import SettingsError
from messaging.pacing import QuietHoursError, parse_quiet_hours


def check(app: Flask) -> None:
    """Refuse malformed messaging settings, and development channels in production."""
    config = app.config
    try:
        parse_quiet_hours(config.get("SMS_QUIET_HOURS", ""))
    except QuietHoursError as exc:
        raise SettingsError(str(exc)) from exc
    if float(config.get("SMS_RATE_PER_SECOND", 10)) <= 0:
        raise SettingsError("SMS_RATE_PER_SECOND must be more than 0")
    base = config.get("TWILIO_API_BASE_URL", "")
    if base and (urlsplit(base).scheme not in ("http", "https") or not urlsplit(base).netloc):
        raise SettingsError(f"TWILIO_API_BASE_URL must be an http(s) URL, not {base!r}")
    if config.get("INVOLVE_ENV") != "production" or config.get("MESSAGING_ALLOW_DEV_CHANNELS"):
        return
    # The simulator and dev outbox would swallow real customers' messages in production.
    for key in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "MAIL_SERVER"):
        if not config.get(key):
            raise SettingsError(f"{key} must be set in production (messages would not leave the building)")
    if not (config.get("TWILIO_FROM_NUMBER") or config.get("TWILIO_MESSAGING_SERVICE_SID")):
        raise SettingsError("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID must be set in production")
    if not str(config.get("PUBLIC_BASE_URL", "")).startswith("https://"):
        raise SettingsError("PUBLIC_BASE_URL must be the public https:// address in production")
