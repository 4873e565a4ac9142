"""UK time and periods: the London clock, financial years (1 April to 31 March) and other spans."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Period:
    """A closed span of dates, with a label for people and a key for links (``fy-2024``)."""

    start: date
    end: date
    label: str
    key: str

    def contains(self, day: date) -> bool:
        """True when ``day`` falls inside the period."""
        return self.start <= day <= self.end


def financial_year(day: date) -> Period:
    """Return the financial year (April to March) that contains ``day``."""
    first = day.year if day.month >= 4 else day.year - 1
    return Period(date(first, 4, 1), date(first + 1, 3, 31), f"{first}–{str(first + 1)[-2:]}", f"fy-{first}")


def financial_year_starting(year: int) -> Period:
    """Return the financial year that starts on 1 April of ``year``."""
    return financial_year(date(year, 4, 1))


def calendar_year(year: int) -> Period:
    """Return January to December of ``year``."""
    return Period(date(year, 1, 1), date(year, 12, 31), f"Calendar year {year}", f"cy-{year}")


def last_quarter(today: date) -> Period:
    """Return the calendar quarter before the one ``today`` is in."""
    this_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = this_start - timedelta(days=1)
    start = date(end.year, end.month - 2, 1)
    return Period(start, end, f"Last quarter ({start:%b}–{end:%b %Y})", "last-quarter")


def custom_period(start: date, end: date) -> Period:
    """Return the span a person typed in, from ``start`` to ``end`` inclusive."""
    return Period(start, end, "Custom dates", "custom")


def local_date(now: datetime) -> date:
    """The calendar date in the UK at ``now`` (after midnight in London it is already tomorrow)."""
    return now.astimezone(LONDON).date()
