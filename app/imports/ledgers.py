"""Import the three ledgers: participation, staff time and costs; each line is written exactly once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.imports import fields as f
from app.imports.activities import activity_cell, activity_ids
from app.imports.people import ref_key
from app.imports.reader import Columns, Progress, Row, Sheet
from app.imports.result import ImportResult, quoted
from app.imports.store import LedgerKeys, column_limit, insert_new
from app.models import Cost, Customer, Participation, StaffTime, StaffUser
from app.models.involvement import CHANNELS

PARTICIPATION_COLUMNS = Columns(("activity", "date", "channel"), ("customer_ref", "hours", "headcount"))
STAFF_TIME_COLUMNS = Columns(("activity", "date", "hours"), ("staff_email", "note"))
COST_COLUMNS = Columns(("activity", "date", "amount"), ("description",))
ZERO = Decimal(0)


@lru_cache(maxsize=4096)
def plain(value: Decimal) -> str:
    """Write a number the same way however many trailing zeros it came with: 1.50 -> "1.5"."""
    return format(value.normalize(), "f")


class CustomerRefs:
    """Customer ids by ref, matched ignoring case; refs differing only in case must be written exactly."""

    def __init__(self) -> None:
        self.ids: dict[str, tuple[str, int]] = {}
        self.clashes: dict[str, dict[str, int]] = {}

    @classmethod
    def load(cls) -> CustomerRefs:
        """Read every customer's ref and id once, for the whole file."""
        refs = cls()
        for ref, customer_id in db.session.execute(select(Customer.ref, Customer.id)):
            key = ref_key(ref)
            if key in refs.ids:
                refs.clashes.setdefault(key, dict([refs.ids[key]]))[ref] = customer_id
            else:
                refs.ids[key] = (ref, customer_id)
        return refs

    def find(self, ref: str) -> tuple[int | None, str | None]:
        """Return the customer id for ``ref``, or a message saying why there is none."""
        key = ref_key(ref)
        clash = self.clashes.get(key)
        if clash is not None:
            if ref.strip() in clash:
                return clash[ref.strip()], None
            names = ", ".join(quoted(r) for r in sorted(clash))
            return None, f"{quoted(ref)} matches more than one customer ({names}); write the ref exactly"
        found = self.ids.get(key)
        if found is None:
            return None, f"{quoted(ref)} is not a known customer (import the customers file first)"
        return found[1], None

    def exact(self) -> dict[str, int]:
        """Return the ids of the refs that ``find`` matches as written, by the ref written that way."""
        # A stored ref's matching form is its own matching form, so find() gives the same id.
        return {key: found[1] for key, found in self.ids.items() if key not in self.clashes}


# A participation row as checked: activity id, customer id, (date, its ISO text), channel,
# (hours, their plain text), headcount. The texts are what the row's source key is made of.
Checked = tuple[int, int | None, tuple[date, str], str, tuple[Decimal, str], int]


@dataclass
class KnownCells:
    """Cells of a participation file already read without a problem, by their text.

    A file repeats a few hundred dates and a handful of activities, channels and hours, and a
    customer's ref is written as stored: a row made only of such cells needs a lookup per cell.
    Any other row takes the full checks, which name its problems and add what was good here.
    Every map holds only cells the full checks accepted, and each check depends only on its cell.
    """

    refs: dict[str, int]
    activities: dict[str, int] = field(default_factory=dict)
    dates: dict[str, tuple[date, str]] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    # A blank hours or headcount cell means 0 hours, one person, as the full check reads it.
    hours: dict[str, tuple[Decimal, str]] = field(default_factory=lambda: {"": (ZERO, plain(ZERO))})
    headcounts: dict[str, int] = field(default_factory=lambda: {"": 1})

    def quick(self, values: dict[str, str]) -> Checked | None:
        """Return the row as checked when every cell is known and the row is consistent, else None."""
        get = values.get
        activity_id = self.activities.get(get("activity", ""))
        dated = self.dates.get(get("date", ""))
        channel = self.channels.get(get("channel", ""))
        hours = self.hours.get(get("hours", ""))
        headcount = self.headcounts.get(get("headcount", ""))
        if activity_id is None or dated is None or channel is None or hours is None or headcount is None:
            return None
        ref = get("customer_ref", "")
        if not ref:
            return None if headcount == 0 else (activity_id, None, dated, channel, hours, headcount)
        customer_id = self.refs.get(ref)
        if customer_id is None or headcount != 1:
            return None
        return (activity_id, customer_id, dated, channel, hours, headcount)

    def learn(self, values: dict[str, str], checked: Checked) -> None:
        """Remember the cells of a row the full checks accepted."""
        activity_id, customer_id, dated, channel, hours, headcount = checked
        self.activities[values.get("activity", "")] = activity_id
        self.dates[values.get("date", "")] = dated
        self.channels[values.get("channel", "")] = channel
        self.hours[values.get("hours", "")] = hours
        self.headcounts[values.get("headcount", "")] = headcount
        if customer_id is not None:
            self.refs[values.get("customer_ref", "")] = customer_id


