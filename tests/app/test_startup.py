"""Commands start at once: heavy libraries load when first used, not when the app is imported."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("weasyprint", "openpyxl", "icalendar")


def test_building_the_app_imports_no_heavy_library() -> None:
    # A fresh interpreter: this test process has long since imported everything.
    code = f"import sys, wsgi\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
