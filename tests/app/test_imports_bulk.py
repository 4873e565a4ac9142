"""A big ledger load: indexes rebuilt in the import's transaction, stored keys skipped, the report told."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import inspect, text

from app import bulk_load, ledger
from app.extensions import db
from app.imports import import_rows
from app.imports.store import LedgerKeys
from app.models import Activity, Customer, Participation
from reporting.state import current_version

NOW = datetime(2011, 6, 1, 9, 0, tzinfo=UTC)
NAMES = ("activity_id", "customer_id", "date", "channel", "hours", "headcount", "source_key")
SECONDARY = {ix.name for ix in Participation.__table__.indexes if not ix.unique}


def participation_file(count: int) -> str:
    lines = ["activity,customer_ref,date,channel,hours,headcount"]
    for n in range(count):
        ref = "" if n % 3 == 0 else f"DH{n % 2 + 1}"
        lines.append(f"Panel,{ref},{1 + n % 28:02d}/05/2011,in person,1.5,1")
    return "\r\n".join(lines) + "\r\n"


def load(text_: str) -> Any:
    result = import_rows("participation", "p.csv", io.StringIO(text_, newline=""), now=NOW)
    db.session.commit()
    return result


def indexes() -> set[str]:
    with db.engine.connect() as conn:
        return {ix["name"] for ix in inspect(conn).get_indexes("participations")} & SECONDARY


@pytest.fixture
def small_threshold(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Rebuild from 5 rows on, write in batches of 4, and record whether each load dropped indexes."""
    monkeypatch.setattr(bulk_load, "REBUILD_AT", 5)
    monkeypatch.setattr(ledger, "WRITE_CHUNK", 4)
    monkeypatch.setattr(ledger, "COPY_CHUNK", 4)
    dropped: list[bool] = []
    real = bulk_load.indexes_rebuilt_after

    def spy(*args: Any) -> Any:
        manager = real(*args)

        class Spy:
            def __enter__(self) -> bool:
                dropped.append(manager.__enter__())
                assert indexes() == SECONDARY  # another connection still sees them until the commit
                return dropped[-1]

            def __exit__(self, *exc: Any) -> Any:
                return manager.__exit__(*exc)

        return Spy()

    monkeypatch.setattr(bulk_load, "indexes_rebuilt_after", spy)
    db.session.add_all([Activity(name="Panel", category="panel"), Customer(ref="DH1"), Customer(ref="DH2")])
    db.session.commit()
    yield dropped


def test_a_big_load_rebuilds_the_indexes_and_moves_the_report_state(small_threshold: list[bool]) -> None:
    before = current_version()
    result = load(participation_file(30))
    assert result.summary() == "p.csv: 30 rows — 30 added, 0 updated, 0 unchanged"
    # Dropped for the load on SQLite; on PostgreSQL it would lock every reader out until the commit.
    assert small_threshold == [db.engine.dialect.name == "sqlite"]
    assert indexes() == SECONDARY
    assert db.session.scalar(db.select(db.func.count()).select_from(Participation)) == 30
    assert current_version() == before + 1
    again = load(participation_file(30))
    assert again.summary() == "p.csv: 30 rows — 0 added, 0 updated, 30 unchanged"
    assert small_threshold == [db.engine.dialect.name == "sqlite"]  # nothing new: no index is touched
    assert current_version() == before + 1