class ParticipationChecks:
    """Every check of a participation row, noting each problem on the row by its column."""

    def __init__(self, activities: dict[str, int], customers: CustomerRefs) -> None:
        self.activities = activities
        self.customers = customers
        # A file repeats a handful of channel spellings; a parser's answer depends only on the cell.
        self.channel = lru_cache(maxsize=256)(f.choice(CHANNELS))

    def check(self, row: Row) -> Checked | None:
        """Return the row as checked, or None when it has a problem (noted on the row)."""
        activity_id = activity_cell(row, self.activities, required=True)
        day = row.get("date", f.iso_date, required=True)
        channel = row.get("channel", self.channel, required=True)
        hours = row.get("hours", f.hours, default=ZERO)
        headcount = row.get("headcount", f.whole_number, default=1)
        ref = row.values.get("customer_ref", "")
        customer_id = None
        if ref:
            customer_id, problem = self.customers.find(ref)
            if problem:
                row.error("customer_ref", problem)
            if headcount != 1:
                row.error("headcount", f"must be 1 for a named customer, not {headcount}")
        elif headcount == 0:
            row.error("headcount", "must be at least 1")
        if not row.ok:
            return None
        assert activity_id is not None and day is not None and channel is not None
        return (activity_id, customer_id, (day, day.isoformat()), channel, (hours, plain(hours)), headcount)


def import_participation(
    sheet: Sheet, result: ImportResult, now: datetime, progress: Progress | None
) -> None:
    """Add participation rows; a blank customer_ref is an anonymous headcount."""
    customers = CustomerRefs.load() if "customer_ref" in sheet.columns else CustomerRefs()
    checks = ParticipationChecks(activity_ids(), customers)
    known = KnownCells(customers.exact())
    keys = LedgerKeys("participation")
    rows: list[tuple[Any, ...]] = []
    for row in sheet:
        # A row the reader found fault with (a NUL, a value under no header) takes the full checks too.
        checked = known.quick(row.values) if row.ok else None
        if checked is None:
            checked = checks.check(row)
            if checked is None:
                continue
            known.learn(row.values, checked)
        activity_id, customer_id, (day, written), channel, (hours, hours_text), headcount = checked
        # The fields keys.key() would join, joined here in one step (the same keys).
        who = "" if customer_id is None else customer_id
        key = keys.key_of(f"{activity_id}\x1f{who}\x1f{written}\x1f{channel}\x1f{hours_text}\x1f{headcount}")
        rows.append((activity_id, customer_id, day, channel, hours, headcount, key))
    sheet.problems.raise_if_any()
    names = ("activity_id", "customer_id", "date", "channel", "hours", "headcount", "source_key")
    constants = {"source": "import", "created_at": now}
    insert_new(Participation, names, rows, result, constants=constants, progress=progress)


def import_staff_time(sheet: Sheet, result: ImportResult, now: datetime, progress: Progress | None) -> None:
    """Add staff time rows, linked to a staff login when the email belongs to one."""
    activities = activity_ids()
    staff = dict(db.session.execute(select(func.lower(StaffUser.email), StaffUser.id)).all())
    note_text = f.text(column_limit(StaffTime, "note"))
    keys = LedgerKeys("staff-time")
    rows: list[tuple[Any, ...]] = []
    for row in sheet:
        activity_id = activity_cell(row, activities, required=True)
        day = row.get("date", f.iso_date, required=True)
        hours = row.get("hours", f.hours, required=True)
        email = row.values.get("staff_email", "").lower()
        if email not in staff:
            # A known login is taken as it is; anyone else's address must at least look like one.
            email = row.get("staff_email", f.email, default="")
        note = row.get("note", note_text, default="")
        if not row.ok:
            continue
        email = email.lower()
        key = keys.key(activity_id, day, plain(hours), email, note)
        rows.append((activity_id, day, hours, staff.get(email) if email else None, email, note, key))
    sheet.problems.raise_if_any()
    names = ("activity_id", "date", "hours", "staff_user_id", "staff_email", "note", "source_key")
    insert_new(StaffTime, names, rows, result, constants={"created_at": now}, progress=progress)


def import_costs(sheet: Sheet, result: ImportResult, now: datetime, progress: Progress | None) -> None:
    """Add costs against activities."""
    activities = activity_ids()
    keys = LedgerKeys("costs")
    rows: list[tuple[Any, ...]] = []
    for row in sheet:
        activity_id = activity_cell(row, activities, required=True)
        day = row.get("date", f.iso_date, required=True)
        amount = row.get("amount", f.money, required=True)
        description = row.get("description", f.text(None), default="")
        if not row.ok:
            continue
        key = keys.key(activity_id, day, plain(amount), description)
        rows.append((activity_id, day, amount, description, key))
    sheet.problems.raise_if_any()
    names = ("activity_id", "date", "amount", "description", "source_key")
    insert_new(Cost, names, rows, result, constants={"created_at": now}, progress=progress)
