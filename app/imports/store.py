"""Bulk writes shared by every kind: keyed upserts for registers, insert-once for ledger rows."""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from hashlib import sha1
from typing import Any

from sqlalchemy import bindparam, text

from app import ledger
from app.extensions import db
from app.imports.reader import PROGRESS_EVERY, Progress, report_count
from app.imports.result import ImportResult

CHUNK = 5000
# Key lookups go in batches well under SQLite's limit on bound parameters.
LOOKUP_CHUNK = 900
# SQLite's default 2 MB page cache thrashes once a ledger's indexes outgrow it: a million
# participation rows make about 400 MB of table and indexes, and with 128 MB the writes took
# twice as long. Only the pages an import touches take memory, and only while it writes.
SQLITE_CACHE_KIB = 1_048_576


def column_limit(model: type[Any], column: str) -> int | None:
    """Return the declared length of a string column, so values are checked before the database does."""
    return getattr(model.__table__.c[column].type, "length", None)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """Yield ``items`` in slices of ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write(
    model: type[Any],
    rows: Sequence[dict[str, Any]],
    *,
    updating: bool = False,
    progress: Progress | None = None,
    label: str = "",
) -> None:
    """Insert (or update by id) ``rows``, all with the same keys, in executemany batches.

    Core statements on the table keep each batch one executemany: the ORM's bulk path
    splits batches wherever a value is None.
    """
    if not rows:
        return
    table = model.__table__
    statement: Any = table.insert()
    if updating:
        # SET and WHERE take their values from "b_"-prefixed parameters; plain column names are reserved.
        names = [name for name in rows[0] if name != "id"]
        statement = (
            table.update()
            .where(table.c.id == bindparam("b_id"))
            .values({name: bindparam(f"b_{name}") for name in names})
        )
    done = 0
    for chunk in chunks(rows):
        params = [{f"b_{k}": v for k, v in row.items()} for row in chunk] if updating else list(chunk)
        db.session.execute(statement, params)
        done += len(chunk)
        if progress and len(rows) >= PROGRESS_EVERY:
            progress(f"{label}: {done:,} of {len(rows):,} rows {'updated' if updating else 'added'}")
            report_count(progress, "saving", done, len(rows))


def upsert(
    model: type[Any],
    records: Mapping[Hashable, dict[str, Any]],
    existing: Mapping[Hashable, tuple[int, dict[str, Any]]],
    result: ImportResult,
    *,
    on_insert: dict[str, Any] | None = None,
    on_update: dict[str, Any] | None = None,
    key_fields: tuple[str, ...] = (),
    progress: Progress | None = None,
) -> None:
    """Add records whose key is new, update those that differ, and count the rest as unchanged."""
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for key, fields in records.items():
        current = existing.get(key)
        if current is None:
            inserts.append({**fields, **(on_insert or {})})
            continue
        row_id, values = current
        changed = {name: value for name, value in fields.items() if name not in key_fields}
        if any(values.get(name) != value for name, value in changed.items()):
            updates.append({"id": row_id, **changed, **(on_update or {})})
        else:
            result.unchanged += 1
    write(model, inserts, progress=progress, label=result.filename)
    write(model, updates, updating=True, progress=progress, label=result.filename)
    result.added += len(inserts)
    result.updated += len(updates)


@contextmanager
def roomy_sqlite_cache() -> Iterator[None]:
    """Give SQLite a bigger page cache on this session's connection while a big import writes."""
    if db.session.get_bind().dialect.name != "sqlite":
        yield
        return
    before = int(db.session.execute(text("PRAGMA cache_size")).scalar_one())
    db.session.execute(text(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}"))
    try:
        yield
    finally:
        db.session.execute(text(f"PRAGMA cache_size={before}"))


class LedgerKeys:
    """Source keys for ledger rows: the same line imported again gets the same key, a repeat a new one."""

    def __init__(self, kind: str) -> None:
        self.prefix = f"import:{kind}:"
        self.seen: set[str] = set()
        # The last occurrence handed out for a line that repeats, by its first key: a file may
        # hold the same anonymous headcount thousands of times, and hashing every earlier
        # occurrence again for each repeat made those files quadratic.
        self.repeats: dict[str, int] = {}

    def key(self, *parts: object) -> str:
        """Return the key of a row from its normalised fields and how often it already appeared."""
        return self.key_of("\x1f".join(["" if part is None else str(part) for part in parts]))

    def key_of(self, base: str) -> str:
        """Return the key of a row whose fields are already joined by "\\x1f" (as ``key`` joins them)."""
        first = self.prefix + sha1(f"{base}\x1f0".encode(), usedforsecurity=False).hexdigest()
        seen = self.seen
        if first not in seen:
            seen.add(first)
            return first
        # Occurrences up to the last one handed out are all in ``seen``: start after it (the same
        # keys as trying each from 0).
        occurrence = self.repeats.get(first, 0)
        while True:
            occurrence += 1
            key = self.prefix + sha1(f"{base}\x1f{occurrence}".encode(), usedforsecurity=False).hexdigest()
            if key not in seen:
                break
        self.repeats[first] = occurrence
        seen.add(key)
        return key


def insert_new(
    model: type[Any],
    names: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    result: ImportResult,
    *,
    constants: dict[str, Any],
    progress: Progress | None = None,
) -> None:
    """Insert the ledger rows (tuples in ``names`` order) whose source key is not stored yet."""

    # The ledger's own bulk path: one write path for every row, still executemany batches.
    def report(done: int, total: int) -> None:
        if progress and total >= PROGRESS_EVERY:
            progress(f"{result.filename}: {done:,} of {total:,} rows added")
            report_count(progress, "saving", done, total)

    with roomy_sqlite_cache():
        added = ledger.bulk_add(model, names, rows, constants=constants, progress=report)
    result.added += added
    result.unchanged += len(rows) - added
