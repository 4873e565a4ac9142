"""The report as CSV files the way spreadsheet users expect: one row per activity, one file per section.

``activities.csv`` has one row per activity with every figure as a column (customers per channel
as ``customers_<channel>`` columns). ``summary.csv`` (figure,value), ``outcomes.csv``,
``actions.csv``, ``profile.csv`` (field,value,participants,base; suppressed cells as ``<5``) and
``narrative.csv`` (section,text) hold the rest; the download is a zip of all of them. Money has
two decimals, dates are YYYY-MM-DD, as in the JSON. Cells that a spreadsheet would read as a
formula are prefixed with a single quote.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from reporting.report import ImpactReport

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ACTIVITY_FIELDS = (
    "name",
    "qualifier",
    "category",
    "start_date",
    "end_date",
    "customers_involved",
    "customer_hours",
    "staff_hours",
    "total_cost",
    "cost_per_customer",
    "homes_affected",
    "cost_per_property",
    "rating",
    "rating_basis",
    "rating_reason",
    "aim",
    "method",
    "outcomes",
    "evidence",
)
ZIP_DATE = (2000, 1, 1, 0, 0, 0)  # fixed, so the same report always gives the same bytes


def safe_cell(value: Any) -> str:
    """Return the cell as text, defused when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def activities_csv(report: ImpactReport) -> str:
    """Return one row per activity with every figure as a column."""
    data = report.to_json()
    channels = sorted({c for a in data["activities"] for c in a["by_channel"]})
    header = [*ACTIVITY_FIELDS, *(f"customers_{c}" for c in channels)]
    return _table(
        header,
        (
            [a[k] for k in ACTIVITY_FIELDS] + [a["by_channel"].get(c, 0) for c in channels]
            for a in data["activities"]
        ),
    )


def tables(report: ImpactReport) -> dict[str, str]:
    """Return every CSV file of the report by name."""
    data = report.to_json()
    summary = [("period_from", data["period"]["from"]), ("period_to", data["period"]["to"])]
    summary += [*data["summary"].items(), ("profile_coverage", data["profile"]["coverage"])]
    outcome_keys = ("where_who", "what", "outcome", "raised_on", "resolved_on")
    action_keys = ("aim", "expected_outcome", "due_date", "status", "overdue")
    profile = [
        (field, value, *("<5" if cell[k] is None else cell[k] for k in ("participants", "base")))
        for field, cells in data["profile"]["fields"].items()
        for value, cell in cells.items()
    ]
    return {
        "activities.csv": activities_csv(report),
        "summary.csv": _table(("figure", "value"), summary),
        "outcomes.csv": _table(
            (*outcome_keys, "state"),
            (
                [o[k] for k in outcome_keys] + ["resolved" if o["resolved_on"] else "in progress"]
                for o in data["outcomes_log"]
            ),
        ),
        "actions.csv": _table(action_keys, ([a[k] for k in action_keys] for a in data["actions"])),
        "profile.csv": _table(("field", "value", "participants", "base"), profile),
        "narrative.csv": _table(("section", "text"), data.get("narrative", {}).items()),
    }


def to_zip(report: ImpactReport) -> bytes:
    """Return the CSV files in one zip, each UTF-8 with a BOM so spreadsheets read the £ sign."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in tables(report).items():
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), text.encode("utf-8-sig"))
    return out.getvalue()
