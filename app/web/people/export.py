"""The register out as CSV (formula-safe) or XLSX, with the filters the list page shows."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from app.extensions import db
from app.models import Customer
from app.web.people.queries import CustomerFilters, customer_query

COLUMNS = (
    "ref",
    "first_name",
    "last_name",
    "phone",
    "phone_type",
    "email",
    "area",
    "tenure",
    "age_band",
    "gender",
    "ethnicity",
    "disability",
    "language",
    "postcode",
    "sms_consent",
    "email_consent",
    "sms_opted_out",
    "email_opted_out",
    "involvement_register",
)
# A cell starting with one of these runs as a formula in Excel or LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_E164 = re.compile(r"\+\d{6,15}")


def formula_safe(value: Any) -> Any:
    """Defuse text a spreadsheet would run as a formula, with a leading quote."""
    # A stored E.164 number is only digits after "+": nothing to run, and a re-import reads it back.
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _E164.fullmatch(value):
        return "'" + value
    return value


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def register_rows(filters: CustomerFilters) -> Iterator[list[Any]]:
    """Yield one row per customer matching ``filters``; erased customers are left out."""
    query = customer_query(filters).where(Customer.erased_at.is_(None)).execution_options(yield_per=1000)
    for c in db.session.scalars(query):
        yield [
            c.ref,
            c.first_name,
            c.last_name,
            c.phone,
            c.phone_type,
            c.email,
            c.area.name if c.area else None,
            c.tenure,
            c.age_band,
            c.gender,
            c.ethnicity,
            c.disability,
            c.language,
            c.postcode,
            _yes(c.sms_consent),
            _yes(c.email_consent),
            _yes(c.sms_opted_out_at is not None),
            _yes(c.email_opted_out_at is not None),
            _yes(c.involvement_register),
        ]


def to_csv(filters: CustomerFilters) -> str:
    """Return the register as CSV text with a header row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in register_rows(filters):
        writer.writerow(["" if v is None else formula_safe(v) for v in row])
    return out.getvalue()


def to_xlsx(filters: CustomerFilters) -> bytes:
    """Return the register as an XLSX workbook; text is kept as text, never as a formula."""
    from openpyxl import Workbook  # loaded on first use so commands start quickly

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="Register")
    sheet.append(list(COLUMNS))
    for row in register_rows(filters):
        sheet.append([formula_safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
