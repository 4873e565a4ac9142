"""Financial years as UK housing associations count them: 1 April to 31 March."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Period:
    """A closed span of dates with a label."""

    start: date
    end: date
    label: str

    def contains(self, day: date) -> bool:
        """True when ``day`` falls inside the period."""
        return self.start <= day <= self.end


def financial_year(day: date) -> Period:
    """Return the financial year (April to March) that contains ``day``."""
    first = day.year if day.month >= 4 else day.year - 1
    return Period(date(first, 4, 1), date(first + 1, 3, 31), f"{first}–{str(first + 1)[-2:]}")


def financial_year_starting(year: int) -> Period:
    """Return the financial year that starts on 1 April of ``year``."""
    return financial_year(date(year, 4, 1))


def local_date(now: datetime) -> date:
    """The calendar date in the UK at ``now`` (after midnight in London it is already tomorrow)."""
    return now.astimezone(LONDON).date()
