"""Import areas and the customer register."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.imports import fields as f
from app.imports.reader import Columns, Progress, Sheet
from app.imports.result import ImportResult, quoted
from app.imports.store import column_limit, upsert
from app.models import Area, Customer

AREA_COLUMNS = Columns(("area", "homes"))
CUSTOMER_COLUMNS = Columns(
    ("ref",),
    (
        "first_name",
        "last_name",
        "phone",
        "email",
        "area",
        "tenure",
        "age_band",
        "gender",
        "ethnicity",
        "disability",
        "sms_consent",
        "email_consent",
    ),
)
# column -> (parser, value of a blank cell); "area" is a reference and handled apart.
CUSTOMER_CELLS: dict[str, tuple[f.Parser, Any]] = {
    "first_name": (f.text(column_limit(Customer, "first_name")), ""),
    "last_name": (f.text(column_limit(Customer, "last_name")), ""),
    "phone": (f.phone, None),
    "email": (f.email, None),
    **{
        name: (f.text(column_limit(Customer, name)), None)
        for name in ("tenure", "age_band", "gender", "ethnicity", "disability")
    },
    "sms_consent": (f.yes_no, False),
    "email_consent": (f.yes_no, False),
}


def area_ids() -> dict[str, int]:
    """Return area ids by case-folded name."""
    rows = db.session.execute(select(Area.name, Area.id))
    return {name.casefold(): area_id for name, area_id in rows}


def import_areas(sheet: Sheet, result: ImportResult, now: datetime, progress: Progress | None) -> None:
    """Add areas by name, or update the homes of areas already known."""
    name_text = f.text(column_limit(Area, "name"))
    records: dict[str, dict[str, Any]] = {}
    first_row: dict[str, int] = {}
    for row in sheet:
        name = row.get("area", name_text, required=True)
        homes = row.get("homes", f.whole_number, required=True)
        if not row.ok:
            continue
        key = name.casefold()
        if key in first_row:
            row.error("area", f"{quoted(name)} appears twice: rows {first_row[key]} and {row.number}")
            continue
        first_row[key] = row.number
        records[key] = {"name": name, "homes": homes}
    sheet.problems.raise_if_any()
    existing = {
        name.casefold(): (area_id, {"homes": homes})
        for area_id, name, homes in db.session.execute(select(Area.id, Area.name, Area.homes))
    }
    upsert(Area, records, existing, result, key_fields=("name",), progress=progress)


def import_customers(sheet: Sheet, result: ImportResult, now: datetime, progress: Progress | None) -> None:
    """Add customers by ref, or update the columns the file has for customers already known."""
    ref_text = f.text(column_limit(Customer, "ref"))
    cells = [(name, *CUSTOMER_CELLS[name]) for name in CUSTOMER_CELLS if name in sheet.columns]
    areas = area_ids() if "area" in sheet.columns else {}
    records: dict[str, dict[str, Any]] = {}
    first_row: dict[str, int] = {}
    for row in sheet:
        ref = row.get("ref", ref_text, required=True)
        values = {name: row.get(name, parse, default=blank) for name, parse, blank in cells}
        if "area" in sheet.columns:
            area = row.values.get("area", "")
            values["area_id"] = areas.get(area.casefold()) if area else None
            if area and values["area_id"] is None:
                row.error("area", f"{quoted(area)} is not a known area (import the areas file first)")
        if not row.ok:
            continue
        if ref in first_row:
            row.error("ref", f"{quoted(ref)} appears twice: rows {first_row[ref]} and {row.number}")
            continue
        first_row[ref] = row.number
        values["ref"] = ref
        records[ref] = values
    sheet.problems.raise_if_any()

    compared = [*CUSTOMER_CELLS, "area_id"]
    existing: dict[str, tuple[int, dict[str, Any]]] = {}
    statement = select(
        Customer.id, Customer.ref, Customer.erased_at, *(getattr(Customer, n) for n in compared)
    )
    for customer_id, ref, erased_at, *current in db.session.execute(statement):
        if ref not in records:
            continue
        if erased_at is not None:
            # An erased customer's details must not come back from an old spreadsheet.
            del records[ref]
            result.skipped += 1
            result.notes.append(f"{ref}: erased from the register; left as it is")
            continue
        existing[ref] = (customer_id, dict(zip(compared, current, strict=True)))
    blanks = {name: blank for name, (_, blank) in CUSTOMER_CELLS.items() if name not in sheet.columns}
    if "area" not in sheet.columns:
        blanks["area_id"] = None
    # New customers get blank values for the columns the file leaves out; known ones keep theirs.
    for ref, values in records.items():
        if ref not in existing:
            values.update(blanks)
    upsert(
        Customer,
        records,
        existing,
        result,
        on_insert={"created_at": now, "updated_at": now},
        on_update={"updated_at": now},
        key_fields=("ref",),
        progress=progress,
    )
