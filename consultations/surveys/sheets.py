"""Read a small table from CSV (UTF-8, with or without BOM) or XLSX into text cells by row number."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from app.imports.result import ImportRejected

SAVE_AS_HINT = 'In Excel use File › Save As and choose "CSV UTF-8 (Comma delimited) (*.csv)" or "Excel Workbook (*.xlsx)".'

Rows = list[tuple[int, list[str]]]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx(filename: str, data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or non-XLSX file
        raise ImportRejected(
            filename, [f"{filename} cannot be read as an Excel workbook ({exc.__class__.__name__})"]
        ) from exc
    sheet = book.worksheets[0]
    table = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return table


def _csv(filename: str, data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(filename, [f"{filename} is not UTF-8 text. {SAVE_AS_HINT}"]) from exc
    if "\x00" in text:
        raise ImportRejected(
            filename, [f"{filename} holds NUL characters, so it is not a CSV file. {SAVE_AS_HINT}"]
        )
    try:
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect="excel")]
    except csv.Error as exc:
        raise ImportRejected(filename, [f"{filename} cannot be read as CSV: {exc}"]) from exc


def read_table(filename: str, data: bytes) -> tuple[list[str], Rows]:
    """Return the header and the non-blank rows (numbered as the spreadsheet shows them, header = 1)."""
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        table = _xlsx(filename, data)
    elif lower.endswith(".csv"):
        table = _csv(filename, data)
    else:
        raise ImportRejected(filename, [f"{filename}: the file must be .csv or .xlsx"])
    if not table or not any(table[0]):
        raise ImportRejected(filename, [f"{filename} is empty: the first row must be the header"])
    header = [c.replace("\ufeff", "").strip() for c in table[0]]
    rows = [(number, cells) for number, cells in enumerate(table[1:], start=2) if any(cells)]
    return header, rows
