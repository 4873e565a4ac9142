"""The TSM settings come from the environment like every other setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import SettingsError, load_settings


def test_tsm_settings_are_read_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings(
        str(tmp_path),
        {"TSM_LCRA_TENURES": "Social rent", "TSM_LCHO_TENURES": "", "TSM_SMALL_BASE": "30"},
    )
    assert settings["TSM_LCRA_TENURES"] == "Social rent"
    assert settings["TSM_LCHO_TENURES"] == ""  # set but empty: no shared owners
    assert settings["TSM_SMALL_BASE"] == 30
    defaults = load_settings(str(tmp_path), {})
    assert "TSM_LCHO_TENURES" not in defaults and "TSM_SMALL_BASE" not in defaults


def test_a_bad_small_base_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="TSM_SMALL_BASE must be a number"):
        load_settings(str(tmp_path), {"TSM_SMALL_BASE": "fifty"})
