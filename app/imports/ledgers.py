"""Import the three ledgers: participation, staff time and costs; each line is written exactly once."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.imports import fields as f
from app.imports.activities import activity_cell, activity_ids
from app.imports.people import ref_key
from app.imports.reader import Columns, Progress, Sheet
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


def import_participation(
    sheet: Sheet, result: ImportResult, now: datetime, progress: Progress | None
) -> None:
    """Add participation rows; a blank customer_ref is an anonymous headcount."""
    activities = activity_ids()
    customers = CustomerRefs.load() if "customer_ref" in sheet.columns else CustomerRefs()
    # A file repeats a handful of channel spellings; a parser's answer depends only on the cell.
    channel_choice = lru_cache(maxsize=256)(f.choice(CHANNELS))
    keys = LedgerKeys("participation")
    rows: list[tuple[Any, ...]] = []
    for row in sheet:
        activity_id = activity_cell(row, activities, required=True)
        day = row.get("date", f.iso_date, required=True)
        channel = row.get("channel", channel_choice, required=True)
        hours = row.get("hours", f.hours, default=ZERO)
        headcount = row.get("headcount", f.whole_number, default=1)
        ref = row.values.get("customer_ref", "")
        customer_id = None
        if ref:
            customer_id, problem = customers.find(ref)
            if problem:
                row.error("customer_ref", problem)
            if headcount != 1:
                row.error("headcount", f"must be 1 for a named customer, not {headcount}")
        elif headcount == 0:
            row.error("headcount", "must be at least 1")
        if not row.ok:
            continue
        # The fields keys.key() would join, joined here in one step (the same keys).
        who = "" if customer_id is None else customer_id
        key = keys.key_of(f"{activity_id}\x1f{who}\x1f{day}\x1f{channel}\x1f{plain(hours)}\x1f{headcount}")
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
