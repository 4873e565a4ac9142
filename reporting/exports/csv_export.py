"""The report as one flat, section-tagged CSV table.

Columns: ``section,item,field,value``. ``section`` is one of period, activity, channel, summary,
outcome, action, profile, coverage, warning; ``item`` names the activity, the row number of an
outcome or action, or ``field/value`` of a profile cell; ``field`` is the JSON key; ``value`` is
the figure as in the JSON (money with two decimals, suppressed profile cells as ``<5``).
Cells that a spreadsheet would read as a formula are prefixed with a single quote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from reporting.report import ImpactReport

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ACTIVITY_FIELDS = (
    "category", "aim", "method", "outcomes", "evidence", "customers_involved", "customer_hours",
    "staff_hours", "total_cost", "cost_per_customer", "homes_affected", "cost_per_property",
    "rating", "rating_basis", "rating_reason",
)  # fmt: skip


def safe_cell(value: Any) -> str:
    """Return the cell as text, defused when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def rows(report: ImpactReport) -> Iterator[tuple[str, str, str, Any]]:
    """Yield (section, item, field, value) for every figure and word of the report."""
    data = report.to_json()
    yield ("period", "", "from", data["period"]["from"])
    yield ("period", "", "to", data["period"]["to"])
    for activity in data["activities"]:
        for key in ACTIVITY_FIELDS:
            yield ("activity", activity["name"], key, activity[key])
        for channel, count in activity["by_channel"].items():
            yield ("channel", activity["name"], channel, count)
    for key, value in data["summary"].items():
        yield ("summary", "", key, value)
    for number, outcome in enumerate(data["outcomes_log"], start=1):
        for key, value in outcome.items():
            yield ("outcome", str(number), key, value)
    for number, action in enumerate(data["actions"], start=1):
        for key, value in action.items():
            yield ("action", str(number), key, value)
    yield ("coverage", "", "coverage", data["profile"]["coverage"])
    for field, cells in data["profile"]["fields"].items():
        for value, cell in cells.items():
            for key in ("participants", "base"):
                count = cell[key]
                yield ("profile", f"{field}/{value}", key, "<5" if count is None else count)
    for warning in data["warnings"]:
        yield ("warning", warning["activity"] or "", warning["code"], warning["message"])


def to_csv(report: ImpactReport) -> str:
    """Render the report as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "item", "field", "value"])
    for row in rows(report):
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
