"""Demo activities and their ledgers, dated in the current and previous financial years."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert

from app.demo.activities import ACTIVITIES, PREVIOUS_YEAR
from app.extensions import db
from app.models import Activity, Cost, Participation, StaffTime
from app.periods import Period

OFFICERS = ("r.patel@example.org", "s.hughes@example.org", "j.okafor@example.org")


@dataclass
class Pools:
    """Customers to draw participants from."""

    everyone: list[dict[str, Any]]
    sms: list[dict[str, Any]]
    email: list[dict[str, Any]]
    register: list[dict[str, Any]]

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]]) -> Pools:
        """Split the register into who may be texted, emailed, or wants to be involved."""
        return cls(
            everyone=rows,
            sms=[r for r in rows if r["phone"] and r["sms_consent"] and not r["sms_opted_out_at"]],
            email=[r for r in rows if r["email"] and r["email_consent"] and not r["email_opted_out_at"]],
            register=[r for r in rows if r["involvement_register"]] or rows,
        )


def _window(period: Period, today: date, offset_days: int) -> tuple[date, date]:
    """The part of ``period`` already lived, starting ``offset_days`` in (never after today)."""
    end = min(period.end, today)
    start = min(period.start + timedelta(days=offset_days), end)
    return start, end


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _spread(start: date, end: date, count: int) -> list[date]:
    """``count`` dates spaced evenly through the window, like a meeting cycle."""
    span = (end - start).days
    return [start + timedelta(days=span * (i + 1) // (count + 1)) for i in range(count)]


class LedgerWriter:
    """Collects ledger rows for one bulk insert per table."""

    def __init__(self, rng: random.Random, pools: Pools, admin_id: int, now: datetime) -> None:
        self.rng, self.pools, self.admin_id, self.now = rng, pools, admin_id, now
        self.participation: list[dict[str, Any]] = []
        self.staff: list[dict[str, Any]] = []
        self.costs: list[dict[str, Any]] = []
        self.panels: dict[str, list[dict[str, Any]]] = {}

    def _part(
        self,
        activity_id: int,
        customer_id: int | None,
        day: date,
        channel: str,
        hours: Decimal,
        headcount: int = 1,
    ) -> None:
        self.participation.append(
            {
                "activity_id": activity_id,
                "customer_id": customer_id,
                "date": day,
                "channel": channel,
                "hours": hours,
                "headcount": headcount,
                "source": "demo",
                "created_at": self.now,
            }
        )

    def _people(
        self, activity_id: int, spec: dict[str, Any], start: date, end: date, event_day: date
    ) -> None:
        """Named customers taking part once each; text and email surveys only reach those who agreed."""
        rng = self.rng
        sms_ids = {r["id"] for r in self.pools.sms}
        email_ids = {r["id"] for r in self.pools.email}
        if spec.get("sms_only"):
            pool = list(
                {
                    r["id"]: r
                    for r in self.pools.sms + (self.pools.email if "email" in spec["channels"] else [])
                }.values()
            )
        else:
            pool = self.pools.everyone
        for row in rng.sample(pool, min(spec["people"], len(pool))):
            if spec.get("sms_only"):
                channel = (
                    "sms"
                    if row["id"] in sms_ids and (row["id"] not in email_ids or rng.random() < 0.85)
                    else "email"
                )
            else:
                channel = rng.choice(spec["channels"])
            day = event_day if spec.get("single_day") else _day(rng, start, end)
            self._part(activity_id, row["id"], day, channel, spec["hours"])

    def add(self, activity_id: int, name: str, spec: dict[str, Any], start: date, end: date) -> None:
        """Add the participation, staff time and costs described by ``spec`` within [start, end]."""
        rng = self.rng
        event_day = _day(rng, start, end)
        if spec.get("people"):
            self._people(activity_id, spec, start, end, event_day)
        if spec.get("panel"):
            # Forums and panels: the same people at every meeting (a few send apologies), and
            # members from an earlier cycle stay on, so they are not counted as newly involved.
            members = self.panels.get(name, [])[: spec["panel"]]
            taken = {m["id"] for m in members}
            others = [r for r in self.pools.register if r["id"] not in taken]
            members = members + rng.sample(others, min(spec["panel"] - len(members), len(others)))
            self.panels[name] = members
            for day in _spread(start, end, spec["meetings"]):
                for member in members:
                    if rng.random() < 0.85:
                        self._part(
                            activity_id,
                            member["id"],
                            day,
                            spec.get("channels", ("in person",))[0],
                            spec["panel_hours"],
                        )
        for headcount, channel in spec.get("anonymous", []):
            self._part(activity_id, None, event_day, channel, Decimal(headcount) * Decimal("0.5"), headcount)
        total = Decimal(str(spec["staff"]))
        pieces = max(1, min(6, int(total // 8) or 1))
        share = (total / pieces).quantize(Decimal("0.25"))
        for i in range(pieces):
            hours = share if i < pieces - 1 else total - share * (pieces - 1)
            email = "admin@example.org" if i % 3 == 0 else OFFICERS[i % len(OFFICERS)]
            self.staff.append(
                {
                    "activity_id": activity_id,
                    "date": _day(rng, start, end),
                    "hours": hours,
                    "staff_user_id": self.admin_id if email == "admin@example.org" else None,
                    "staff_email": email,
                    "note": "",
                    "created_at": self.now,
                }
            )
        for kind, amount, description in spec.get("costs", []):
            self.costs.append(
                {
                    "activity_id": activity_id,
                    "date": _day(rng, start, end),
                    "amount": Decimal(amount),
                    "kind": kind,
                    "description": description,
                    "created_at": self.now,
                }
            )

    def flush(self) -> None:
        """Write everything collected, one INSERT per table."""
        for model, rows in ((Participation, self.participation), (StaffTime, self.staff), (Cost, self.costs)):
            if rows:
                db.session.execute(insert(model), rows)


def load_activities(
    rng: random.Random, pools: Pools, admin_id: int, now: datetime, year: Period, last: Period
) -> int:
    """Insert the demo activities and their ledgers; return the number of participation rows."""
    today = now.date()
    writer = LedgerWriter(rng, pools, admin_id, now)
    for index, spec in enumerate(ACTIVITIES):
        ledger = spec["ledger"]
        words = {k: v for k, v in spec.items() if k != "ledger"}
        start, end = _window(year, today, offset_days=(index * 9) % 60)
        activity = Activity(start_date=start, end_date=year.end, created_at=now, **words)
        if spec["name"] in PREVIOUS_YEAR:
            activity.start_date = last.start + timedelta(days=30)
        db.session.add(activity)
        db.session.flush()
        if spec["name"] in PREVIOUS_YEAR:
            # The earlier cycle goes first so this year's panel keeps some of last year's members.
            writer.add(activity.id, spec["name"], PREVIOUS_YEAR[spec["name"]], *_window(last, today, 30))
        writer.add(activity.id, spec["name"], ledger, start, end)
    writer.flush()
    return len(writer.participation)
