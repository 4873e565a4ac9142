"""What the consultation and event demos share: a clock for the year so far, people, texting in."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Customer
from app.periods import LONDON
from messaging.api import receive_sms

# The demo's own number for texts in; the SMS simulator shows it as the number texted.
DEMO_NUMBER = "+447000000001"
# How far back the demo's stories reach when the financial year is old enough.
SPAN = timedelta(days=120)


class Clock:
    """Demo times: "so many days ago at 10:00" UK time, squeezed into a young financial year."""

    def __init__(self, now: datetime, year_start: date) -> None:
        self.now = now
        self.earliest = datetime.combine(year_start, time(0, 5), LONDON).astimezone(UTC)
        self.start = now - SPAN

    def squeeze(self, when: datetime) -> datetime:
        """Keep a past time inside the financial year so far, keeping the order of events."""
        if self.earliest <= self.start or when >= self.now:
            return when
        share = max(when - self.start, timedelta(0)) / SPAN
        return self.earliest + (self.now - self.earliest) * share

    def natural(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        """Return a UK wall-clock time ``days_ago`` days before today, unsqueezed."""
        day = self.now.astimezone(LONDON).date() - timedelta(days=days_ago)
        return datetime.combine(day, time(hour, minute), LONDON).astimezone(UTC)

    def ago(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        """Return that time, squeezed into the year so far."""
        return self.squeeze(self.natural(days_ago, hour, minute))

    def ahead(self, days: int, hour: int, minute: int = 0) -> datetime:
        """Return a UK wall-clock time ``days`` after today."""
        return self.natural(-days, hour, minute)


def local_text(when: datetime) -> str:
    """Return a time as the naive UK text that definitions hold."""
    return when.astimezone(LONDON).replace(tzinfo=None).isoformat(timespec="minutes")


@dataclass(frozen=True)
class Person:
    """The register columns the demo stories need."""

    id: int
    ref: str
    first_name: str
    last_name: str
    phone: str | None
    email: str | None
    textable: bool
    emailable: bool


def register() -> list[Person]:
    """Return everyone on the register, in id order."""
    rows = db.session.execute(
        select(
            Customer.id,
            Customer.ref,
            Customer.first_name,
            Customer.last_name,
            Customer.phone,
            Customer.email,
            Customer.sms_consent,
            Customer.email_consent,
            Customer.sms_opted_out_at,
            Customer.email_opted_out_at,
        )
        .where(Customer.erased_at.is_(None))
        .order_by(Customer.id)
    )
    people = []
    for r in rows:
        textable = bool(r.phone and r.sms_consent and r.sms_opted_out_at is None)
        emailable = bool(r.email and r.email_consent and r.email_opted_out_at is None)
        people.append(Person(r.id, r.ref, r.first_name, r.last_name, r.phone, r.email, textable, emailable))
    return people


class Phone:
    """Texts in through the same path as Twilio's webhook and the simulator, with made-up message ids."""

    def __init__(self) -> None:
        self._sids = itertools.count(1)

    def text(self, number: str, body: str, at: datetime) -> list[str]:
        """Receive one text from ``number`` at ``at``; return the replies queued."""
        return receive_sms(number, DEMO_NUMBER, body, f"SMdemo{next(self._sids):028d}", now=at)


def minutes_later(rng: random.Random, at: datetime, low: int, high: int) -> datetime:
    """Return a time a random number of minutes after ``at``."""
    return at + timedelta(minutes=rng.randint(low, high))
