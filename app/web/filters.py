"""Template filters: money, dates and times as people in the UK read them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask import Flask, current_app

from app.contact import phone_type_label
from app.periods import LONDON


def money(value: Decimal | int | float | str | None) -> str:
    """Format an amount as £1,234.56 (or an em dash when unknown)."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def london(value: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
    """Show a UTC timestamp in Europe/London time."""
    if value is None:
        return "—"
    return value.astimezone(LONDON).strftime(fmt)


def ukdate(value: date | None, fmt: str = "%d %b %Y") -> str:
    """Show a date as 30 Sep 2011."""
    return value.strftime(fmt) if value else "—"


def number(value: Decimal | int | float | None) -> str:
    """Show a count or hours with thousands separators and no needless zeros."""
    if value is None:
        return "—"
    dec = Decimal(str(value))
    if dec == dec.to_integral_value():
        return f"{int(dec):,}"
    return f"{dec.normalize():,f}"


def hours(value: Decimal | int | float | None) -> str:
    """Show hours as people read them: thousands separators and at most two decimals (exports keep all)."""
    if value is None:
        return "—"
    dec = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if dec == dec.to_integral_value():
        return f"{int(dec):,}"
    return f"{dec.normalize():,f}"


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(money)
    app.add_template_filter(london)
    app.add_template_filter(ukdate)
    app.add_template_filter(number)
    app.add_template_filter(hours)
    app.add_template_filter(phone_type_label, "phone_type")
    # base.html asks which optional endpoints exist; Flask does not expose current_app to templates.
    app.jinja_env.globals["current_app"] = current_app
