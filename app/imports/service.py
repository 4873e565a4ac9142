"""Import one .csv or .xlsx file of a kind: read, validate every row, then write all of it or none of it."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, TextIO

from app.extensions import db
from app.imports.activities import ACTIVITY_COLUMNS, import_activities
from app.imports.ledgers import (
    COST_COLUMNS,
    PARTICIPATION_COLUMNS,
    STAFF_TIME_COLUMNS,
    import_costs,
    import_participation,
    import_staff_time,
)
from app.imports.mappings import saved_headers
from app.imports.people import AREA_COLUMNS, CUSTOMER_COLUMNS, import_areas, import_customers
from app.imports.plans import (
    ACTION_COLUMNS,
    BUDGET_COLUMNS,
    OUTCOME_COLUMNS,
    import_actions,
    import_budgets,
    import_outcomes,
)
from app.imports.reader import Columns, Progress, Records, Sheet
from app.imports.result import ImportResult
from app.imports.workbook import WorkbookRecords
from app.models import audit

Importer = Callable[[Sheet, ImportResult, datetime, Progress | None], None]


@dataclass(frozen=True)
class Kind:
    """A kind of file: the columns it may have and the function that imports it."""

    columns: Columns
    run: Importer


KINDS: dict[str, Kind] = {
    "areas": Kind(AREA_COLUMNS, import_areas),
    "customers": Kind(CUSTOMER_COLUMNS, import_customers),
    "activities": Kind(ACTIVITY_COLUMNS, import_activities),
    "participation": Kind(PARTICIPATION_COLUMNS, import_participation),
    "staff-time": Kind(STAFF_TIME_COLUMNS, import_staff_time),
    "costs": Kind(COST_COLUMNS, import_costs),
    "budgets": Kind(BUDGET_COLUMNS, import_budgets),
    "outcomes": Kind(OUTCOME_COLUMNS, import_outcomes),
    "actions": Kind(ACTION_COLUMNS, import_actions),
}


def import_rows(
    kind: str,
    filename: str,
    stream: TextIO | Records,
    *,
    now: datetime,
    actor: Any = None,
    progress: Progress | None = None,
    headers: Mapping[str, str] | None = None,
) -> ImportResult:
    """Import a CSV text stream or workbook rows; raise ImportRejected, writing nothing, if any row is bad.

    The stream should be opened with ``newline=""`` so quoted cells keep their line breaks.
    The session is flushed, not committed: the caller owns the transaction. ``headers`` maps
    a file's header names to ours; without it, the mappings saved for ``kind`` are used.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}; choose one of: {', '.join(KINDS)}")
    spec = KINDS[kind]
    if headers is None:
        # The command and the upload page both read headers with the names staff have taught.
        headers = saved_headers(kind)
    sheet = Sheet(filename, stream, spec.columns, progress, headers)
    result = ImportResult(kind=kind, filename=filename)
    spec.run(sheet, result, now, progress)
    result.rows = sheet.rows_read
    if result.rows:
        audit.record(
            "import",
            actor=actor,
            target_type=kind,
            target_id=filename[-60:],
            detail={
                "file": filename,
                "rows": result.rows,
                "added": result.added,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "skipped": result.skipped,
            },
            now=now,
        )
        db.session.flush()
    return result


def is_workbook(filename: str) -> bool:
    """Tell an Excel workbook from a CSV file by its name."""
    return filename.lower().endswith((".xlsx", ".xlsm"))


def open_records(filename: str, binary: IO[bytes]) -> io.TextIOWrapper | WorkbookRecords:
    """Return the rows of an uploaded or on-disk file: workbook rows, or CSV text (UTF-8, BOM or not)."""
    if is_workbook(filename):
        return WorkbookRecords(filename, binary)
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")


def import_binary(
    kind: str,
    filename: str,
    binary: IO[bytes],
    *,
    now: datetime,
    actor: Any = None,
    progress: Progress | None = None,
    headers: Mapping[str, str] | None = None,
) -> ImportResult:
    """Import a .csv or .xlsx file from a binary stream (an upload or a file on disk)."""
    records = open_records(filename, binary)
    try:
        return import_rows(kind, filename, records, now=now, actor=actor, progress=progress, headers=headers)
    finally:
        # The caller owns ``binary``: leave it open, but let go of the wrapper.
        if isinstance(records, io.TextIOWrapper):
            records.detach()
        else:
            records.close()


def import_file(
    kind: str,
    path: Path | str,
    *,
    now: datetime,
    actor: Any = None,
    progress: Progress | None = None,
    headers: Mapping[str, str] | None = None,
) -> ImportResult:
    """Import a .csv file (UTF-8, with or without a byte-order mark) or an .xlsx workbook from disk."""
    path = Path(path)
    with path.open("rb") as binary:
        return import_binary(
            kind, path.name, binary, now=now, actor=actor, progress=progress, headers=headers
        )
