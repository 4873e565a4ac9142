"""Run axe-core (vendored in ./vendor, MPL-2.0) in a Playwright page and describe what it finds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# WCAG 2.2 A and AA, plus axe's best practices (landmarks, one h1, heading order).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def enable(page: Any) -> None:
    """Load axe into every document the page opens (as an init script, so the app's CSP does not block it)."""
    page.context.add_init_script(path=str(AXE))


def violations(page: Any) -> list[dict[str, Any]]:
    """Run axe on the page as it stands and return its violations."""
    return page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations", TAGS
    )


def describe(found: list[dict[str, Any]]) -> str:
    """Return one line per violation and node, for an assertion message."""
    lines = []
    for item in found:
        for node in item["nodes"][:5]:
            lines.append(
                f"{item['id']} ({item['impact']}): {node['target']} {node['failureSummary'][:200]!r}"
            )
    return "\n".join(lines)


def check(page: Any, url: str, where: str = "") -> list[str]:
    """Open ``url`` (unless it is empty) and return described violations, prefixed with where they are."""
    if url:
        page.goto(url)
    found = violations(page)
    return [f"{where or url}: {line}" for line in describe(found).splitlines()]
