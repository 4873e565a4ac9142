"""Time the impact report against a hand-written SQL baseline on the same large ledger.

    .venv/bin/python bench/report.py [--scale 0.1] [--runs 5]
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/report.py

Builds 100,000 customers, 60 activities, 1,000,000 participation rows and 50,000 staff-time and
50,000 cost rows (times --scale) in a throwaway database (a temporary SQLite file, or a new
PostgreSQL database next to DATABASE_URL that is dropped afterwards), checks that both ways give
the same figures, and prints the median of --runs timings of each and their ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.extensions import db
from app.factory import create_app
from bench.report_baseline import baseline_report
from bench.report_data import load
from reporting.metrics import ReportSettings, build_report

PERIOD = (date(2011, 4, 1), date(2012, 3, 31))


def _database(tmp: Path) -> tuple[str, Callable[[], None]]:
    """Return a fresh database URL and a function that removes it."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith("postgres"):
        return f"sqlite:///{tmp / 'bench.sqlite3'}", lambda: None
    url = make_url(configured).set(drivername="postgresql+psycopg")
    name = f"involve_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def _medians(first: Callable[[], Any], second: Callable[[], Any], runs: int) -> tuple[float, Any, float, Any]:
    """Time the two alternately, so both meet the same machine load; return median and result of each."""
    times: tuple[list[float], list[float]] = ([], [])
    results: list[Any] = [None, None]
    for _ in range(runs):
        for slot, fn in enumerate((first, second)):
            started = time.perf_counter()
            results[slot] = fn()
            times[slot].append(time.perf_counter() - started)
    return statistics.median(times[0]), results[0], statistics.median(times[1]), results[1]


def _comparable(report: dict[str, Any]) -> dict[str, Any]:
    """Keep the figures both ways compute (not the words or the warnings)."""
    keys = ("customers_involved", "by_channel", "customer_hours", "staff_hours", "total_cost",
            "cost_per_customer", "cost_per_property", "rating")  # fmt: skip
    return {
        "activities": [{"name": a["name"], **{k: a[k] for k in keys}} for a in report["activities"]],
        "summary": report["summary"],
        "profile": report["profile"]["fields"],
        "coverage": round(report["profile"]["coverage"], 4),
    }


def main() -> None:
    """Load the data, time both ways, check they agree, print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full data set")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (median reported)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = _database(Path(tmp))
        try:
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": False})
            with app.app_context():
                db.create_all()
                print(f"database: {db.engine.dialect.name}  scale: {args.scale}")
                for line in load(db.engine, args.scale):
                    print(line)
                settings = ReportSettings.from_config(app.config)
                now = datetime(2012, 4, 10, tzinfo=UTC)

                def ours() -> dict[str, Any]:
                    db.session.rollback()  # a fresh transaction, like a request
                    return build_report(*PERIOD, now=now, settings=settings).to_json()

                def baseline() -> dict[str, Any]:
                    with db.engine.connect() as conn:
                        return baseline_report(
                            conn, *PERIOD, settings.average_at, settings.regular_min_meetings
                        )

                ours()  # warm caches for both ways alike
                baseline()
                base_time, base_result, our_time, our_result = _medians(baseline, ours, args.runs)
                if _comparable(our_result) != _comparable(base_result):
                    raise SystemExit("the report and the baseline disagree")
                print(f"activities in report: {len(our_result['activities'])}, "
                      f"customers participated: {our_result['summary']['customers_participated']:,}")  # fmt: skip
                print(f"baseline SQL  median of {args.runs}: {base_time * 1000:8.1f} ms")
                print(f"report (JSON) median of {args.runs}: {our_time * 1000:8.1f} ms")
                print(f"ratio: {our_time / base_time:.2f}x")
                db.session.remove()
                db.engine.dispose()
        finally:
            drop()


if __name__ == "__main__":
    main()
