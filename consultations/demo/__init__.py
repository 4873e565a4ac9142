"""Demo consultations and events, written through the package's own services by `flask demo load`."""

from __future__ import annotations

import random
from datetime import datetime

from flask import Flask

from app.periods import financial_year, local_date
from consultations.demo.common import Clock, Phone, register
from consultations.demo.delivery import deliver_history
from consultations.demo.events import big_get_together, welcome_event
from consultations.demo.readership import Readership
from consultations.demo.strategy import load_draft, load_open

SEED = 2011_06


def init_app(app: Flask) -> None:
    """Load these records whenever the core demo loads."""
    from app.demo import register_demo_extension

    register_demo_extension(load_demo_records, app)


def load_demo_records(now: datetime) -> None:
    """Write the demo's consultations and events, oldest story first (flush only; the command commits)."""
    rng = random.Random(SEED)
    clock = Clock(now, financial_year(local_date(now)).start)
    phone = Phone()
    Readership(rng, clock, phone).load(register())
    # Read the register again: two people opted out of texts during the readership survey.
    people = register()
    welcome_event(rng, clock, people)
    big_get_together(rng, clock, phone, people)
    load_open(rng, clock, phone, people)
    load_draft()
    deliver_history(now)
