"""What a file will do before it is imported: its header as we read it and its first rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO

from app.imports.reader import Columns, Records, Sheet, header_name, mapped_names
from app.imports.result import ImportRejected
from app.imports.service import KINDS, open_records

FIRST_ROWS = 10


class Peek:
    """Records that keep a copy of what was read: the header and the first rows."""

    def __init__(self, records: Records, keep: int) -> None:
        self._records = records
        self.keep = keep
        self.seen: list[list[str]] = []
        self.line_num = 0

    def __iter__(self) -> Iterator[list[str]]:
        return self

    def __next__(self) -> list[str]:
        record = next(self._records)
        self.line_num = self._records.line_num
        if len(self.seen) <= self.keep:
            self.seen.append(record)
        return record


@dataclass(frozen=True)
class ColumnReading:
    """One header cell and how it was understood."""

    position: int
    header: str
    column: str | None
    how: str  # "matched", "remembered", "unknown", "repeated" or "blank"


@dataclass
class Preview:
    """The header as read, the columns missing, the first rows and any problem with the header."""

    kind: str
    filename: str
    columns: list[ColumnReading] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    absent_optional: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """True when the header is right, so importing can be tried."""
        return not self.problems

    @property
    def unknown(self) -> list[ColumnReading]:
        """The header cells that name none of our columns."""
        return [c for c in self.columns if c.how == "unknown"]


def read_columns(header: list[str], spec: Columns, headers: Mapping[str, str]) -> list[ColumnReading]:
    """Say, for each header cell, which column it fills and why."""
    names = mapped_names(header, headers)
    readings: list[ColumnReading] = []
    seen: set[str] = set()
    for position, (cell, name) in enumerate(zip(header, names, strict=True), start=1):
        if not name:
            how, column = "blank", None
        elif name in seen:
            how, column = "repeated", name
        elif name not in spec.all:
            how, column = "unknown", None
        else:
            how = "remembered" if header_name(cell) in headers else "matched"
            column = name
        seen.add(name)
        readings.append(ColumnReading(position, cell.strip(), column, how))
    return readings


def preview_file(
    kind: str, filename: str, binary: IO[bytes], headers: Mapping[str, str], *, first: int = FIRST_ROWS
) -> Preview:
    """Read the header and the first rows of an upload exactly as the import will read them."""
    spec = KINDS[kind].columns
    preview = Preview(kind, filename)
    try:
        records = open_records(filename, binary)
    except ImportRejected as rejected:
        preview.problems = rejected.lines()
        return preview
    peek = Peek(records if not isinstance(records, io.TextIOWrapper) else _csv(records), first)
    try:
        sheet = Sheet(filename, peek, spec, None, headers)
        for _, _row in zip(range(first), sheet, strict=False):
            pass
        if sheet.problems:
            preview.problems = sheet.problems.messages
    except ImportRejected as rejected:
        preview.problems = rejected.lines()
        # The rows are still worth showing when only the header is wrong.
        for _ in zip(range(first), _quietly(peek), strict=False):
            pass
    finally:
        if isinstance(records, io.TextIOWrapper):
            records.detach()
        else:
            records.close()
    if peek.seen:
        header, *rows = peek.seen
        preview.columns = read_columns(header, spec, headers)
        found = {c.column for c in preview.columns if c.column}
        preview.missing = [name for name in spec.required if name not in found]
        preview.absent_optional = [name for name in spec.optional if name not in found]
        preview.rows = [row for row in rows if any(cell.strip() for cell in row)][:first]
    return preview


def _csv(stream: io.TextIOWrapper) -> Records:
    return csv.reader(stream, dialect="excel")  # type: ignore[return-value]


def _quietly(records: Iterator[list[str]]) -> Iterator[list[str]]:
    """Read on past a problem the import has already named."""
    while True:
        try:
            yield next(records)
        except StopIteration:
            return
        except (UnicodeDecodeError, ValueError, csv.Error):
            return
