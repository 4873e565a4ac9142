"""Report periods: presets (financial year, calendar year, last quarter) and custom dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


class PeriodError(ValueError):
    """The dates asked for do not make a period; the message says why."""


@dataclass(frozen=True)
class Period:
    """A closed range of dates with a label for the picker."""

    key: str
    label: str
    date_from: date
    date_to: date


def financial_year(year_starting: int) -> Period:
    """Return the April–March financial year that starts in ``year_starting``."""
    return Period(
        f"fy-{year_starting}",
        f"Financial year {year_starting}–{str(year_starting + 1)[-2:]}",
        date(year_starting, 4, 1),
        date(year_starting + 1, 3, 31),
    )


def calendar_year(year: int) -> Period:
    """Return January to December of ``year``."""
    return Period(f"cy-{year}", f"Calendar year {year}", date(year, 1, 1), date(year, 12, 31))


def last_quarter(today: date) -> Period:
    """Return the calendar quarter before the one ``today`` is in."""
    this_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = this_start - timedelta(days=1)
    start = date(end.year, end.month - 2, 1)
    return Period("last-quarter", f"Last quarter ({start:%b}–{end:%b %Y})", start, end)


def presets(today: date) -> list[Period]:
    """Return the picker's presets, the current financial year first."""
    fy = today.year if today.month >= 4 else today.year - 1
    return [
        financial_year(fy),
        financial_year(fy - 1),
        calendar_year(today.year),
        calendar_year(today.year - 1),
        last_quarter(today),
    ]


def parse_date(raw: str, what: str) -> date:
    """Read a YYYY-MM-DD date or say clearly what is wrong."""
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        raise PeriodError(f"The {what} date must be written YYYY-MM-DD, not {raw!r}.") from None


def resolve(today: date, preset: str | None, raw_from: str | None, raw_to: str | None) -> Period:
    """Choose the period from a preset key or custom dates; default to this financial year."""
    if raw_from or raw_to:
        date_from = parse_date(raw_from or "", "start")
        date_to = parse_date(raw_to or "", "end")
        if date_from > date_to:
            raise PeriodError("The start date must not be after the end date.")
        return Period("custom", "Custom dates", date_from, date_to)
    if not preset:
        return presets(today)[0]
    if preset == "last-quarter":
        return last_quarter(today)
    kind, _, year = preset.partition("-")
    if kind in ("fy", "cy") and year.isdigit() and 1900 <= int(year) <= 2999:
        return financial_year(int(year)) if kind == "fy" else calendar_year(int(year))
    raise PeriodError(f"Unknown period {preset!r}.")