def test_a_big_load_that_fails_keeps_every_index_and_writes_nothing(
    small_threshold: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("sqlite_writer", "copy_writer"):
        real = getattr(bulk_load, name)

        def failing(*args: Any, _real: Any = real) -> Any:
            write = _real(*args)
            if write is None:
                return None
            calls = []

            def second_batch_fails(chunk: Any) -> int:
                calls.append(chunk)
                if len(calls) == 2:
                    raise RuntimeError("disk full")
                return int(write(chunk))

            return second_batch_fails

        monkeypatch.setattr(bulk_load, name, failing)
    with pytest.raises(RuntimeError, match="disk full"):
        import_rows("participation", "p.csv", io.StringIO(participation_file(30), newline=""), now=NOW)
    db.session.rollback()
    # Dropped for the load on SQLite; on PostgreSQL it would lock every reader out until the commit.
    assert small_threshold == [db.engine.dialect.name == "sqlite"]
    assert indexes() == SECONDARY
    assert db.session.scalar(db.select(db.func.count()).select_from(Participation)) == 0


def test_a_small_load_into_a_big_ledger_keeps_its_indexes(small_threshold: list[bool]) -> None:
    load(participation_file(30))
    # 6 new rows against 30 stored: rebuilding would sort five times what is written.
    load(participation_file(36))
    assert small_threshold == [db.engine.dialect.name == "sqlite", False]
    assert indexes() == SECONDARY
    assert db.session.scalar(db.select(db.func.count()).select_from(Participation)) == 36


def test_a_key_stored_by_another_writer_meanwhile_is_skipped(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.session.add(Activity(name="Panel", category="panel"))
    db.session.flush()
    activity = db.session.scalar(db.select(Activity.id))
    rows = [(activity, None, date(2011, 5, d), "event", Decimal(1), 2, f"k{d}") for d in (1, 2, 3)]
    ledger.bulk_add(Participation, NAMES, rows[1:2], constants={"source": "survey", "created_at": NOW})
    # As if the other write landed between the read of stored keys and the insert.
    monkeypatch.setattr(bulk_load, "stored_keys", lambda *args: set())
    added = ledger.bulk_add(Participation, NAMES, rows, constants={"source": "import", "created_at": NOW})
    assert added == 2
    stored = db.session.execute(text("SELECT source_key, source FROM participations ORDER BY source_key"))
    assert [tuple(r) for r in stored] == [("k1", "import"), ("k2", "survey"), ("k3", "import")]
    db.session.rollback()


def test_the_fast_writers_and_the_orm_path_store_the_same_values(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.session.add_all([Activity(name="Panel", category="panel"), Customer(ref="DH1")])
    db.session.flush()
    activity, customer = db.session.scalar(db.select(Activity.id)), db.session.scalar(db.select(Customer.id))
    rows = [
        (activity, customer, date(2011, 2, 3), "in person", Decimal("1.5000"), 1, "a"),
        (activity, None, date(2011, 9, 17), "event", Decimal("0.3333"), 4, "b"),
        (activity, None, date(2011, 9, 17), "event", Decimal("1.50"), 1, "c"),
    ]
    sql = "SELECT activity_id, customer_id, date, channel, hours, headcount, source, source_key, created_at"

    def write() -> list[tuple[Any, ...]]:
        assert (
            ledger.bulk_add(Participation, NAMES, rows, constants={"source": "import", "created_at": NOW})
            == 3
        )
        stored = [
            tuple(r) for r in db.session.execute(text(f"{sql} FROM participations ORDER BY source_key"))
        ]
        db.session.execute(text("DELETE FROM participations"))
        return stored

    fast = write()
    monkeypatch.setattr(bulk_load, "sqlite_writer", lambda *args: None)
    monkeypatch.setattr(bulk_load, "copy_writer", lambda *args: None)
    assert write() == fast
    db.session.rollback()


def test_joined_fields_give_the_same_keys_as_the_parts() -> None:
    parts = [(3, None, date(2011, 5, 3), "in person", "1.5", 1), (3, 17, date(2011, 5, 3), "event", "2", 1)]
    by_parts, joined = LedgerKeys("participation"), LedgerKeys("participation")
    for a, who, day, channel, hours, count in [*parts, *parts]:
        text_ = f"{a}\x1f{'' if who is None else who}\x1f{day}\x1f{channel}\x1f{hours}\x1f{count}"
        assert by_parts.key(a, who, day, channel, hours, count) == joined.key_of(text_)
    assert len(by_parts.seen) == 4  # a repeated line gets a key of its own


def test_a_line_repeated_many_times_gets_the_keys_of_counting_from_the_first() -> None:
    from hashlib import sha1

    def counted(base: str, occurrence: int) -> str:
        return "import:participation:" + sha1(f"{base}\x1f{occurrence}".encode()).hexdigest()

    keys = LedgerKeys("participation")
    lines = ["a", "b", "a", "a", "c", "b", "a"] * 50
    got = [keys.key_of(line) for line in lines]
    expected = [counted(line, lines[:n].count(line)) for n, line in enumerate(lines)]
    assert got == expected
    assert len(set(got)) == len(lines)


def test_stored_keys_read_by_a_scan_or_looked_up_are_the_same(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = Participation.__table__
    db.session.add(Activity(name="Panel", category="panel"))
    db.session.flush()
    activity_id = db.session.scalar(text("SELECT id FROM activities"))
    stored = [f"import:participation:{n:04d}" for n in range(0, 200, 3)] + [
        "survey:1",
        "staff:participation:9",
    ]
    db.session.execute(
        table.insert(),
        [
            {
                "activity_id": activity_id,
                "date": date(2011, 5, 1),
                "channel": "web",
                "source_key": key,
                "created_at": NOW,
            }
            for key in stored
        ],
    )
    asked = [f"import:participation:{n:04d}" for n in range(50, 150)] + ["import:participation:zzz"]
    connection = db.session.connection()
    expected = {key for key in asked if key in stored}
    monkeypatch.setattr(bulk_load, "SCAN_AT", 10**9)
    assert bulk_load.stored_keys(connection, table, asked) == expected
    monkeypatch.setattr(bulk_load, "SCAN_AT", 1)
    assert bulk_load.stored_keys(connection, table, asked) == expected
    if connection.dialect.name == "sqlite":  # the scan is SQLite's; PostgreSQL takes keys as one array
        # A few keys against many more stored in their range are looked up, not scanned for.
        assert bulk_load._scanned_keys(connection, '"participations"', asked[:2] + asked[-1:]) is None
    assert bulk_load.stored_keys(connection, table, asked[:2] + asked[-1:]) == {"import:participation:0051"}
    db.session.rollback()
