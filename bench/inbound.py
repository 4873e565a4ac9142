"""Benchmark the inbound SMS webhook under gunicorn against a bare signed-insert Flask app.

Serves the bare app, Involve and Involve's messaging alone side by side, warms each up, then fires
N signed inbound texts (default 2,000) over 32 concurrent keep-alive connections at each in turn,
for several interleaved rounds, so a busy neighbour on the machine slows every app alike. Prints
the median and best throughput of each, the ratio of medians, and checks every text was stored
exactly once. Each app has a fresh SQLite file, or with --database-url a fresh database on that
PostgreSQL server. Run: .venv/bin/python bench/inbound.py [--count N] [--rounds R]
[--concurrency C] [--workers W] [--database-url postgresql+psycopg://user@host:port/db]
"""

from __future__ import annotations

import argparse
import http.client
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from statistics import median

from cpu import CpuMeter
from inbound_apps import PATH, THREADS, Served, start_bare, start_involve, stranger
from inbound_db import Databases
from inbound_survey import start_survey
from twilio.request_validator import RequestValidator

# Texts sent (and not timed) first, so every worker has booted and imported the app: gunicorn
# listens before its workers are ready, and Involve's workers take longer to import than a bare app.
WARMUP = 300


def fire(
    port: int,
    base: str,
    token: str,
    count: int,
    concurrency: int,
    tag: str,
    text: object = stranger,
    meter: CpuMeter | None = None,
    settle: object = None,
) -> float:
    """Send ``count`` signed texts over ``concurrency`` connections; return texts per second.

    ``settle`` (Involve's apps) returns once the app has handled every text it stored, and the
    time it takes counts: a text is done when it is answered, not when it is stored. With a
    ``meter``, the CPU each of the app's processes used meanwhile is added to it.
    """
    validator = RequestValidator(token)
    bodies = []
    for i in range(count):
        sender, body = text(i)  # type: ignore[operator]
        params = {
            "MessageSid": f"SM{tag}{i:08d}",
            "From": sender,
            "To": "+447000000001",
            "Body": body,
        }
        signature = validator.compute_signature(base + PATH, params)
        bodies.append((urllib.parse.urlencode(params), signature))
    errors: list[str] = []
    next_index = iter(range(count))
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                break
            body, signature = bodies[i]
            headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
            try:
                conn.request("POST", PATH, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(f"{i}: HTTP {response.status}")
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{i}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    before = meter.sample() if meter else None
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if settle is not None:
        sent = time.perf_counter()
        settle()  # type: ignore[operator]
        print(
            f"DEBUG {tag}: sent {sent - started:.2f}s settled {time.perf_counter() - sent:.2f}s", flush=True
        )
    elapsed = time.perf_counter() - started
    if meter and before:
        meter.add(before, meter.sample(), count)
    if errors:
        raise SystemExit(f"{len(errors)} requests failed, first: {errors[:3]}")
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--no-survey", action="store_true", help="skip the survey-answer round")
    parser.add_argument("--simulator", action="store_true", help="survey round: scheduler sends unpaced")
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL server (postgresql+psycopg://user@host:port/db): every app gets a fresh "
        "database there instead of its own SQLite file",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        dbs = Databases(Path(tmp), args.database_url)
        apps: list[Served] = []
        try:
            apps.append(start_bare(dbs, args))
            # Involve itself on its own fresh database: whole (with the consultations and events
            # receivers), and messaging alone (receivers disconnected).
            apps.append(start_involve(dbs, "whole", "involve webhook", "wsgi:app", args))
            apps.append(
                start_involve(dbs, "alone", "messaging alone", "inbound_apps:without_receivers()", args)
            )
            if not args.no_survey:
                customers = WARMUP + args.rounds * args.count
                apps.append(start_survey(dbs, customers, args, start_involve))
            for served in apps:
                fire(
                    served.port, served.base, served.token, WARMUP, args.concurrency, "w", served.text(0),
                    settle=served.settle(dbs),
                )  # fmt: skip
                served.meter = CpuMeter(
                    served.proc.pid,
                    {"scheduler": served.extra[0].pid} if served.extra else {},
                    served.db_url.rsplit("/", 1)[1] if dbs.postgres else "",
                )
            for round_no in range(args.rounds):
                for served in apps:
                    rate = fire(
                        served.port, served.base, served.token, args.count, args.concurrency, f"r{round_no}x",
                        served.text(WARMUP + round_no * args.count), served.meter, served.settle(dbs),
                    )  # fmt: skip
                    served.rates.append(rate)
            for served in apps:
                for proc in (served.proc, *served.extra):
                    proc.terminate()
                    proc.wait()
            for served in apps:
                served.rows, served.distinct = dbs.query(served.db_url, served.query)
                if served.surveyed:
                    served.answers = dbs.query(served.db_url, SURVEY_COUNTS)  # type: ignore[assignment]
        finally:
            for served in apps:
                for proc in (served.proc, *served.extra):
                    if proc.poll() is None:
                        proc.terminate()
                        proc.wait()
            dbs.drop_all()

    expected = WARMUP + args.rounds * args.count
    print(f"(after {WARMUP} untimed warm-up texts per app; stored counts include them)")
    print(
        f"texts: {args.count} x {args.rounds} rounds, concurrency: {args.concurrency}, "
        f"gunicorn workers: {args.workers} x {THREADS} threads, "
        f"database: {'PostgreSQL' if dbs.postgres else 'SQLite'}"
    )
    bare = apps[0]
    ok = True
    for served in apps:
        print(
            f"{served.label + ':':19} median {median(served.rates):7.1f} texts/s, best {max(served.rates):7.1f}"
            f"  (stored {served.rows}, distinct {served.distinct})"
            + ("" if served is bare else f"  ratio {median(served.rates) / median(bare.rates):.2f}")
        )
        ok = ok and served.rows == served.distinct == expected
    for served in apps:
        costs = served.meter.per_text() if served.meter else {}
        if costs:
            print(
                f"{'  CPU per text, ' + served.label + ':':40} "
                + ", ".join(f"{name} {ms:.3f} ms" for name, ms in costs.items())
            )
    ratio = median(apps[1].rates) / median(bare.rates)
    print(f"ratio of medians, whole app: {ratio:.2f} (target >= 0.50)")
    survey_ok = True
    if not args.no_survey:
        survey = apps[-1]
        survey_ratio = median(survey.rates) / median(bare.rates)
        answered, completed, participations, replies, sent = survey.answers
        print(
            f"survey answers: {answered} answers stored, {completed} completed, "
            f"{participations} participation rows, {replies} replies queued; the scheduler sent {sent} texts"
        )
        print(f"ratio of medians, survey answers: {survey_ratio:.2f} (target >= 0.50)")
        survey_ok = answered == expected and participations == completed and replies == expected
        ok = ok and survey_ok
        ratio = min(ratio, survey_ratio)
    print(
        "every text stored exactly once" if ok else "MISMATCH: texts lost or stored twice, or answers missing"
    )
    sys.exit(0 if ok and ratio >= 0.5 else 1)


SURVEY_COUNTS = (
    "SELECT (SELECT count(*) FROM survey_answers),"
    " (SELECT count(*) FROM survey_responses WHERE status = 'completed'),"
    " (SELECT count(*) FROM participations),"
    " (SELECT count(*) FROM outbound_messages WHERE purpose = 'reply'),"
    " (SELECT count(*) FROM outbound_messages WHERE sent_at IS NOT NULL)"
)


if __name__ == "__main__":
    main()
