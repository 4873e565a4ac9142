"""Bulk loading into a ledger table: driver-level writers and rebuilding secondary indexes after a load.

Both writers skip a row whose source key is stored already (the unique key stays in place and
decides) and return how many rows they added.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Date, DateTime, Index, Numeric, func, inspect, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

Writer = Callable[[Sequence[tuple[Any, ...]]], int]
Convert = Callable[[tuple[Any, ...]], tuple[Any, ...]]

# Below this many new rows a load keeps the indexes up row by row. From here on, dropping the
# table's secondary indexes and building each once, sorted, after the load is several times
# faster (the PostgreSQL and SQLite manuals both advise it for bulk loads).
REBUILD_AT = 50_000
# Rebuilding sorts the whole table: worth it only when the load is a fair part of what is stored.
REBUILD_SHARE = 4
# From this many keys, SQLite reads the stored keys in the file's range of keys in one pass along
# the unique index instead of 900 at a time (a million keys all stored: 1.6 s against 3.7 s), when
# that range holds at most SCAN_SHARE times as many stored keys as the file has.
SCAN_AT = 10_000
SCAN_SHARE = 4


def _converter(
    table: Any,
    dialect: Any,
    columns: Sequence[str],
    names: int,
    fixed: Sequence[Any],
    order: Sequence[int] | None = None,
) -> Convert:
    """Return a function turning a row of the first ``names`` columns into driver values, constants added.

    Values pass through the same column types' bind processors the ORM uses, so what is stored
    is the same; only the columns that have a processor pay for one. ``order`` lists, for each
    parameter of the statement, which of ``columns`` goes there (default: as listed).
    """
    steps = []
    for i, name in enumerate(columns[:names]):
        kind = table.c[name].type
        proc = kind.dialect_impl(dialect).bind_processor(dialect)
        if proc is not None:
            # A date's or a number's driver value depends only on the value: a file repeats a
            # few hundred dates and a handful of hours, so each is converted once.
            pure = isinstance(kind, Date | Numeric) and not isinstance(kind, DateTime)
            steps.append((i, proc, {} if pure else None))
    tail = tuple(fixed)
    # Reordering in the same step saves a call and a tuple per row (itemgetter of two or more
    # positions returns a tuple).
    listed = list(range(len(columns)))
    pick: Callable[[list[Any]], tuple[Any, ...]] = (
        tuple if order is None or list(order) == listed or len(listed) < 2 else itemgetter(*order)
    )

    def convert(row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = [*row, *tail]
        for i, proc, memo in steps:
            value = values[i]
            if value is None:
                continue
            if memo is None:
                values[i] = proc(value)
                continue
            out = memo.get(value)
            if out is None:
                out = memo[value] = proc(value)
            values[i] = out
        return pick(values)

    return convert


def _fixed(table: Any, dialect: Any, constants: Mapping[str, Any]) -> list[Any]:
    """Return the constant columns' values as the driver takes them."""
    out = []
    for name, value in constants.items():
        proc = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        out.append(value if proc is None or value is None else proc(value))
    return out


def _all_defaults_given(table: Any, columns: Sequence[str]) -> bool:
    """Tell whether every column with a Python-side default has a value (the driver knows no defaults)."""
    defaulted = [c.name for c in table.c if c.default is not None and not c.primary_key]
    return all(name in columns for name in defaulted)


def sqlite_writer(
    connection: Connection, table: Any, names: Sequence[str], constants: Mapping[str, Any]
) -> Writer | None:
    """Return an executemany writer for SQLite's positional driver, or None when it does not apply."""
    dialect = connection.dialect
    columns = [*names, *constants]
    if dialect.name != "sqlite" or not dialect.positional or not _all_defaults_given(table, columns):
        return None
    statement = sqlite_insert(table).on_conflict_do_nothing(index_elements=["source_key"])
    compiled = statement.compile(dialect=dialect, column_keys=columns)
    order = [columns.index(key) for key in compiled.positiontup or ()]
    if sorted(order) != list(range(len(columns))):
        return None
    convert = _converter(table, dialect, columns, len(names), _fixed(table, dialect, constants), order)
    sql = compiled.string

    def write(chunk: Sequence[tuple[Any, ...]]) -> int:
        # sqlite3 sums an executemany's changes; a skipped (stored) key changes nothing.
        return int(connection.exec_driver_sql(sql, [convert(row) for row in chunk]).rowcount or 0)

    return write


def copy_writer(
    connection: Connection, table: Any, names: Sequence[str], constants: Mapping[str, Any]
) -> Writer | None:
    """Return a PostgreSQL COPY writer (psycopg), or None on any other database or driver.

    Rows are copied into a temporary table of the same columns, then moved with one
    INSERT ... SELECT that skips keys already stored, so the unique key decides as before.
    """
    dialect = connection.dialect
    columns = [*names, *constants]
    if dialect.name != "postgresql" or dialect.driver != "psycopg" or not _all_defaults_given(table, columns):
        return None
    from psycopg import sql  # the PostgreSQL driver, loaded only where it is used

    convert = _converter(table, dialect, columns, len(names), _fixed(table, dialect, constants))
    listed = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    target, scratch = sql.Identifier(table.name), sql.Identifier(f"bulk_{table.name}")
    raw = connection.connection.dbapi_connection
    assert raw is not None
    make = "CREATE TEMP TABLE IF NOT EXISTS {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA"
    with raw.cursor() as cursor:
        cursor.execute(sql.SQL(make).format(scratch, listed, target))
    empty = sql.SQL("TRUNCATE {}").format(scratch)
    load = sql.SQL("COPY {} ({}) FROM STDIN").format(scratch, listed)
    move = sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} ON CONFLICT (source_key) DO NOTHING").format(
        target, listed, listed, scratch
    )

    def write(chunk: Sequence[tuple[Any, ...]]) -> int:
        with raw.cursor() as cursor:
            cursor.execute(empty)
            with cursor.copy(load) as copy:
                for row in chunk:
                    copy.write_row(convert(row))
            cursor.execute(move)
            return int(cursor.rowcount or 0)

    return write


