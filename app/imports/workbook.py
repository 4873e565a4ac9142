"""Read the first worksheet of an Excel workbook as rows of text, the way a CSV file reads."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

from app.imports.result import ImportRejected

XLSX_HINT = "Save it from Excel as an Excel Workbook (*.xlsx) or as CSV UTF-8 (*.csv)."


def cell_text(value: Any) -> str:
    """Write one cell as the text a CSV export of it would hold (dates as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        # Excel keeps dates as date-times at midnight; a time of day stays visible so it is refused.
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value)


class WorkbookRecords:
    """Iterate the first worksheet's rows as lists of text; ``line_num`` is the row last read."""

    def __init__(self, filename: str, source: IO[bytes]) -> None:
        # Loaded here, not at import time: openpyxl adds a noticeable pause to every command.
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            self._book = openpyxl.load_workbook(source, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
            raise ImportRejected(
                filename, [f"{filename} cannot be read as an Excel workbook ({exc}). {XLSX_HINT}"]
            ) from None
        sheet = self._book.worksheets[0]
        # Some writers record a wrong size; without this, read-only mode may stop early.
        sheet.reset_dimensions()
        self._rows: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
        self.line_num = 0

    def __iter__(self) -> WorkbookRecords:
        return self

    def __next__(self) -> list[str]:
        try:
            values = next(self._rows)
        except StopIteration:
            self.close()
            raise
        self.line_num += 1
        return [cell_text(value) for value in values]

    def close(self) -> None:
        """Release the workbook's file."""
        self._book.close()
