"""Time `import customers` on a realistic 100,000-row register against a bare csv-plus-insert baseline.

Run: .venv/bin/python bench/import_customers.py [--rows N]
On PostgreSQL: DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/import_customers.py
(a throwaway database is created next to the one named and dropped afterwards).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Column, MetaData, Table, Text, create_engine, insert, text
from sqlalchemy.engine import make_url

from app.extensions import db
from app.factory import create_app
from app.imports import import_file
from app.imports.people import CUSTOMER_COLUMNS
from app.models import Area

AREAS = ("Derby", "Amber Valley", "Erewash", "High Peak", "Bolsover", "Chesterfield", "South Derbyshire")
FIRST = (
    "Jane",
    "John",
    "Aisha",
    "Mohammed",
    "Olivia",
    "Harry",
    "Priya",
    "Tomasz",
    "Grace",
    "Kwame",
    "Siobhan",
)
LAST = (
    "Smith",
    "Jones",
    "Khan",
    "Williams",
    "Patel",
    "Nowak",
    "Brown",
    "O'Neill",
    "Taylor",
    "Okafor",
    "Evans",
)
MOBILE_PREFIXES = ("07912", "07930", "07400", "07450", "07500", "07800", "07850", "07900", "07960")
LANDLINE_PREFIXES = ("01332", "01773", "01629", "01283")
TENURES = ("General needs", "leasehold", "Shared owner")  # listed values and synonyms, as files write them
AGE_BANDS = ("16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+", "")
GENDERS = ("Female", "Male", "Prefer not to say", "")
ETHNICITIES = ("White British", "White other", "Asian British", "Black British", "Mixed", "")
DISABILITIES = ("No", "Yes", "")


def phone(rng: random.Random) -> str:
    """Return a phone number in one of the forms people type."""
    roll = rng.random()
    if roll < 0.15:
        return ""
    digits = rng.choice(LANDLINE_PREFIXES if roll < 0.3 else MOBILE_PREFIXES) + f"{rng.randrange(10**6):06d}"
    forms = (
        f"{digits[:5]} {digits[5:]}",
        digits,
        f"+44 {digits[1:5]} {digits[5:]}",
        f"({digits[:5]}) {digits[5:]}",
    )
    return rng.choice(forms)


def write_register(path: Path, rows: int, seed: int = 2011) -> None:
    """Write a customers CSV the way Excel saves one (CRLF, BOM)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, dialect="excel")
        writer.writerow(CUSTOMER_COLUMNS.all[:13])  # a housing system export: no postcode or language
        for number in range(1, rows + 1):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            email = (
                f"{first}.{last}{number}@example.org".lower().replace("'", "") if rng.random() < 0.6 else ""
            )
            writer.writerow(
                [
                    f"DH{number:07d}",
                    first,
                    last,
                    phone(rng),
                    email,
                    rng.choice(AREAS),
                    rng.choice(TENURES),
                    rng.choice(AGE_BANDS),
                    rng.choice(GENDERS),
                    rng.choice(ETHNICITIES),
                    rng.choice(DISABILITIES),
                    rng.choice(("yes", "no")),
                    rng.choice(("yes", "no", "")),
                ]
            )


@contextmanager
def database(folder: Path) -> Iterator[str]:
    """Yield a fresh database URL: a throwaway PostgreSQL database, or a SQLite file."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith("postgres"):
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
        return
    url = make_url(configured).set(drivername="postgresql+psycopg")
    name = f"involve_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def timed(action: Callable[[], object]) -> float:
    """Return how long ``action`` took, in seconds."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def baseline(path: Path) -> None:
    """Read the file with csv and insert the raw text into a scratch table: no checks, no lookups."""
    table = Table("bench_raw_customers", MetaData(), *(Column(name, Text) for name in CUSTOMER_COLUMNS.all))
    table.create(db.engine)
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.reader(stream)
            names = next(reader)
            batch = [dict(zip(names, record, strict=True)) for record in reader]
        for start in range(0, len(batch), 5000):
            db.session.execute(insert(table), batch[start : start + 5000])
        db.session.commit()
    finally:
        db.session.remove()
        table.drop(db.engine)


def main() -> None:
    """Generate the register, import it twice and print rows per second."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory() as folder, database(Path(folder)) as url:
        csv_path = Path(folder) / "customers.csv"
        write_register(csv_path, rows)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            db.create_all()
            db.session.add_all(Area(name=name, homes=1000) for name in AREAS)
            db.session.commit()
            now = datetime.now(UTC)
            bare = timed(lambda: baseline(csv_path))

            def run() -> None:
                result = import_file("customers", csv_path, now=now)
                db.session.commit()
                print(f"  {result.summary()}")

            first = timed(run)
            again = timed(run)
            db.session.remove()
            db.engine.dispose()
    print(f"database: {make_url(url).get_backend_name()}, rows: {rows:,}")
    print(f"baseline (csv + raw insert): {bare:6.2f} s  {rows / bare:9,.0f} rows/s")
    print(
        f"import (all new):            {first:6.2f} s  {rows / first:9,.0f} rows/s  x{first / bare:.1f} baseline"
    )
    print(
        f"import again (unchanged):    {again:6.2f} s  {rows / again:9,.0f} rows/s  x{again / bare:.1f} baseline"
    )


if __name__ == "__main__":
    main()
