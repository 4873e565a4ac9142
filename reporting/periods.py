"""The report's period picker: presets and custom dates, read from a request into an app Period."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from app.periods import (
    Period,
    calendar_year,
    custom_period,
    financial_year,
    financial_year_starting,
    last_quarter,
)


class PeriodError(ValueError):
    """The dates asked for do not make a period; the message says why."""


def _preset_year(year: int) -> Period:
    # The picker's buttons stand alone, so a financial year is named in full there.
    fy = financial_year_starting(year)
    return replace(fy, label=f"Financial year {fy.label}")


def presets(today: date) -> list[Period]:
    """Return the picker's presets, the current financial year first."""
    fy = financial_year(today).start.year
    return [
        _preset_year(fy),
        _preset_year(fy - 1),
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
        return custom_period(date_from, date_to)
    if not preset:
        return presets(today)[0]
    if preset == "last-quarter":
        return last_quarter(today)
    kind, _, year = preset.partition("-")
    if kind in ("fy", "cy") and year.isdigit() and 1900 <= int(year) <= 2999:
        return _preset_year(int(year)) if kind == "fy" else calendar_year(int(year))
    raise PeriodError(f"Unknown period {preset!r}.")
