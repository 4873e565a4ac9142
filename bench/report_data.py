"""A large, seeded ledger for the report benchmark, written with bulk inserts (COPY on PostgreSQL)."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine

from app.extensions import db
from app.models.involvement import CATEGORIES, CHANNELS

START = date(2010, 4, 1)
DAYS = 3 * 365  # three financial years; the report reads the middle one
AGE_BANDS = ("16-24", "25-44", "45-64", "65-74", "75+")
GENDERS = ("Female", "Male", "Non-binary")
ETHNICITIES = ("White British", "White other", "Asian", "Black", "Mixed", "Other")
TENURES = ("Tenant", "Leaseholder", "Shared owner")


def _maybe(rng: random.Random, values: Sequence[str], missing: float = 0.04) -> str | None:
    return None if rng.random() < missing else rng.choice(values)


def _write(engine: Engine, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert rows as fast as the database allows."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            # SQLite keeps dates as ISO text, which is what SQLAlchemy writes too.
            text_rows = [tuple(v.isoformat() if isinstance(v, date) else v for v in row) for row in rows]
            cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", text_rows)
        raw.commit()
    finally:
        raw.close()


def load(engine: Engine, scale: float, seed: int = 2011) -> Iterator[str]:
    """Fill the ledger; yield a line about each table as it is written."""
    rng = random.Random(seed)
    now = "2012-04-01 00:00:00"
    customers = max(int(100_000 * scale), 50)
    participations = max(int(1_000_000 * scale), 500)
    ledger_rows = max(int(50_000 * scale), 50)

    def timed(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> str:
        started = time.perf_counter()
        indexes = db.metadata.tables[table].indexes
        # Building an index once after the load is far quicker than keeping it up to date row by row.
        with engine.begin() as conn:
            for index in indexes:
                index.drop(conn)
        _write(engine, table, columns, rows)
        with engine.begin() as conn:
            for index in indexes:
                index.create(conn)
        took = time.perf_counter() - started
        return f"{table:15} {len(rows):>10,} rows in {took:6.2f} s ({len(rows) / took:,.0f} rows/s)"

    areas = [(i, f"Area {i}", rng.randint(500, 5000)) for i in range(1, 11)]
    yield timed("areas", ("id", "name", "homes"), areas)
    yield timed(
        "customers",
        ("id", "ref", "first_name", "last_name", "area_id", "tenure", "age_band", "gender", "ethnicity",
         "disability", "sms_consent", "email_consent", "involvement_register", "created_at", "updated_at"),
        [
            (i, f"C{i:07d}", "", "", None if rng.random() < 0.02 else rng.randint(1, 10), _maybe(rng, TENURES),
             _maybe(rng, AGE_BANDS), _maybe(rng, GENDERS), _maybe(rng, ETHNICITIES), _maybe(rng, ("Yes", "No")),
             True, True, False, now, now)
            for i in range(1, customers + 1)
        ],
    )  # fmt: skip
    activities = []
    for i in range(1, 61):
        begins = START + timedelta(days=rng.randint(0, DAYS - 60))
        activities.append(
            (i, f"Activity {i:02d}", CATEGORIES[i % len(CATEGORIES)], f"Aim {i}", "", f"Outcomes {i}", "",
             rng.choice([None, 1000, 5000, 6000]), begins, begins + timedelta(days=rng.randint(30, 500)),
             rng.choice([None, 100, 500]), rng.choice([None, "5.00", "20.00"]), i % 7 != 0, now)
        )  # fmt: skip
    yield timed(
        "activities",
        ("id", "name", "category", "aim", "method", "outcomes", "evidence", "homes_affected", "start_date",
         "end_date", "target_customers", "target_cost_per_customer", "counts_toward_budget", "created_at"),
        activities,
    )  # fmt: skip
    rows = []
    for i in range(1, participations + 1):
        anonymous = rng.random() < 0.05
        rows.append(
            (i, rng.randint(1, 60), None if anonymous else rng.randint(1, customers),
             START + timedelta(days=rng.randrange(DAYS)), rng.choice(CHANNELS),
             f"{rng.choice((0.0333, 0.5, 1, 2, 3.5)):.4f}", rng.randint(1, 40) if anonymous else 1, "bench", now)
        )  # fmt: skip
    yield timed(
        "participations",
        ("id", "activity_id", "customer_id", "date", "channel", "hours", "headcount", "source", "created_at"),
        rows,
    )
    yield timed(
        "staff_time",
        ("id", "activity_id", "date", "hours", "staff_email", "note", "created_at"),
        [(i, rng.randint(1, 60), START + timedelta(days=rng.randrange(DAYS)), f"{rng.randint(1, 30) / 4:.4f}",
          "", "", now) for i in range(1, ledger_rows + 1)],
    )  # fmt: skip
    yield timed(
        "costs",
        ("id", "activity_id", "date", "amount", "description", "kind", "created_at"),
        [(i, rng.randint(1, 60), START + timedelta(days=rng.randrange(DAYS)), f"{rng.randint(1, 50000) / 100:.2f}",
          "", "other", now) for i in range(1, ledger_rows + 1)],
    )  # fmt: skip
    yield timed(
        "budgets",
        ("id", "start_date", "end_date", "amount", "note"),
        [(1, date(2011, 4, 1), date(2012, 3, 31), "52100.00", ""), (2, date(2010, 4, 1), date(2011, 3, 31), "50000.00", "")],
    )  # fmt: skip
    # Fresh statistics (and, on PostgreSQL, a visibility map so index-only scans apply), as in a live system.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
