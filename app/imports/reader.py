"""Read a CSV file the way Excel writes it: check the header, then hand out rows by spreadsheet number."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

from app.imports.fields import Parser
from app.imports.result import FieldError, ImportRejected, Problems

Progress = Callable[[str], None]


def report_count(progress: Progress | None, stage: str, done: int, total: int | None = None) -> None:
    """Tell a progress callback that counts rows (one with a ``count`` method) how far an import is."""
    count = getattr(progress, "count", None)
    if count is not None:
        count(stage, done, total)


class Records(Protocol):
    """Rows of cells as text, like ``csv.reader``: iterable, with the number of the row last read."""

    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...

    def __next__(self) -> list[str]: ...


PROGRESS_EVERY = 10_000
SAVE_AS_HINT = 'In Excel use File › Save As and choose "CSV UTF-8 (Comma delimited) (*.csv)".'


@dataclass(frozen=True)
class Columns:
    """The columns a kind of file may have; the required ones must be in its header."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        return self.required + self.optional


def header_name(cell: str) -> str:
    """Match headers loosely: "First Name", "first-name" and "first_name" are one column."""
    return re.sub(r"[\s\-]+", "_", cell.replace("\ufeff", "").strip().lower())


def mapped_names(record: list[str], headers: Mapping[str, str]) -> list[str]:
    """Return the column each header cell names: ours, or the one a remembered mapping gives it."""
    # Mappings are keyed by header_name(), so "Tenancy Ref" and "tenancy-ref" map alike.
    return [headers.get(header_name(cell), header_name(cell)) for cell in record]


class Row:
    """One data row: its spreadsheet row number and its trimmed cells by column name."""

    __slots__ = ("number", "ok", "problems", "values")

    def __init__(self, number: int, values: dict[str, str], problems: Problems) -> None:
        self.number = number
        self.values = values
        self.problems = problems
        self.ok = True

    def get(self, column: str, parse: Parser, *, required: bool = False, default: Any = None) -> Any:
        """Parse one cell; a blank cell gives ``default``, a bad one notes a problem."""
        raw = self.values.get(column, "")
        if not raw:
            if required:
                self.error(column, "a value is required")
            return default
        try:
            return parse(raw)
        except FieldError as exc:
            self.error(column, str(exc))
            return default

    def error(self, column: str | None, message: str) -> None:
        """Note a problem with this row."""
        self.ok = False
        self.problems.add(message, self.number, column)


class Repeats:
    """Where each key first appeared in a file, so a repeat names both rows."""

    def __init__(self) -> None:
        self.first: dict[Any, int] = {}

    def check(self, row: Row, key: tuple[Any, ...], column: str, what: str) -> None:
        """Note a problem when ``key`` (all of its parts given) was already on an earlier row."""
        if any(part is None for part in key):
            return
        first = self.first.setdefault(key, row.number)
        if first != row.number:
            row.error(column, f"{what} appears twice: rows {first} and {row.number}")


class Sheet:
    """A CSV file whose header has been read and checked; iterate it for its rows."""

    def __init__(
        self,
        filename: str,
        stream: TextIO | Records,
        columns: Columns,
        progress: Progress | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.filename = filename
        self.problems = Problems(filename)
        self.progress = progress
        self.rows_read = 0
        self.headers = {header_name(k): v for k, v in (headers or {}).items()}
        self._reader: Records = csv.reader(stream, dialect="excel") if hasattr(stream, "read") else stream  # type: ignore[arg-type,assignment]
        header = self._read_header(columns)
        self._names = header
        self.columns = frozenset(name for name in header if name)

    def _next_record(self) -> list[str] | None:
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except (UnicodeDecodeError, csv.Error) as exc:
            self._unreadable(exc)
        return None

    def _records(self) -> Iterator[list[str]]:
        """Yield the records after the header; stop, noting why, at the first one that cannot be read."""
        # One handler around the whole file, not a call per record: reading stops there either way.
        # A plain loop, not ``yield from``: closing this generator must not close the workbook.
        try:
            for record in self._reader:  # noqa: UP028 - see above
                yield record
        except (UnicodeDecodeError, csv.Error) as exc:
            self._unreadable(exc)

    def _unreadable(self, exc: Exception) -> None:
        """Note that the file cannot be read on from here."""
        if isinstance(exc, UnicodeDecodeError):
            self.problems.add(
                f"is not UTF-8 text (the problem is near row {self._reader.line_num + 1}). {SAVE_AS_HINT}"
            )
        else:
            self.problems.add(f"cannot be read as CSV near row {self._reader.line_num}: {exc}")

    def _read_header(self, columns: Columns) -> list[str]:
        record = self._next_record()
        self.problems.raise_if_any()
        expected = ", ".join(columns.all)
        if record is None or not any(cell.strip() for cell in record):
            raise ImportRejected(
                self.filename,
                [f"{self.filename} is empty: the first row must be the header: {expected}"],
            )
        # A header the landlord's system names differently may be mapped to one of ours.
        names = mapped_names(record, self.headers)
        if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
            raise ImportRejected(
                self.filename,
                [f"{self.filename}: the header is not separated by commas. {SAVE_AS_HINT}"],
            )
        problems = Problems(self.filename)
        seen: dict[str, int] = {}
        for position, name in enumerate(names, start=1):
            if not name:
                continue
            if name in seen:
                problems.add(f"column {name} appears twice (columns {seen[name]} and {position})", row=1)
            seen[name] = position
        unknown = [name for name in seen if name not in columns.all]
        if unknown:
            problems.add(f"unknown column(s): {', '.join(unknown)}; the columns are: {expected}", row=1)
        missing = [name for name in columns.required if name not in seen]
        if missing:
            problems.add(
                f"missing column(s): {', '.join(missing)}; these must be in the header: "
                f"{', '.join(columns.required)}",
                row=1,
            )
        problems.raise_if_any()
        return names

    def __iter__(self) -> Iterator[Row]:
        names = self._names
        width = len(names)
        unnamed = [pos for pos, name in enumerate(names, start=1) if not name]
        problems, progress = self.problems, self.progress
        strip = str.strip
        number = 1
        for record in self._records():
            number += 1
            cells = list(map(strip, record))
            if not any(cells):
                continue  # Excel leaves blank lines below the data
            self.rows_read += 1
            if progress and self.rows_read % PROGRESS_EVERY == 0:
                progress(f"{self.filename}: {self.rows_read:,} rows read")
                report_count(progress, "reading", self.rows_read)
            if unnamed:
                values = {name: cell for name, cell in zip(names, cells, strict=False) if name}
            else:
                values = dict(zip(names, cells, strict=False))
            row = Row(number, values, problems)
            # PostgreSQL cannot store NUL; only a damaged or non-text file holds one.
            if "\x00" in "".join(cells):
                for name, cell in values.items():
                    if "\x00" in cell:
                        row.error(name, f"holds a NUL character, which cannot be stored. {SAVE_AS_HINT}")
            if len(cells) > width or unnamed:
                extra = [
                    pos
                    for pos in [*unnamed, *range(width + 1, len(cells) + 1)]
                    if pos <= len(cells) and cells[pos - 1]
                ]
                if extra:
                    row.error(None, f"has a value in column {extra[0]}, which has no header")
            yield row
        # Every importer reads the whole file before it writes anything.
        report_count(self.progress, "checked", self.rows_read)
