"""The import direction of docs/architecture.md: app <- messaging <- consultations; reporting reads app and consultations."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# package -> packages of ours it must never import
FORBIDDEN = {
    "app": {"messaging", "consultations", "reporting"},
    "messaging": {"consultations", "reporting"},
    "consultations": {"reporting"},
    "reporting": {"messaging"},
}


def imported_top_levels(path: Path) -> set[tuple[str, int]]:
    """Return (top-level package, line) for every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[tuple[str, int]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update((alias.name.split(".")[0], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add((node.module.split(".")[0], node.lineno))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_flow_one_way(package: str) -> None:
    breaches = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for top, line in imported_top_levels(path):
            if top in FORBIDDEN[package]:
                breaches.append(f"{path.relative_to(ROOT)}:{line} imports {top}")
    assert not breaches, "\n".join(breaches)


def test_app_factory_is_the_only_place_that_names_feature_packages() -> None:
    # The factory loads feature packages by name, without importing them at module level.
    factory = (ROOT / "app" / "factory.py").read_text()
    assert "FEATURE_PACKAGES" in factory
    assert all(
        top not in {"messaging", "consultations", "reporting"}
        for top, _ in imported_top_levels(ROOT / "app" / "factory.py")
    )


def test_no_module_imports_a_view_module() -> None:
    breaches = []
    for package in FORBIDDEN:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith(".views"):
                    own = node.module.rsplit(".", 1)[0]
                    # a package's own init_app may import its views to register them
                    if path.name != "__init__.py" or not str(path.parent).endswith(own.replace(".", "/")):
                        breaches.append(f"{path.relative_to(ROOT)} imports {node.module}")
    assert not breaches, "\n".join(breaches)


# Modules of messaging that other packages may import: the rest is messaging's own business.
MESSAGING_PUBLIC = {"messaging", "messaging.api", "messaging.handlers", "messaging.scheduler"}


def test_consultations_use_only_messagings_public_modules() -> None:
    breaches = []
    for path in sorted((ROOT / "consultations").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module == "messaging" and node.level == 0:
                names = [f"messaging.{alias.name}" for alias in node.names]  # from messaging import models
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                names = []
            for name in names:
                if name.split(".")[0] == "messaging" and name not in MESSAGING_PUBLIC:
                    breaches.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert not breaches, "\n".join(breaches)


def test_the_staff_screens_hold_no_services() -> None:
    # Rules the screens apply live in app/ (app/activities.py, app/customers.py), where imports,
    # commands and other packages can use them without reaching into the UI.
    found = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app" / "web").rglob("services.py"))
    assert found == []