def stored_keys(connection: Connection, table: Any, keys: Sequence[str]) -> set[str]:
    """Return which of ``keys`` the table's source_key column holds already, in few driver-level reads."""
    name = connection.dialect.identifier_preparer.quote(table.name)
    found: set[str] = set()
    if connection.dialect.name == "postgresql":
        sql = f"SELECT source_key FROM {name} WHERE source_key = ANY(%s)"  # noqa: S608 - our table's name
        for start in range(0, len(keys), 50_000):
            found.update(k for (k,) in connection.exec_driver_sql(sql, (list(keys[start : start + 50_000]),)))
        return found
    if len(keys) >= SCAN_AT:
        scanned = _scanned_keys(connection, name, keys)
        if scanned is not None:
            return scanned
    # SQLite takes at most 999 bound parameters in older builds.
    size = 900
    for start in range(0, len(keys), size):
        chunk = tuple(keys[start : start + size])
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT source_key FROM {name} WHERE source_key IN ({marks})"  # noqa: S608 - our table's name
        found.update(k for (k,) in connection.exec_driver_sql(sql, chunk))
    return found


def _scanned_keys(connection: Connection, name: str, keys: Sequence[str]) -> set[str] | None:
    """Return which of ``keys`` SQLite holds by one pass along the unique key between the least and greatest.

    None when that stretch of the index holds many more keys than ``keys`` (a small file against
    a big ledger), where looking each up is quicker. SQLite compares text as UTF-8 bytes, which
    orders strings as Python does, so the stretch holds every stored key that can match.
    """
    low, high = min(keys), max(keys)
    most = len(keys) * SCAN_SHARE
    # Counting stops past ``most``: the count costs no more than the scan it decides on.
    count = f"SELECT count(*) FROM (SELECT 1 FROM {name} WHERE source_key BETWEEN ? AND ? LIMIT ?)"  # noqa: S608 - our table's name
    if connection.exec_driver_sql(count, (low, high, most + 1)).scalar_one() > most:
        return None
    scan = f"SELECT source_key FROM {name} WHERE source_key BETWEEN ? AND ?"  # noqa: S608 - our table's name
    # Straight from the driver (the same connection and transaction): a result row object per key
    # would cost more than the scan.
    raw = connection.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        cursor.execute(scan, (low, high))
        return set(keys).intersection(map(itemgetter(0), cursor))
    finally:
        cursor.close()


def _secondary(connection: Connection, table: Any) -> list[Index]:
    """Return the table's declared non-unique indexes that the database has."""
    present = {ix["name"] for ix in inspect(connection).get_indexes(table.name)}
    return [ix for ix in table.indexes if not ix.unique and ix.name in present]


def _in_transaction(connection: Connection) -> bool:
    """Tell whether a DROP INDEX now would be rolled back with the import (SQLite opens one lazily)."""
    if connection.dialect.name != "sqlite":
        return connection.in_transaction()
    return bool(getattr(connection.connection.dbapi_connection, "in_transaction", False))


@contextmanager
def indexes_rebuilt_after(connection: Connection, table: Any, fresh: int) -> Iterator[bool]:
    """Drop the table's secondary indexes for a big load and build them again before the caller commits.

    Only at ``REBUILD_AT`` new rows or more, and when they are at least a ``REBUILD_SHARE``-th of
    the rows stored. The drop runs inside the import's transaction, so a failed import rolls it
    back with the rows. Unique keys and constraints stay, so repeats are still caught as rows go in.
    SQLite only: there readers keep reading the last committed state (WAL) while the import holds
    the write lock anyway; on PostgreSQL a DROP INDEX would lock the table against every reader
    (the report, customer pages) until the commit, and COPY is quick there with the indexes kept.
    Yields whether the indexes were dropped.
    """
    indexes: list[Index] = []
    if fresh >= REBUILD_AT and connection.dialect.name == "sqlite" and _in_transaction(connection):
        stored = connection.execute(select(func.count()).select_from(table)).scalar_one()
        if fresh * REBUILD_SHARE >= stored:
            indexes = _secondary(connection, table)
    for index in indexes:
        index.drop(connection)
    try:
        yield bool(indexes)
    except BaseException:
        # Rolling back restores them; rebuilding too keeps a caller that commits anyway whole.
        try:
            for index in indexes:
                index.create(connection, checkfirst=True)
        except Exception:  # noqa: S110 - the first error is the one to report
            pass
        raise
    for index in indexes:
        index.create(connection)
