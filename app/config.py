"""Settings read from the environment (listed in README.md, "Settings") with safe development defaults."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


OPTIONAL_NUMBERS: dict[str, type] = {
    "SURVEY_CONVERSATION_DAYS": float,
    "SURVEY_TIMED_OUT_REPLY_DAYS": float,
    "MESSAGING_MAX_ATTEMPTS": int,
    "MESSAGING_SENDING_TIMEOUT_SECONDS": float,
    "MESSAGING_THROTTLE_PAUSE_SECONDS": float,
    "SMS_MAX_IN_FLIGHT": int,
    "SMS_EXPECTED_LATENCY_SECONDS": float,
    "MAIL_SESSIONS": int,
    "LOGIN_MAX_FAILURES": int,
    "LOGIN_MAX_FAILURES_PER_IP": int,
    "LOGIN_MAX_FAILURES_PER_ACCOUNT": int,
    "LOGIN_LOCK_MINUTES": int,
    "PASSWORD_RESET_MINUTES": float,
    "SCHEDULER_MAX_SECONDS": int,
    # TSM results flag a measure whose base is under this (consultations/tsm/results.py).
    "TSM_SMALL_BASE": int,
    "UNSUBSCRIBE_TOKEN_DAYS": int,
    # Request body limits in bytes (app/web/limits.py holds the defaults).
    "MAX_CONTENT_LENGTH": int,
    "UPLOAD_MAX_CONTENT_LENGTH": int,
    "WEBHOOK_MAX_CONTENT_LENGTH": int,
}


class SettingsError(RuntimeError):
    """A setting is missing or malformed; the message names the variable."""


def env_bool(name: str, default: bool, environ: dict[str, str] | None = None) -> bool:
    """Read a boolean setting written as 1/0, true/false or yes/no."""
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingsError(f"{name} must be 1/0, true/false or yes/no, not {raw!r}")


def _env_number(name: str, default: str, kind: type, environ: dict[str, str]) -> Any:
    raw = environ.get(name, default)
    try:
        return kind(raw)
    except (ValueError, ArithmeticError) as exc:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from exc


def load_settings(instance_path: str, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the settings mapping from environment variables."""
    env = dict(os.environ if environ is None else environ)
    sqlite_path = Path(instance_path) / "involve.sqlite3"
    database_url = env.get("DATABASE_URL") or f"sqlite:///{sqlite_path}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    settings: dict[str, Any] = {
        "SECRET_KEY": env.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "TWILIO_ACCOUNT_SID": env.get("TWILIO_ACCOUNT_SID", ""),
        "TWILIO_AUTH_TOKEN": env.get("TWILIO_AUTH_TOKEN", ""),
        "TWILIO_FROM_NUMBER": env.get("TWILIO_FROM_NUMBER", ""),
        "TWILIO_MESSAGING_SERVICE_SID": env.get("TWILIO_MESSAGING_SERVICE_SID", ""),
        "TWILIO_API_BASE_URL": env.get("TWILIO_API_BASE_URL", ""),
        "SMS_RATE_PER_SECOND": _env_number("SMS_RATE_PER_SECOND", "10", float, env),
        "SMS_QUIET_HOURS": env.get("SMS_QUIET_HOURS", "21:00-09:00"),
        "SMS_PRICE_PER_SEGMENT": _env_number("SMS_PRICE_PER_SEGMENT", "0.04", Decimal, env),
        "SMS_HELP_TEXT": env.get(
            "SMS_HELP_TEXT",
            "Involve: resident involvement texts. Reply STOP to opt out. Call us for help.",
        ),
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": _env_number("MAIL_PORT", "25", int, env),
        "MAIL_USE_TLS": env_bool("MAIL_USE_TLS", False, env),
        "MAIL_USE_SSL": env_bool("MAIL_USE_SSL", False, env),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "involve@localhost"),
        "SCHEDULER_ENABLED": env_bool("SCHEDULER_ENABLED", False, env),
        "RATING_AVERAGE_AT": _env_number("RATING_AVERAGE_AT", "0.75", Decimal, env),
        "REGULAR_MIN_MEETINGS": _env_number("REGULAR_MIN_MEETINGS", "2", int, env),
        # Message bodies and free-text answers older than this many days are blanked.
        "RETENTION_DAYS": _env_number("RETENTION_DAYS", "730", int, env),
        "INVOLVE_ENV": env.get("INVOLVE_ENV", "development"),
        "ORGANISATION_NAME": env.get("ORGANISATION_NAME", "Derwent Living"),
        # Customer-facing pages and messages speak for the landlord (defaults to ORGANISATION_NAME).
        "LANDLORD_NAME": env.get("LANDLORD_NAME") or env.get("ORGANISATION_NAME", "Derwent Living"),
        "LANDLORD_LOGO_URL": env.get("LANDLORD_LOGO_URL", ""),
        # The number customers text (JOIN keywords, replies), as shown to them; default TWILIO_FROM_NUMBER.
        "SMS_PUBLIC_NUMBER": env.get("SMS_PUBLIC_NUMBER") or env.get("TWILIO_FROM_NUMBER", ""),
        # Per-address limits on public form posts, counted in the database (or RATELIMIT_STORAGE_URI).
        "RATELIMIT_ENABLED": env_bool("RATELIMIT_ENABLED", True, env),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "involve+db://"),
        "PUBLIC_POST_LIMIT": env.get("PUBLIC_POST_LIMIT", "6 per minute; 30 per hour"),
        "PUBLIC_LOOKUP_LIMIT": env.get("PUBLIC_LOOKUP_LIMIT", "3 per minute; 10 per hour"),
        "UNSUBSCRIBE_POST_LIMIT": env.get("UNSUBSCRIBE_POST_LIMIT", "120 per minute"),
        "PASSWORD_RESET_LIMIT": env.get("PASSWORD_RESET_LIMIT", "5 per 15 minutes; 20 per day"),
        "PASSWORD_RESET_EMAIL_LIMIT": env.get("PASSWORD_RESET_EMAIL_LIMIT", "3 per hour"),
        # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto/-Host (0 = trust none).
        "PROXY_FIX_X_FOR": _env_number("PROXY_FIX_X_FOR", "0", int, env),
        "PROXY_FIX_X_PROTO": _env_number("PROXY_FIX_X_PROTO", "0", int, env),
        "PROXY_FIX_X_HOST": _env_number("PROXY_FIX_X_HOST", "0", int, env),
        # Staff sessions end after this long without a request, and this long after sign-in.
        "SESSION_IDLE_MINUTES": _env_number("SESSION_IDLE_MINUTES", "480", float, env),
        "SESSION_MAX_HOURS": _env_number("SESSION_MAX_HOURS", "24", float, env),
    }
    # Tuning knobs whose defaults live with the package that uses them; read here only when set.
    for name, kind in OPTIONAL_NUMBERS.items():
        if env.get(name):
            settings[name] = _env_number(name, env[name], kind, env)
    # Which tenures are the TSM populations (comma-separated); set but empty means none.
    for name in ("TSM_LCRA_TENURES", "TSM_LCHO_TENURES"):
        if name in env:
            settings[name] = env[name]
    if database_url.startswith("sqlite"):
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    else:
        # Connections are checked on checkout by app/pool_check.py: a ping only when in doubt.
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    return settings


def check_production(settings: dict[str, Any]) -> None:
    """Refuse to start production with missing or half-set settings."""
    if not settings.get("SECRET_KEY"):
        raise SettingsError("SECRET_KEY must be set outside development")
    if settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and not settings.get(
        "ALLOW_SQLITE_IN_PRODUCTION"
    ):
        raise SettingsError("DATABASE_URL must point at PostgreSQL in production")
    twilio = ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"]
    if any(settings.get(k) for k in [*twilio, "TWILIO_FROM_NUMBER", "TWILIO_MESSAGING_SERVICE_SID"]):
        for key in twilio:
            if not settings.get(key):
                raise SettingsError(f"{key} must be set when Twilio is configured")
        if not (settings.get("TWILIO_FROM_NUMBER") or settings.get("TWILIO_MESSAGING_SERVICE_SID")):
            raise SettingsError(
                "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID must be set when Twilio is configured"
            )
    if (settings.get("MAIL_USERNAME") or settings.get("MAIL_PASSWORD")) and not settings.get("MAIL_SERVER"):
        raise SettingsError("MAIL_SERVER must be set when MAIL_USERNAME or MAIL_PASSWORD is")
