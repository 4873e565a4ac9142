"""Import areas and the customer register."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.contact import phone_type
from app.extensions import db
from app.imports import fields as f
from app.imports.reader import Columns, Progress, Repeats, Sheet
from app.imports.result import FieldError, ImportResult, quoted
from app.imports.store import column_limit, upsert
from app.models import Area, Customer
from app.vocabulary.lists import Vocabulary, key, load, load_all

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
        "postcode",
        "language",
    ),
)
# column -> (parser, value of a blank cell); None: the landlord's list decides, read from the database.
CUSTOMER_CELLS: dict[str, tuple[f.Parser | None, Any]] = {
    "first_name": (f.text(column_limit(Customer, "first_name")), ""),
    "last_name": (f.text(column_limit(Customer, "last_name")), ""),
    "phone": (f.phone, None),
    "email": (f.email, None),
    "area": (None, None),
    **{name: (None, None) for name in ("tenure", "age_band", "gender", "ethnicity", "disability")},
    "sms_consent": (f.yes_no, False),
    "email_consent": (f.yes_no, False),
    "postcode": (f.postcode, None),
    "language": (None, None),
}
# How an error names each list: "is not on the landlord's list of tenures".
LIST_NAMES = {
    "tenure": "tenures",
    "age_band": "age bands",
    "gender": "genders",
    "ethnicity": "ethnicities",
    "disability": "disability answers",
    "language": "languages",
}


def field_of(column: str) -> str:
    """Return the Customer attribute a column fills."""
    return "area_id" if column == "area" else column


def area_parser(areas: Vocabulary | None = None) -> f.Parser:
    """Return a parser that turns an area name or synonym (any case and spacing) into its id."""
    areas = areas or load("area")
    if not areas.values:

        def unknown(raw: str) -> int:
            raise FieldError(f"{quoted(raw)} is not a known area (import the areas file first)")

        return unknown
    name_of = f.listed("areas", areas.values, areas.lookup, key)
    return lambda raw: areas.ids[name_of(raw)]


def list_parsers() -> dict[str, f.Parser]:
    """Return a parser per profile column that accepts only the landlord's values and synonyms."""
    lists = load_all()
    parsers = {
        name: f.listed(what, lists[name].values, lists[name].lookup, key) for name, what in LIST_NAMES.items()
    }
    parsers["area"] = area_parser(lists["area"])
    return parsers


def import_areas(sheet: Sheet, result: ImportResult, now: datetime, progress: Progress | None) -> None:
    """Add areas by name, or update the homes of areas already known."""
    name_text = f.text(column_limit(Area, "name"))
    records: dict[str, dict[str, Any]] = {}
    repeats = Repeats()
    for row in sheet:
        name = row.get("area", name_text, required=True)
        homes = row.get("homes", f.whole_number, required=True)
        key = name.casefold() if name else None
        repeats.check(row, (key,), "area", quoted(name or ""))
        if not row.ok:
            continue
        records[key] = {"name": name, "homes": homes}
    sheet.problems.raise_if_any()
    existing = {
        name.casefold(): (area_id, {"homes": homes})
        for area_id, name, homes in db.session.execute(select(Area.id, Area.name, Area.homes))
    }
    upsert(Area, records, existing, result, key_fields=("name",), progress=progress)


def ref_key(ref: str) -> str:
    """Return the form a customer ref is matched by: surrounding spaces and case ignored."""
    return ref.strip().upper()


def import_customers(sheet: Sheet, result: ImportResult, now: datetime, progress: Progress | None) -> None:
    """Add customers by ref, or update the columns the file has for customers already known."""
    ref_text = f.text(column_limit(Customer, "ref"))
    listed = list_parsers()
    cells = [
        (field_of(column), column, parse or listed[column], blank)
        for column, (parse, blank) in CUSTOMER_CELLS.items()
        if column in sheet.columns
    ]
    records: dict[str, dict[str, Any]] = {}
    repeats = Repeats()
    for row in sheet:
        ref = row.get("ref", ref_text, required=True)
        values = {field: row.get(column, parse, default=blank) for field, column, parse, blank in cells}
        # Refs are matched ignoring case, so "dl100001" and "DL100001" are the same customer.
        repeats.check(row, (ref_key(ref) if ref else None,), "ref", quoted(ref or ""))
        if not row.ok:
            continue
        values["ref"] = ref
        if "phone" in values:
            values["phone_type"] = phone_type(values["phone"])
        records[ref_key(ref)] = values
    sheet.problems.raise_if_any()

    compared = [field_of(column) for column in CUSTOMER_CELLS] + ["phone_type"]
    existing: dict[str, tuple[int, dict[str, Any]]] = {}
    exact: set[str] = set()
    statement = select(
        Customer.id, Customer.ref, Customer.erased_at, *(getattr(Customer, n) for n in compared)
    ).order_by(Customer.id)
    for customer_id, ref, erased_at, *current in db.session.execute(statement):
        key = ref_key(ref)
        if key not in records or key in exact:
            continue
        if ref == records[key]["ref"]:
            exact.add(key)
        elif key in existing:
            continue  # the earliest of refs differing only in case, unless one is written exactly so
        if erased_at is not None:
            # An erased customer's details must not come back from an old spreadsheet.
            del records[key]
            existing.pop(key, None)
            result.skipped += 1
            result.notes.append(f"{ref}: erased from the register; left as it is")
            continue
        existing[key] = (customer_id, dict(zip(compared, current, strict=True)))
    blanks = {
        field_of(column): blank
        for column, (_, blank) in CUSTOMER_CELLS.items()
        if column not in sheet.columns
    }
    if "phone" not in sheet.columns:
        blanks["phone_type"] = None
    # New customers get blank values for the columns the file leaves out; known ones keep theirs.
    for key, values in records.items():
        if key not in existing:
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
