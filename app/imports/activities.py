"""Import activities: the words of the report, homes affected and targets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.imports import fields as f
from app.imports.reader import Columns, Progress, Repeats, Row, Sheet
from app.imports.result import ImportResult, quoted
from app.imports.store import column_limit, upsert
from app.models import Activity
from app.models.involvement import CATEGORIES

ACTIVITY_CELLS: dict[str, tuple[f.Parser, Any]] = {
    "category": (f.choice(CATEGORIES), "other"),
    "aim": (f.text(None), ""),
    "method": (f.text(None), ""),
    "outcomes": (f.text(None), ""),
    "evidence": (f.text(None), ""),
    "homes_affected": (f.whole_number, None),
    "start_date": (f.iso_date, None),
    "end_date": (f.iso_date, None),
    "target_customers": (f.whole_number, None),
    "target_cost_per_customer": (f.money, None),
    "counts_toward_budget": (f.yes_no, True),
}
ACTIVITY_COLUMNS = Columns(("name",), tuple(ACTIVITY_CELLS))


def activity_ids() -> dict[str, int]:
    """Return activity ids by case-folded name."""
    rows = db.session.execute(select(Activity.name, Activity.id))
    return {name.casefold(): activity_id for name, activity_id in rows}


def activity_cell(row: Row, activities: dict[str, int], *, required: bool = False) -> int | None:
    """Return the id of the activity a row names (any case), noting a problem when it is unknown."""
    column = "activity"
    name = row.values.get(column, "")
    if not name:
        if required:
            row.error(column, "a value is required")
        return None
    found = activities.get(name.casefold())
    if found is None:
        row.error(column, f"{quoted(name)} is not a known activity (import the activities file first)")
    return found


def import_activities(sheet: Sheet, result: ImportResult, now: datetime, progress: Progress | None) -> None:
    """Add activities by name, or update the columns the file has for activities already known."""
    name_text = f.text(column_limit(Activity, "name"))
    cells = [(name, *ACTIVITY_CELLS[name]) for name in ACTIVITY_CELLS if name in sheet.columns]
    records: dict[str, dict[str, Any]] = {}
    repeats = Repeats()
    for row in sheet:
        name = row.get("name", name_text, required=True)
        values = {column: row.get(column, parse, default=blank) for column, parse, blank in cells}
        start, end = values.get("start_date"), values.get("end_date")
        if start and end and end < start:
            row.error("end_date", f"{end.isoformat()} is before the start date {start.isoformat()}")
        key = name.casefold() if name else None
        repeats.check(row, (key,), "name", quoted(name or ""))
        if not row.ok:
            continue
        records[key] = {"name": name, **values}
    sheet.problems.raise_if_any()

    compared = list(ACTIVITY_CELLS)
    statement = select(Activity.id, Activity.name, *(getattr(Activity, n) for n in compared))
    existing = {
        name.casefold(): (activity_id, dict(zip(compared, current, strict=True)))
        for activity_id, name, *current in db.session.execute(statement)
    }
    blanks = {name: blank for name, (_, blank) in ACTIVITY_CELLS.items() if name not in sheet.columns}
    for key, values in records.items():
        if key not in existing:
            values.update(blanks)
    upsert(
        Activity,
        records,
        existing,
        result,
        on_insert={"created_at": now},
        key_fields=("name",),
        progress=progress,
    )
