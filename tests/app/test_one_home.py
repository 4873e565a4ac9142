"""Each shared rule is defined once: a second definition would drift from the first."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "messaging", "consultations", "reporting")


def _modules() -> list[Path]:
    return [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]


def _definitions(name: str) -> list[str]:
    found = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == name:
                found.append(str(path.relative_to(ROOT)))
    return found


def test_uk_time_zone_is_made_in_one_place() -> None:
    places = [
        str(p.relative_to(ROOT)) for p in _modules() if 'ZoneInfo("Europe/London")' in p.read_text("utf-8")
    ]
    assert places == ["app/periods.py"]


def test_each_shared_rule_has_one_definition() -> None:
    homes = {
        "DefinitionError": ["consultations/field_errors.py"],
        "hash_token": ["app/tokens.py"],
        "new_token": ["app/tokens.py"],
        "normalise_phone": ["app/contact.py"],
        "normalise_email": ["app/contact.py"],
        "phone_type": ["app/contact.py"],
        "suppress_column": ["app/suppression.py"],
        "Period": ["app/periods.py"],
        "financial_year": ["app/periods.py"],
        "financial_year_starting": ["app/periods.py"],
        "local_date": ["app/periods.py"],
        "read_local_time": ["consultations/field_errors.py"],
        "activity_named": ["app/activities.py"],
    }
    assert {name: _definitions(name) for name in homes} == homes


def test_definitions_read_times_and_name_activities_one_way() -> None:
    # Surveys and events each had their own reader of local times and their own activity lookup.
    for gone in ("parse_local", "find_activity", "find_or_create_activity"):
        assert _definitions(gone) == [], gone
    found = sorted(
        str(path.relative_to(ROOT))
        for path in _modules()
        if "fromisoformat" in path.read_text("utf-8") and "definitions" in path.name
    )
    assert found == [], found


def test_financial_years_are_counted_in_one_module() -> None:
    # Any function named for financial years elsewhere would be a second April-to-March rule.
    found = sorted(
        str(path.relative_to(ROOT))
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef) and "financial_year" in node.name
    )
    assert set(found) == {"app/periods.py"}


def test_no_module_parses_phone_numbers_but_the_contact_rules() -> None:
    users = [str(p.relative_to(ROOT)) for p in _modules() if "phonenumbers.parse" in p.read_text("utf-8")]
    assert users == ["app/contact.py"]


def test_small_cells_are_hidden_at_one_threshold() -> None:
    owners = [str(p.relative_to(ROOT)) for p in _modules() if "SUPPRESS_UNDER =" in p.read_text("utf-8")]
    assert owners == ["app/suppression.py"]
