"""Launch a consultation to 50,000 customers on SQLite and report the time and peak memory.

Run: .venv/bin/python bench/launch.py [--customers N]
Targets: launch under 10 s, peak memory (max RSS) under 300 MB.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.extensions import db
from app.factory import create_app
from app.models import Area, Customer
from app.models.base import utcnow


def build(customers: int, folder: Path) -> object:
    """Create an app on a fresh SQLite file with ``customers`` reachable customers."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
            "PUBLIC_BASE_URL": "https://involve.example",
            "SMS_QUIET_HOURS": "",
        }
    )
    with app.app_context():
        db.create_all()
        db.session.add_all([Area(name="Derby", homes=20000), Area(name="Leicester", homes=30000)])
        db.session.flush()
        now = utcnow()
        rows = []
        for n in range(customers):
            by_email = n % 4 == 0  # a quarter by email, the rest by text
            rows.append(
                {
                    "ref": f"B{n:06d}",
                    "first_name": f"Name{n}",
                    "last_name": "Bench",
                    "area_id": 1 + n % 2,
                    "phone": None if by_email else f"+4479{n:09d}",
                    "email": f"c{n}@example.org" if by_email else None,
                    "sms_consent": not by_email,
                    "email_consent": by_email,
                    "involvement_register": False,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        db.session.execute(insert(Customer), rows)
        db.session.commit()
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        app = build(args.customers, Path(tmp))
        print(f"register of {args.customers:,} customers built in {time.perf_counter() - started:.1f} s")
        from consultations.surveys.definitions import import_definition
        from consultations.surveys.launch import launch
        from messaging.models import OutboundMessage

        with app.app_context():  # type: ignore[attr-defined]
            consultation, _ = import_definition(
                {
                    "slug": "bench",
                    "title": "Bench survey",
                    "activity": "Bench",
                    "channels": ["sms", "email"],
                    "intro": "Hi {first_name}, two quick questions.",
                    "questions": [
                        {"key": "q1", "text": "Do you read Derwent Life?", "type": "yesno"},
                        {
                            "key": "q2",
                            "text": "How useful is it, 1 to 5?",
                            "type": "scale",
                            "min": 1,
                            "max": 5,
                        },
                    ],
                }
            )
            db.session.commit()
            # Baseline: a bare bulk insert of as many rows, to compare the launch against.
            base_start = time.perf_counter()
            db.session.execute(select(func.count()).select_from(Customer))
            bare = [
                {"channel": "sms", "to_address": "+447911000000", "body": "x", "status": "bench"}
            ] * args.customers
            db.session.execute(insert(OutboundMessage), bare)
            db.session.rollback()
            baseline = time.perf_counter() - base_start

            # Timed without tracemalloc, which slows allocation several-fold; memory is the
            # process's peak resident set, and how much the launch added to it.
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            t0 = time.perf_counter()
            result = launch(consultation, now=utcnow())
            db.session.commit()
            elapsed = time.perf_counter() - t0
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            queued = db.session.scalar(select(func.count()).select_from(OutboundMessage))
    print(f"launched to {result.invited:,} ({result.by_channel}); {queued:,} messages queued")
    print(
        f"launch time: {elapsed:.2f} s (target < 10 s); bare bulk insert of {args.customers:,} rows: "
        f"{baseline:.2f} s; ratio {elapsed / baseline:.1f}x"
    )
    print(
        f"peak memory: process max RSS {rss_after:.0f} MB (target < 300 MB), "
        f"of which the launch added {rss_after - rss_before:.0f} MB"
    )
    if elapsed >= 10 or rss_after >= 300:
        sys.exit(1)


if __name__ == "__main__":
    main()
