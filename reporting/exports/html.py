"""The report as HTML: the shared template context and the standalone file."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from flask import current_app, render_template

from reporting import charts, formatting
from reporting.report import ImpactReport


def percent_of(share: Decimal) -> str:
    """Write a 0–1 share as a whole percentage."""
    return f"{round(Decimal(share) * 100)}%"


def helpers() -> SimpleNamespace:
    """Return the formatting helpers every report template uses as ``f``."""
    average_at = Decimal(str(current_app.config.get("RATING_AVERAGE_AT", "0.75")))
    return SimpleNamespace(
        money_words=formatting.money_words,
        hours_words=formatting.hours_words,
        cost_words=formatting.cost_words,
        customers_words=formatting.customers_words,
        channels_note=formatting.channels_note,
        period_words=formatting.period_words,
        rating_labels=formatting.RATING_LABELS,
        field_labels=formatting.FIELD_LABELS,
        percent_of=percent_of,
        average_at=percent_of(average_at),
    )


def context(report: ImpactReport, **extra: Any) -> dict[str, Any]:
    """Return what ``reporting/_body.html`` needs to show ``report``."""
    return {
        "report": report,
        "charts": charts.all_charts(report),
        "f": helpers(),
        "can_override": False,
        "show_warnings": True,
        **extra,
    }


def standalone_html(report: ImpactReport) -> str:
    """Render the report as one self-contained HTML document (styles and charts inline)."""
    return render_template("reporting/standalone.html", **context(report))
