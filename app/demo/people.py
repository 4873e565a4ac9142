"""Demo areas and a customer register: UK names, valid mobiles, a mix of consents and profiles."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from app.demo.texts import AREAS
from app.extensions import db
from app.models import Area, Customer

FIRST_NAMES = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Sophie",
    "Grace",
    "Lily",
    "Freya",
    "Emily",
    "Jessica",
    "Ruby",
    "Ellie",
    "Chloe",
    "Evie",
    "Poppy",
    "Daisy",
    "Margaret",
    "Susan",
    "Patricia",
    "Linda",
    "Karen",
    "Julie",
    "Sandra",
    "Tracey",
    "Joan",
    "Jean",
    "Pauline",
    "Ayesha",
    "Fatima",
    "Priya",
    "Aisha",
    "Zainab",
    "Oliver",
    "George",
    "Harry",
    "Jack",
    "Jacob",
    "Noah",
    "Charlie",
    "Thomas",
    "Oscar",
    "William",
    "James",
    "Leo",
    "Alfie",
    "Joshua",
    "Daniel",
    "Samuel",
    "David",
    "Paul",
    "Mark",
    "Andrew",
    "Stephen",
    "Peter",
    "Michael",
    "Gary",
    "Kevin",
    "Ian",
    "Mohammed",
    "Imran",
    "Tariq",
    "Kwame",
    "Tomasz",
    "Piotr",
]
LAST_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Lewis",
    "James",
    "Phillips",
    "Mason",
    "Mitchell",
    "Rose",
    "Davis",
    "Rodriguez",
    "Cox",
    "Alexander",
    "Morgan",
    "Moore",
    "Martin",
    "Price",
    "Bell",
    "Harris",
    "Hughes",
    "Hill",
    "Cooper",
    "Ward",
    "Turner",
    "Parker",
    "Collins",
    "Edwards",
    "Stewart",
    "Morris",
    "Murphy",
    "Cook",
    "Rogers",
    "Morgan",
    "Bailey",
    "Kelly",
    "Howard",
    "Begum",
    "Hussain",
    "Ahmed",
    "Ali",
    "Kowalski",
    "Nowak",
    "Okafor",
    "Mensah",
    "Baker",
    "Carter",
    "Chapman",
    "Fletcher",
    "Gibson",
    "Holmes",
    "Knight",
    "Marshall",
    "Owen",
    "Palmer",
    "Reid",
    "Shaw",
    "Simpson",
    "Webb",
]
TENURES = (
    ("General needs", 62),
    ("Affordable rent", 14),
    ("Supported housing", 9),
    ("Shared ownership", 8),
    ("Leaseholder", 7),
)
AGE_BANDS = (
    ("16-24", 6),
    ("25-34", 16),
    ("35-44", 18),
    ("45-54", 18),
    ("55-64", 16),
    ("65-74", 14),
    ("75+", 12),
)
GENDERS = (("Female", 55), ("Male", 43), ("Non-binary", 1), ("Prefer not to say", 1))
# The shipped ethnicity list (ONS 2021 high-level categories), so the demo reads like a real register.
ETHNICITIES = (
    ("White", 84),
    ("Asian or Asian British", 7),
    ("Black, Black British, Caribbean or African", 4),
    ("Mixed or multiple ethnic groups", 3),
    ("Other ethnic group", 1),
    ("Prefer not to say", 1),
)
DISABILITY = (("No", 74), ("Yes", 23), ("Prefer not to say", 3))
PROFILE_COVERAGE = 0.92


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def load_areas() -> dict[str, int]:
    """Insert the five demo areas; return their ids by name."""
    db.session.execute(insert(Area), [{"name": name, "homes": homes} for name, homes in AREAS])
    return dict(db.session.execute(select(Area.name, Area.id)).all())


def customer_rows(
    rng: random.Random, count: int, area_ids: dict[str, int], now: datetime
) -> list[dict[str, Any]]:
    """Build ``count`` customer rows; phones are valid UK mobiles (07911 1xxxxx), emails @example.org."""
    area_weights = [homes for _, homes in AREAS]
    area_names = [name for name, _ in AREAS]
    mobiles = rng.sample(range(100000, 200000), count)
    rows = []
    for n in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        has_phone = rng.random() < 0.78
        has_email = rng.random() < 0.45
        profile = {
            "tenure": _pick(rng, TENURES),
            "age_band": _pick(rng, AGE_BANDS),
            "gender": _pick(rng, GENDERS),
            "ethnicity": _pick(rng, ETHNICITIES),
            "disability": _pick(rng, DISABILITY),
            "area_id": area_ids[rng.choices(area_names, weights=area_weights)[0]],
        }
        if rng.random() > PROFILE_COVERAGE:
            # Census gaps: one or two fields never collected (the area is always known from the address).
            for key in rng.sample(
                ["tenure", "age_band", "gender", "ethnicity", "disability"], rng.randint(1, 2)
            ):
                profile[key] = None
        sms_consent = has_phone and rng.random() < 0.82
        email_consent = has_email and rng.random() < 0.7
        created = now - timedelta(days=rng.randint(30, 2500))
        rows.append(
            {
                "ref": f"DL{100001 + n:06d}",
                "first_name": first,
                "last_name": last,
                "phone": f"+447911{mobiles[n]:06d}" if has_phone else None,
                "phone_type": "mobile" if has_phone else None,
                "email": f"{first}.{last}{n % 97}@example.org".lower() if has_email else None,
                "sms_consent": sms_consent,
                "email_consent": email_consent,
                "sms_opted_out_at": now - timedelta(days=rng.randint(5, 300))
                if sms_consent and rng.random() < 0.02
                else None,
                "email_opted_out_at": now - timedelta(days=rng.randint(5, 300))
                if email_consent and rng.random() < 0.02
                else None,
                "involvement_register": rng.random() < 0.06,
                "created_at": created,
                "updated_at": created,
                **profile,
            }
        )
    return rows


def load_customers(
    rng: random.Random, count: int, area_ids: dict[str, int], now: datetime
) -> list[dict[str, Any]]:
    """Bulk-insert the register; return rows with their new ids."""
    rows = customer_rows(rng, count, area_ids, now)
    db.session.execute(insert(Customer), rows)
    ids = dict(db.session.execute(select(Customer.ref, Customer.id)).all())
    for row in rows:
        row["id"] = ids[row["ref"]]
    return rows
