"""Read the first worksheet of an Excel workbook as rows of text, the way a CSV file reads."""

from __future__ import annotations

import re
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


_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
_READ = 1 << 20


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    """Return the zip path of the workbook's first worksheet, from workbook.xml and its relationships."""
    # openpyxl's parser: the same one, defused where defusedxml is installed, that reads the cells.
    from openpyxl.xml.functions import fromstring

    book = fromstring(archive.read("xl/workbook.xml"))
    sheet = next(el for el in book.iter() if el.tag.endswith("}sheet") or el.tag == "sheet")
    rid = next(value for key, value in sheet.attrib.items() if key.endswith("}id"))
    rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(el.attrib["Target"] for el in rels if el.attrib.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def count_sheet_rows(source: IO[bytes]) -> int:
    """Count the row elements of the first worksheet without reading its cells (for a progress bar)."""
    with zipfile.ZipFile(source) as archive, archive.open(_first_sheet_path(archive)) as xml:
        count, tail = 0, b""
        while chunk := xml.read(_READ):
            data = tail + chunk
            keep = max(0, len(data) - 16)
            count += sum(1 for m in _ROW_TAG.finditer(data) if m.start() < keep)
            tail = data[keep:]
        return count + len(_ROW_TAG.findall(tail))
