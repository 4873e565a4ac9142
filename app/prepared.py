"""Core statements compiled once per dialect and run straight on the session's DB-API cursor.

For the few statements every inbound text runs. SQLAlchemy's own execution builds a context, a
result and its metadata for each call, which costs several times what SQLite takes to run the
statement; here the SQL, the order of its parameters and their type conversions are worked out
once, so a call is a dict lookup per parameter and ``cursor.execute``. The engine's
``before_cursor_execute`` and ``after_cursor_execute`` listeners still see every statement (the
SQLite writer lock, logging, the tests' statement counts), and driver errors reach the caller as
SQLAlchemy's, with a dropped connection invalidated as SQLAlchemy would.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Executable, exc
from sqlalchemy.engine import Dialect

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Plan:
    """One statement as one dialect runs it."""

    sql: str
    # In the driver's order: the caller's name of each parameter with its value when the caller
    # gives none, the driver's name for it, and the conversions the few typed ones need.
    defaults: tuple[tuple[str, Any], ...]
    keys: tuple[str, ...]
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    # Columns whose Python-side default (or onupdate) SQLAlchemy would work out per execution.
    generated: tuple[tuple[int, Callable[[Any], Any]], ...]
    positional: bool
    row: Any  # the namedtuple class of a returned row, None when the statement returns none
    converters: tuple[Processor, ...]


class Rows:
    """What a prepared statement returned: its rows (already fetched) and the rows it changed."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows, self.rowcount = rows, rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def all(self) -> list[Any]:
        """Return every row."""
        return self._rows

    def first(self) -> Any:
        """Return the first row, or None."""
        return self._rows[0] if self._rows else None

    def one(self) -> Any:
        """Return the only row; raise when there is not exactly one."""
        if len(self._rows) != 1:
            raise exc.NoResultFound("expected one row") if not self._rows else exc.MultipleResultsFound()
        return self._rows[0]

    def scalar(self) -> Any:
        """Return the first column of the first row, or None."""
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        """Return the first column of the only row."""
        return self.one()[0]


class Prepared:
    """A Core statement, compiled the first time each dialect runs it."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._plans: dict[str, _Plan] = {}

    def _plan(self, dialect: Dialect) -> _Plan:
        plan = self._plans.get(dialect.name)
        if plan is None:
            plan = self._plans[dialect.name] = _compile(self.statement, dialect)
        return plan

    def run(self, connection: Connection, params: Mapping[str, Any]) -> Rows:
        """Run the statement with ``params`` in the connection's transaction; return what it returned."""
        plan = self._plan(connection.dialect)
        return _execute(connection, plan, _values(plan, params), many=False)

    def run_many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
        """Run the statement once for each of ``rows`` (the driver's executemany); return how many
        rows it changed in all (or, for PostgreSQL's writes in a SELECT's CTEs, returned).

        One call for a batch: psycopg pipelines it, so a hundred updates cost about one round trip.
        What a statement returns is dropped (SQLite runs only statements that return nothing so).
        """
        plan = self._plan(connection.dialect)
        if not rows:
            return 0
        return _execute(connection, plan, [_values(plan, params) for params in rows], many=True).rowcount


def _values(plan: _Plan, params: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
    """The driver's parameters for one run: the caller's values in order, defaults and conversions applied."""
    given = [params.get(name, default) for name, default in plan.defaults]
    for index, generate in plan.generated:
        if plan.defaults[index][0] not in params:
            given[index] = generate(SimpleNamespace(current_parameters=params))
    for index, process in plan.processors:
        if given[index] is not None:
            given[index] = process(given[index])
    return given if plan.positional else dict(zip(plan.keys, given, strict=True))


def _execute(connection: Connection, plan: _Plan, values: Any, *, many: bool) -> Rows:
    """Run the plan on the connection's cursor, with the engine's listeners and SQLAlchemy's errors."""
    dialect = connection.dialect
    raw = connection.connection
    cursor = raw.cursor()
    context = SimpleNamespace(statement=plan.sql, parameters=values)
    events = connection.dispatch
    try:
        for listener in events.before_cursor_execute:
            listener(connection, cursor, plan.sql, values, context, many)
        if many:
            cursor.executemany(plan.sql, values)
        else:
            cursor.execute(plan.sql, values)
        rows = []
        if plan.row is not None and not many:
            rows = [plan.row(*_convert(plan.converters, found)) for found in cursor.fetchall()]
        rowcount = cursor.rowcount
        for listener in events.after_cursor_execute:
            listener(connection, cursor, plan.sql, values, context, many)
    except dialect.loaded_dbapi.Error as error:
        gone = dialect.is_disconnect(error, raw, cursor)
        if gone:
            connection.invalidate(error)
        raise exc.DBAPIError.instance(
            plan.sql,
            values,
            error,
            dialect.loaded_dbapi.Error,
            connection_invalidated=gone,
            dialect=dialect,
        ) from error
    finally:
        cursor.close()
    return Rows(rows, rowcount)


def _convert(converters: tuple[Processor, ...], found: Sequence[Any]) -> Iterator[Any]:
    for convert, value in zip(converters, found, strict=True):
        yield convert(value) if convert is not None else value


def _compile(statement: Executable, dialect: Dialect) -> _Plan:
    """Work out, once, the SQL, the parameters in the driver's order and every type conversion."""
    expanding = [bind.key for bind in statement.compile(dialect=dialect).binds.values() if bind.expanding]  # type: ignore[attr-defined]
    if expanding:
        raise ValueError(f"{', '.join(expanding)}: an IN list cannot be prepared once")
    # LIMIT and other values SQLAlchemy writes into the SQL at execution are written in now.
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})  # type: ignore[attr-defined]
    escaped = compiled.escaped_bind_names or {}
    by_name = {name: bind for bind, name in compiled.bind_names.items()}
    names = compiled.positiontup if dialect.positional else list(by_name)
    # Insert defaults and onupdate values computed in Python, by the name of their parameter.
    computed = {column.key: column.default for column in compiled.insert_prefetch}
    computed.update({column.key: column.onupdate for column in compiled.update_prefetch})
    defaults, keys, processors, generated = [], [], [], []
    for index, name in enumerate(names):
        bind = by_name[name]
        # Values fixed in the statement (a literal, a column's constant) are what the caller omits.
        default = bind.effective_value if bind.callable is not None or bind.value is not None else None
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if name in computed:
            default = None
            generated.append((index, _generator(computed[name])))
        defaults.append((name, default))
        keys.append(escaped.get(name, name))
        if process is not None:
            processors.append((index, process))
    # The columns a SELECT or a RETURNING gives back, with what turns the driver's values into Python's.
    columns = list(getattr(statement, "exported_columns", ()) or ())
    row = namedtuple("Row", [column.key for column in columns], rename=True) if columns else None  # type: ignore[misc]
    converters = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
    )
    return _Plan(
        compiled.string,
        tuple(defaults),
        tuple(keys),
        tuple(processors),
        tuple(generated),
        dialect.positional,
        row,
        converters,
    )


def _generator(default: Any) -> Callable[[Any], Any]:
    """Return what works out a column default per execution: a constant, or SQLAlchemy's callable."""
    if default.is_scalar:
        value = default.arg
        return lambda _context: value
    if default.is_callable:
        # SQLAlchemy wraps every Python default to take the execution context.
        return default.arg  # type: ignore[no-any-return]
    raise ValueError(f"{default!r}: only constant and Python-callable defaults can be prepared")
