"""Time the report pages and staff lists through gunicorn on the large ledger, cold and stored.

    .venv/bin/python bench/report_pages.py [--scale 0.1]

Loads the data of ``bench/report_data.py`` into a temporary SQLite file, serves it with gunicorn
(one worker, as in the Procfile's worker class), signs in as a manager and times each page twice:
first (the report is computed for this ledger state, or read from the snapshot the report page
stored) and again (the stored snapshot, and for downloads the bytes drawn before, are reused).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.auth.services import create_user
from app.extensions import db
from app.factory import create_app
from bench.report_data import load

ROOT = Path(__file__).resolve().parents[1]
YEAR = "from=2011-04-01&to=2012-03-31"
PAGES = (
    # A period nothing has computed yet: the download computes the report and draws it.
    ("PDF, nothing stored (FY 2010/11)", "/reports/download/pdf?from=2010-04-01&to=2011-03-31"),
    ("report page (FY 2011/12)", f"/reports?{YEAR}"),
    ("PDF", f"/reports/download/pdf?{YEAR}"),
    ("XLSX", f"/reports/download/xlsx?{YEAR}"),
    ("CSV", f"/reports/download/csv?{YEAR}"),
    ("activities list (FY 2011/12)", "/activities?fy=2011"),
    ("activities list (all time)", "/activities"),
    ("customers list", "/customers/"),
    ("published reports list", "/reports/published"),
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(base: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit("gunicorn stopped before answering")
        try:
            requests.get(f"{base}/login", timeout=10)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    raise SystemExit("gunicorn did not answer")


def _sign_in(base: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {
        "email": "bench@example.org",
        "password": "bench-password",
        "csrf_token": token[1] if token else "",
    }
    answer = session.post(f"{base}/login", data=data, timeout=30)
    if "/login" in answer.url:
        raise SystemExit("could not sign in")
    return session


def _time(session: requests.Session, url: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    answer = session.get(url, timeout=300)
    return time.perf_counter() - started, answer.status_code, len(answer.content)


def main() -> None:
    """Load the data, start gunicorn, time every page cold and stored, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full data set")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'pages.sqlite3'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": False})
        with app.app_context():
            db.create_all()
            print(f"database: sqlite  scale: {args.scale}")
            for line in load(db.engine, args.scale):
                print(line)
            create_user("bench@example.org", "manager", "bench-password")
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": "0"}
        proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--worker-class", "gthread", "--threads", "4", "--timeout", "300", "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(base, proc)
            session = _sign_in(base)
            print(f"{'page':32} {'first':>9} {'again':>9} {'status':>7} {'bytes':>10}")
            for label, path in PAGES:
                first, status, size = _time(session, base + path)
                again, _, _ = _time(session, base + path)
                print(f"{label:32} {first * 1000:7.0f}ms {again * 1000:7.0f}ms {status:>7} {size:>10,}")
        finally:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
