"""The report as an XLSX workbook: a sheet per section, numbers as numbers, money as £#,##0.00."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reporting.formatting import FIELD_LABELS, channel_name
from reporting.narrative import SECTIONS
from reporting.report import ImpactReport

MONEY = "£#,##0.00"
HOURS = "#,##0.####"
DATE = "dd/mm/yyyy"

# The Activities sheet, a row per column: heading, width, the activity's field, number format.
ACTIVITY_COLUMNS: tuple[tuple[str, int, str, str | None], ...] = (
    ("Activity", 34, "name", None),
    ("Qualifier", 22, "qualifier", None),
    ("Category", 14, "category", None),
    ("Start date", 12, "start_date", DATE),
    ("End date", 12, "end_date", DATE),
    ("Customers involved", 12, "customers_involved", None),
    ("Customer hours", 12, "customer_hours", HOURS),
    ("Staff hours", 12, "staff_hours", HOURS),
    ("Total cost", 14, "total_cost", MONEY),
    ("Cost per customer", 14, "cost_per_customer", MONEY),
    ("Homes affected", 12, "homes_affected", None),
    ("Cost per property", 14, "cost_per_property", MONEY),
    ("Rating", 10, "rating", None),
    ("Rating basis", 14, "rating_basis", None),
    ("Rating reason", 40, "rating_reason", None),
    ("Aim", 40, "aim", None),
    ("Method", 40, "method", None),
    ("Outcomes", 40, "outcomes", None),
    ("Evidence", 40, "evidence", None),
)


def _sheet(book: Workbook, title: str, header: Sequence[str], widths: Sequence[int]) -> Worksheet:
    sheet = book.create_sheet(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    return sheet


def _append(sheet: Worksheet, values: Sequence[Any], formats: dict[int, str] | None = None) -> None:
    """Append a row; text is always stored as text so nothing in it runs as a formula."""
    sheet.append(list(values))
    row = sheet[sheet.max_row]
    for index, cell in enumerate(row):
        if isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"
        if formats and index in formats and cell.value is not None:
            cell.number_format = formats[index]


def to_xlsx(report: ImpactReport) -> bytes:
    """Render the report as XLSX bytes."""
    book = Workbook()
    book.remove(book.active)
    s = report.summary
    summary = _sheet(book, "Summary", ["Figure", "Value"], [36, 18])
    _append(summary, ["Title", report.title])
    _append(summary, ["Period from", report.date_from], {1: DATE})
    _append(summary, ["Period to", report.date_to], {1: DATE})
    _append(summary, ["Customers participated", s.customers_participated])
    _append(summary, ["Unidentified participants", s.unidentified_participants])
    _append(summary, ["New regularly involved", s.new_regularly_involved])
    _append(summary, ["Customers trained", s.customers_trained])
    for label, amount in (("Budget", s.budget), ("Spend", s.spend), ("Underspend", s.underspend)):
        _append(summary, [label, amount], {1: MONEY})
    _append(summary, ["Profiling coverage", float(report.profile.coverage)], {1: "0%"})

    channel_keys = sorted({c for a in report.activities for c in a.by_channel})
    activities = _sheet(
        book,
        "Activities",
        [heading for heading, _, _, _ in ACTIVITY_COLUMNS]
        + [f"Customers: {channel_name(c)}" for c in channel_keys],
        [width for _, width, _, _ in ACTIVITY_COLUMNS] + [12] * len(channel_keys),
    )
    formats = {i: fmt for i, (_, _, _, fmt) in enumerate(ACTIVITY_COLUMNS) if fmt}
    for a in report.activities:
        values = [getattr(a, field) for _, _, field, _ in ACTIVITY_COLUMNS]
        _append(activities, values + [a.by_channel.get(c, 0) for c in channel_keys], formats)

    channels = _sheet(book, "By channel", ["Activity", "Channel", "Customers"], [34, 14, 12])
    for a in report.activities:
        for channel, count in a.by_channel.items():
            _append(channels, [a.name, channel_name(channel), count])

    outcomes = _sheet(
        book,
        "Outcomes",
        ["Where / who", "What", "Outcome", "Raised", "Resolved", "State"],
        [30, 50, 50, 12, 12, 12],
    )
    for o in report.outcomes_log:
        state = "resolved" if o.resolved_on else "in progress"
        _append(
            outcomes, [o.where_who, o.what, o.outcome, o.raised_on, o.resolved_on, state], {3: DATE, 4: DATE}
        )

    actions = _sheet(
        book, "Actions", ["Aim", "Expected outcome", "Due date", "Status", "Overdue"], [40, 50, 12, 12, 9]
    )
    for act in report.actions:
        _append(actions, [act.aim, act.expected_outcome, act.due_date, act.status, act.overdue], {2: DATE})

    profile = _sheet(book, "Profile", ["Field", "Value", "Participants", "Whole register"], [16, 30, 14, 14])
    for field, cells in report.profile.fields.items():
        for value, cell in cells.items():
            _append(
                profile,
                [
                    FIELD_LABELS.get(field, field),
                    value,
                    "<5" if cell.participants is None else cell.participants,
                    "<5" if cell.base is None else cell.base,
                ],
            )

    narrative = _sheet(book, "Narrative", ["Section", "Text"], [30, 100])
    for key, label in SECTIONS:
        _append(narrative, [label, report.narrative.get(key, "")])

    if report.warnings:  # internal: a published copy has none
        warnings = _sheet(book, "Warnings", ["Activity", "Warning"], [34, 80])
        for w in report.warnings:
            _append(warnings, [w.activity or "", w.message])

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
