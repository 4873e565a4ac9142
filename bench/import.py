"""Time the real import path (command and web service) for customers and participation.

Each kind is also loaded by a bare csv-read plus executemany of the same rows in the same run,
so the figures are ratios on this machine, not absolute promises.
Run: .venv/bin/python bench/import.py [--customers N] [--participation N]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Column, MetaData, Table, Text, insert
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_customers import AREAS, database, timed, write_register

from app.extensions import db
from app.factory import create_app
from app.imports.service import import_binary, import_file
from app.models import Activity, Area

ACTIVITIES = ("Scrutiny panel", "Area forum", "Newsletter readers", "Estate walkabout", "Youth panel")


def write_participation(path: Path, rows: int, customers: int, seed: int = 2011) -> None:
    """Write participation rows, UK dates on every other row, one in ten anonymous."""
    rng = random.Random(seed)
    start = date(2011, 4, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(("activity", "customer_ref", "date", "channel", "hours", "headcount"))
        for n in range(rows):
            day = start + timedelta(days=rng.randrange(365))
            written = day.isoformat() if n % 2 else day.strftime("%d/%m/%Y")
            ref = "" if n % 10 == 0 else f"DH{1 + rng.randrange(customers):07d}"
            writer.writerow([rng.choice(ACTIVITIES), ref, written, "in person", "1.5", "1"])


def bare(path: Path, name: str) -> None:
    """Read with csv and executemany the raw text into a scratch table: no checks, no lookups."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        names = next(reader)
        batch = [dict(zip(names, record, strict=True)) for record in reader]
    table = Table(name, MetaData(), *(Column(c, Text) for c in names))
    table.create(db.engine)
    try:
        for start in range(0, len(batch), 5000):
            db.session.execute(insert(table), batch[start : start + 5000])
        db.session.commit()
    finally:
        db.session.remove()
        table.drop(db.engine)


def main() -> None:
    """Generate both files, import each by the command's path and the web service's, print rows/s."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--participation", type=int, default=1_000_000)
    args = parser.parse_args()
    lines = []
    with tempfile.TemporaryDirectory() as folder, database(Path(folder)) as url:
        customers, participation = Path(folder) / "customers.csv", Path(folder) / "participation.csv"
        write_register(customers, args.customers)
        write_participation(participation, args.participation, args.customers)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            db.create_all()
            db.session.add_all(Area(name=name, homes=1000) for name in AREAS)
            db.session.add_all(Activity(name=name, category="panel") for name in ACTIVITIES)
            db.session.commit()
            now = datetime.now(UTC)
            for kind, path, rows in (
                ("customers", customers, args.customers),
                ("participation", participation, args.participation),
            ):
                base = timed(lambda p=path, k=kind: bare(p, f"raw_{k}"))

                def command(k: str = kind, p: Path = path) -> None:
                    import_file(k, p, now=now)
                    db.session.commit()

                def web(k: str = kind, p: Path = path) -> None:
                    with p.open("rb") as upload:  # what the upload page hands the service
                        import_binary(k, p.name, upload, now=now)
                    db.session.commit()

                first = timed(command)
                # Customers again are all unchanged; participation again adds the same rows once more.
                second = timed(web)
                lines.append(f"{kind} bare executemany: {base:7.2f} s {rows / base:10,.0f} rows/s")
                lines.append(
                    f"{kind} command path: {first:7.2f} s {rows / first:10,.0f} rows/s x{first / base:.1f}"
                )
                lines.append(
                    f"{kind} web service: {second:7.2f} s {rows / second:10,.0f} rows/s x{second / base:.1f}"
                )
            db.session.remove()
            db.engine.dispose()
    print(f"database: {make_url(url).get_backend_name()}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
