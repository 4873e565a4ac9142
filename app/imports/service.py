"""Import one CSV file of a kind: read, validate every row, then write all of it or none of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

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
from app.imports.people import AREA_COLUMNS, CUSTOMER_COLUMNS, import_areas, import_customers
from app.imports.plans import (
    ACTION_COLUMNS,
    BUDGET_COLUMNS,
    OUTCOME_COLUMNS,
    import_actions,
    import_budgets,
    import_outcomes,
)
from app.imports.reader import Columns, Progress, Sheet
from app.imports.result import ImportResult
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
    stream: TextIO,
    *,
    now: datetime,
    actor: Any = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a CSV text stream; raise ImportRejected, having written nothing, when any row is bad.

    The stream should be opened with ``newline=""`` so quoted cells keep their line breaks.
    The session is flushed, not committed: the caller owns the transaction.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}; choose one of: {', '.join(KINDS)}")
    spec = KINDS[kind]
    sheet = Sheet(filename, stream, spec.columns, progress)
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


def import_file(
    kind: str, path: Path | str, *, now: datetime, actor: Any = None, progress: Progress | None = None
) -> ImportResult:
    """Import a CSV file (UTF-8, with or without a byte-order mark) from disk."""
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return import_rows(kind, path.name, stream, now=now, actor=actor, progress=progress)
