"""Settings read from the environment."""

from decimal import Decimal

import pytest

from app.config import SettingsError, env_bool, load_settings


def test_defaults_and_numbers(tmp_path) -> None:
    settings = load_settings(
        str(tmp_path), {"SMS_PRICE_PER_SEGMENT": "0.035", "SURVEY_CONVERSATION_DAYS": "3"}
    )
    assert settings["SMS_PRICE_PER_SEGMENT"] == Decimal("0.035")
    assert settings["SURVEY_CONVERSATION_DAYS"] == 3.0
    assert "MESSAGING_MAX_ATTEMPTS" not in settings  # the package's own default applies
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert settings["SMS_QUIET_HOURS"] == "21:00-09:00"


def test_postgres_urls_use_psycopg(tmp_path) -> None:
    settings = load_settings(str(tmp_path), {"DATABASE_URL": "postgres://u@h/db"})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("yes", True), ("False", False), ("0", False)])
def test_booleans(raw: str, value: bool) -> None:
    assert env_bool("X", not value, {"X": raw}) is value


def test_bad_values_name_the_variable(tmp_path) -> None:
    with pytest.raises(SettingsError, match="MAIL_USE_TLS"):
        load_settings(str(tmp_path), {"MAIL_USE_TLS": "maybe"})
    with pytest.raises(SettingsError, match="LOGIN_MAX_FAILURES"):
        load_settings(str(tmp_path), {"LOGIN_MAX_FAILURES": "many"})
    with pytest.raises(SettingsError, match="LOGIN_MAX_FAILURES_PER_IP"):
        load_settings(str(tmp_path), {"LOGIN_MAX_FAILURES_PER_IP": "lots"})
    assert (
        load_settings(str(tmp_path), {"LOGIN_MAX_FAILURES_PER_IP": "50"})["LOGIN_MAX_FAILURES_PER_IP"] == 50
    )
