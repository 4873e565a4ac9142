"""Server-side SVG charts: plain markup that shows on screen and in the PDF without scripts."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup

from reporting.formatting import FIELD_LABELS, channel_name, money_words
from reporting.report import ImpactReport

WIDTH = 720
ROW = 26
LABEL_W = 230
PALETTE = ("#1f5f99", "#e07b00", "#2e7d32", "#8e24aa", "#c62828", "#00838f", "#6d4c41", "#546e7a")


def _svg(title: str, height: int, body: list[Markup]) -> Markup:
    """Wrap chart parts in an accessible SVG element; Markup.format escapes every text."""
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {} {}" width="100%" '
        'class="chart" aria-label="{}"><title>{}</title>{}</svg>'
    ).format(WIDTH, height, title, title, Markup("").join(body))


def _text(x: float, y: float, text: object, size: int = 12, anchor: str = "start") -> Markup:
    return Markup(
        '<text x="{:.1f}" y="{:.1f}" text-anchor="{}" font-family="sans-serif" font-size="{}">{}</text>'
    ).format(x, y, anchor, size, text)


def _rect(x: float, y: float, w: float, h: float, colour: str, tip: str = "") -> Markup:
    return Markup(
        '<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}"><title>{}</title></rect>'
    ).format(x, y, w, h, colour, tip)


def _label(y: int, text: str) -> Markup:
    short = text if len(text) <= 34 else text[:33] + "…"
    return _text(LABEL_W - 8, y + ROW / 2 + 4, short, anchor="end")


def customers_by_channel(report: ImpactReport) -> Markup:
    """Draw customers involved per activity as bars stacked by channel."""
    channels = sorted({c for a in report.activities for c in a.by_channel})
    colours = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(channels)}
    widest = max([sum(a.by_channel.values()) for a in report.activities] + [1])
    scale = (WIDTH - LABEL_W - 70) / widest
    parts: list[Markup] = []
    for row, activity in enumerate(report.activities):
        y = 10 + row * ROW
        parts.append(_label(y, activity.name))
        x = float(LABEL_W)
        for channel in channels:
            count = activity.by_channel.get(channel, 0)
            if count:
                w = count * scale
                tip = f"{channel_name(channel)}: {count:,}"
                parts.append(_rect(x, y + 3, w, ROW - 6, colours[channel], tip))
                x += w
        parts.append(_text(x + 6, y + ROW / 2 + 4, f"{activity.customers_involved:,}"))
    legend_y = 20 + len(report.activities) * ROW
    x = float(LABEL_W)
    for channel in channels:
        parts.append(_rect(x, legend_y, 12, 12, colours[channel]))
        parts.append(_text(x + 16, legend_y + 11, channel_name(channel)))
        x += 24 + 8 * len(channel_name(channel))
    return _svg("Customers involved by activity and channel", legend_y + 24, parts)


def cost_per_customer(report: ImpactReport) -> Markup:
    """Draw the cost per customer involved for each activity."""
    rows = [(a.name, a.cost_per_customer) for a in report.activities]
    top = max([v for _, v in rows if v is not None] + [Decimal(1)])
    scale = (WIDTH - LABEL_W - 80) / float(top)
    parts: list[Markup] = []
    for row, (name, value) in enumerate(rows):
        y = 10 + row * ROW
        parts.append(_label(y, name))
        if value is None:
            parts.append(_text(LABEL_W + 4, y + ROW / 2 + 4, "no customers"))
            continue
        w = max(float(value) * scale, 1.0)
        parts.append(_rect(LABEL_W, y + 3, w, ROW - 6, PALETTE[0], money_words(value)))
        parts.append(_text(LABEL_W + w + 6, y + ROW / 2 + 4, money_words(value)))
    return _svg("Cost per customer involved", 20 + len(rows) * ROW, parts)


def _shares(counts: Sequence[int | None], total: int) -> list[float | None]:
    return [None if c is None or not total else c / total for c in counts]


def profile_vs_base(report: ImpactReport, field: str) -> Markup:
    """Draw each value's share of participants next to its share of the whole register."""
    cells = report.profile.fields.get(field, {})
    values = list(cells)
    took_part = _shares([cells[v].participants for v in values], report.profile.participants_total)
    register = _shares([cells[v].base for v in values], report.profile.base_total)
    usable = WIDTH - LABEL_W - 70
    parts: list[Markup] = []
    for row, value in enumerate(values):
        y = 10 + row * ROW
        parts.append(_label(y, value))
        for offset, share, colour in ((3, took_part[row], PALETTE[1]), (13, register[row], PALETTE[0])):
            if share is None:
                parts.append(_text(LABEL_W + 4, y + offset + 8, "<5", size=9))
                continue
            w = max(share * usable, 1.0)
            parts.append(_rect(LABEL_W, y + offset, w, 9, colour, f"{share:.0%}"))
            parts.append(_text(LABEL_W + w + 4, y + offset + 8, f"{share:.0%}", size=9))
    legend_y = 16 + len(values) * ROW
    parts.append(_rect(LABEL_W, legend_y, 12, 12, PALETTE[1]))
    parts.append(_text(LABEL_W + 16, legend_y + 11, "participants"))
    parts.append(_rect(LABEL_W + 120, legend_y, 12, 12, PALETTE[0]))
    parts.append(_text(LABEL_W + 136, legend_y + 11, "whole register"))
    label = FIELD_LABELS.get(field, field)
    return _svg(f"{label}: participants against the whole register", legend_y + 22, parts)


def all_charts(report: ImpactReport) -> dict[str, Markup]:
    """Return every chart the report shows, keyed by name."""
    charts = {
        "customers": customers_by_channel(report),
        "cost": cost_per_customer(report),
    }
    for field in report.profile.fields:
        charts[f"profile_{field}"] = profile_vs_base(report, field)
    return charts
