"""Commands start at once: heavy libraries load when first used, not when the app is imported."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

HEAVY = ("weasyprint", "openpyxl", "icalendar")
# Loaded by `flask db`, by texting through Twilio, or by the first phone number or address checked.
DEFERRED = (*HEAVY, "alembic", "flask_migrate", "requests", "twilio.rest", "phonenumbers", "email_validator")
ROOT = Path(__file__).resolve().parents[2]
# Runs the real `flask` entry point, then names the deferred modules it imported, on stderr.
WRAPPER = f"""
import sys
from flask.cli import main
sys.argv = ["flask", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print("LOADED=" + ",".join(m for m in {DEFERRED!r} if m in sys.modules), file=sys.stderr)
"""


def _loaded_by(tmp_path: Path, *args: str) -> tuple[str, set[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env.update(PYTHONPATH=str(ROOT), INVOLVE_INSTANCE_PATH=str(tmp_path / "instance"))
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True, check=True, env=env, cwd=ROOT
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("LOADED="))
    return done.stdout, {m for m in line.removeprefix("LOADED=").split(",") if m}


def test_building_the_app_imports_no_heavy_library() -> None:
    # A fresh interpreter: this test process has long since imported everything.
    code = f"import sys, wsgi\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_flask_help_lists_every_command_without_the_deferred_libraries(tmp_path: Path) -> None:
    out, loaded = _loaded_by(tmp_path, "--app", "wsgi", "--help")
    assert loaded == set()
    for command in ("db", "import", "tsm", "consultations"):
        assert f"  {command} " in out


def test_flask_db_still_loads_flask_migrate_when_used(tmp_path: Path) -> None:
    out, loaded = _loaded_by(tmp_path, "--app", "wsgi", "db", "--help")
    assert {"alembic", "flask_migrate"} <= loaded
    assert "upgrade" in out and "downgrade" in out


def test_flask_db_heads_names_the_chain_head(tmp_path: Path) -> None:
    # In a subprocess: Alembic binds its output stream when first imported, before any capture.
    revisions, parents = set(), set()
    for path in (ROOT / "migrations" / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revisions |= set(re.findall(r"""^revision\s*=\s*["']([^"']+)""", text, re.M))
        parents |= set(re.findall(r"""^down_revision\s*=\s*["']([^"']+)""", text, re.M))
    (head,) = revisions - parents
    out, loaded = _loaded_by(tmp_path, "--app", "wsgi", "db", "heads")
    assert "alembic" in loaded
    assert out.split() == [head, "(head)"]
