"""Time the real import path (the command and the web pages) for customers and participation.

Each kind is also loaded by a bare csv-read plus executemany of the same rows in the same run,
so the figures are ratios on this machine, not absolute promises. The command is `flask import`
through Click; the web path is a signed-in manager uploading the file, starting it, and the
clock's import sweeper running it (counting rows, writing progress), timed from upload to done.
Both start from the same state: what the command added is deleted before the web path runs.
Run: .venv/bin/python bench/import.py [--customers N] [--participation N] [--only KIND]
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_customers import AREAS, bare, database, timed, write_register

from app.extensions import db
from app.factory import create_app
from app.imports.jobs import run_queued_imports
from app.models import Activity, Area, Customer, Participation, StaffUser
from app.models.imports import ImportJob

ACTIVITIES = ("Scrutiny panel", "Area forum", "Newsletter readers", "Estate walkabout", "Youth panel")
PASSWORD = "bench-password-1"
# The app answers a POST with 303 See Other; a login may still answer 302.
REDIRECTS = (302, 303)


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


def _token(client: FlaskClient, path: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def in_app(app: Flask, action: Callable[[], object]) -> None:
    """Run ``action`` in an app context of its own."""
    with app.app_context():
        action()
        db.session.remove()


def manager_client(app: Flask) -> FlaskClient:
    """Sign a manager in through the login page, as a browser would."""
    with app.app_context():
        user = StaffUser(email="bench-manager@example.org", role="manager", name="Bench")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    signed = client.post(
        "/login",
        data={
            "email": "bench-manager@example.org",
            "password": PASSWORD,
            "csrf_token": _token(client, "/login"),
        },
    )
    assert signed.status_code in REDIRECTS, signed.status_code
    return client


def web_import(app: Flask, client: FlaskClient, kind: str, path: Path) -> None:
    """Upload, start and let the clock's sweeper import the file; fail loudly unless it is done."""
    with path.open("rb") as upload:
        sent = client.post(
            "/imports/",
            data={"kind": kind, "file": (upload, path.name), "csrf_token": _token(client, "/imports/")},
            content_type="multipart/form-data",
        )
    assert sent.status_code in REDIRECTS, sent.get_data(as_text=True)[:500]
    job_url = sent.headers["Location"]
    started = client.post(f"{job_url}/start", data={"csrf_token": _token(client, job_url)})
    assert started.status_code in REDIRECTS, started.status_code
    with app.app_context():
        run_queued_imports(datetime.now(UTC))
        job = db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc())).first()
        assert job is not None and job.status == "done", (job.status if job else None, job and job.errors[:3])
        db.session.remove()


def command_import(app: Flask, kind: str, path: Path) -> None:
    """Run `flask import KIND FILE` through Click."""
    out = app.test_cli_runner().invoke(args=["import", kind, str(path)])
    assert out.exit_code == 0, out.output[-2000:]


def forget(model: type[object]) -> None:
    """Delete what the command imported, so the web path does the same work from the same state."""
    db.session.execute(delete(model))  # type: ignore[arg-type]
    db.session.commit()


def main() -> None:
    """Generate both files, import each by the command and the web pages, print rows/s."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--participation", type=int, default=1_000_000)
    parser.add_argument(
        "--only",
        choices=("customers", "participation"),
        help="time one kind (with participation, the customers are loaded once, untimed)",
    )
    args = parser.parse_args()
    lines = []
    with tempfile.TemporaryDirectory() as folder, database(Path(folder)) as url:
        customers, participation = Path(folder) / "customers.csv", Path(folder) / "participation.csv"
        write_register(customers, args.customers)
        write_participation(participation, args.participation, args.customers)
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_STORAGE_URI": "memory://"},
            instance_path=str(Path(folder) / "instance"),
        )
        with app.app_context():
            db.create_all()
            db.session.add_all(Area(name=name, homes=1000) for name in AREAS)
            db.session.add_all(Activity(name=name, category="panel") for name in ACTIVITIES)
            db.session.commit()
            db.session.remove()
        # Requests run outside any app context of ours, each in its own, as in a server.
        client = manager_client(app)
        kinds = [
            ("customers", customers, args.customers, Customer),
            ("participation", participation, args.participation, Participation),
        ]
        if args.only == "participation":
            command_import(app, "customers", customers)
        if args.only:
            kinds = [k for k in kinds if k[0] == args.only]
        for kind, path, rows, model in kinds:
            base = timed(lambda p=path, k=kind: in_app(app, lambda: bare(p, f"raw_{k}")))
            first = timed(lambda k=kind, p=path: command_import(app, k, p))
            in_app(app, lambda m=model: forget(m))
            second = timed(lambda k=kind, p=path: web_import(app, client, k, p))
            again = timed(lambda k=kind, p=path: command_import(app, k, p))
            lines.append(f"{kind} bare executemany: {base:7.2f} s {rows / base:10,.0f} rows/s")
            for label, seconds in (("command", first), ("web pages", second), ("again, unchanged", again)):
                lines.append(
                    f"{kind} {label}: {seconds:7.2f} s {rows / seconds:10,.0f} rows/s x{seconds / base:.1f}"
                )
        with app.app_context():
            db.engine.dispose()
    print(f"database: {make_url(url).get_backend_name()}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
