"""Demo data: a realistic register, activities, ledgers, budgets, outcomes and actions.

Feature packages add their own demo records (consultations, events) by registering an
extension: ``register_demo_extension(func, app)`` in their ``init_app``; ``func(now)`` runs after
the core data is loaded, inside the same transaction.
"""

from __future__ import annotations

import os
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import Flask, current_app, has_app_context
from sqlalchemy import func, insert, select

from app.auth.services import create_user
from app.demo import ledger, people
from app.demo.texts import ACTIONS, OUTCOMES
from app.extensions import db
from app.models import Action, Activity, Budget, Customer, OutcomeLog, StaffUser
from app.periods import financial_year

EXTENSIONS_KEY = "involve_demo_extensions"
ADMIN_EMAIL = "admin@example.org"
CUSTOMERS = 2013
SEED = 2011

DemoExtension = Callable[[datetime], None]


def register_demo_extension(func: DemoExtension, app: Flask | None = None) -> DemoExtension:
    """Run ``func(now)`` after the core demo data loads; pass ``app`` when outside an app context."""
    if app is None:
        if not has_app_context():
            raise RuntimeError("register_demo_extension needs app= when called outside an app context")
        app = current_app._get_current_object()  # type: ignore[attr-defined]
    extensions = app.extensions.setdefault(EXTENSIONS_KEY, [])
    if func not in extensions:
        extensions.append(func)
    return func


def has_customers() -> bool:
    """True when the register already holds anyone."""
    return db.session.scalar(select(func.count()).select_from(Customer)) > 0


@dataclass(frozen=True)
class DemoSummary:
    """What the demo load wrote, and how to sign in."""

    customers: int
    activities: int
    participation_rows: int
    admin_email: str
    admin_password: str | None  # None when the admin login already existed


def _admin(password: str | None) -> tuple[StaffUser, str | None]:
    existing = db.session.scalar(select(StaffUser).where(StaffUser.email == ADMIN_EMAIL))
    if existing is not None:
        return existing, None
    password = password or secrets.token_urlsafe(12)
    return create_user(ADMIN_EMAIL, "admin", password, name="Demo Admin"), password


def load_demo(*, now: datetime, password: str | None = None, customers: int = CUSTOMERS) -> DemoSummary:
    """Load the demo data into an empty register; the caller commits."""
    if has_customers():
        raise ValueError("the register already has customers; demo data only goes into an empty database")
    rng = random.Random(SEED)
    admin, admin_password = _admin(password or os.environ.get("DEMO_PASSWORD") or None)
    year = financial_year(now.date())
    last = financial_year(year.start - timedelta(days=1))
    area_ids = people.load_areas()
    rows = people.load_customers(rng, customers, area_ids, now)
    pools = ledger.Pools.from_rows(rows)
    participation_rows = ledger.load_activities(rng, pools, admin.id, now, year, last)
    db.session.execute(
        insert(Budget),
        [
            {
                "start_date": year.start,
                "end_date": year.end,
                "amount": Decimal("52100.00"),
                "note": f"Resident involvement budget {year.label}",
            },
            {
                "start_date": last.start,
                "end_date": last.end,
                "amount": Decimal("48500.00"),
                "note": f"Resident involvement budget {last.label}",
            },
        ],
    )
    _load_outcomes(rng, now, year.start)
    _load_actions(now)
    db.session.flush()
    for extension in current_app.extensions.get(EXTENSIONS_KEY, []):
        extension(now)
    db.session.flush()
    return DemoSummary(
        customers=len(rows),
        activities=db.session.scalar(select(func.count()).select_from(Activity)) or 0,
        participation_rows=participation_rows,
        admin_email=ADMIN_EMAIL,
        admin_password=admin_password,
    )


def _load_outcomes(rng: random.Random, now: datetime, since: date) -> None:
    today = now.date()
    start = min(since, today)
    names = dict(db.session.execute(select(Activity.name, Activity.id)).all())
    rows = []
    for where_who, what, outcome in OUTCOMES:
        raised = start + timedelta(days=rng.randint(0, max(0, (today - start).days)))
        resolved = min(today, raised + timedelta(days=rng.randint(7, 60))) if outcome else None
        activity = names.get(where_who) or (
            names["Challenge Hour area forums"] if "Challenge Hour" in where_who else None
        )
        rows.append(
            {
                "where_who": where_who,
                "what": what,
                "outcome": outcome,
                "raised_on": raised,
                "resolved_on": resolved,
                "activity_id": activity,
                "created_at": now,
            }
        )
    db.session.execute(insert(OutcomeLog), rows)


def _load_actions(now: datetime) -> None:
    today = now.date()
    db.session.execute(
        insert(Action),
        [
            {
                "aim": aim,
                "expected_outcome": expected,
                "due_date": today + timedelta(days=days),
                "status": status,
                "created_at": now,
            }
            for aim, expected, days, status in ACTIONS
        ],
    )
