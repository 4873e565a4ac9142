"""The summary of approach published with the results: figures from the records, words from staff."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from consultations.surveys.models import Consultation, Response
from consultations.tsm.models import METHODOLOGY_FIELDS, TsmReport
from consultations.tsm.results import counted_responses
from consultations.tsm.sampling import percent

CHANNEL_WORDS = {
    "sms": "text message",
    "email": "online (emailed link)",
    "web": "online (website)",
    "post": "post (paper)",
    "phone": "telephone",
    "in person": "face to face",
}


def report_for(consultation: Consultation) -> TsmReport:
    """Return the consultation's TSM record, starting one when there is none (flush only)."""
    report = db.session.scalar(select(TsmReport).where(TsmReport.consultation_id == consultation.id))
    if report is None:
        report = TsmReport(consultation_id=consultation.id, methodology={}, weighted=False)
        db.session.add(report)
        db.session.flush()
    return report


def _collected(consultation: Consultation, start: date, end: date) -> tuple[dict[str, int], Any, Any]:
    counted = counted_responses(consultation, start, end)
    rows = db.session.execute(
        select(
            Response.channel, func.count(), func.min(Response.completed_at), func.max(Response.completed_at)
        )
        .join(counted, counted.c.response_id == Response.id)
        .group_by(Response.channel)
    ).all()
    by_channel = {channel: n for channel, n, _, _ in rows}
    first = min((r[2] for r in rows), default=None)
    last = max((r[3] for r in rows), default=None)
    return by_channel, first, last


def summary(consultation: Consultation, report: TsmReport, results: dict[str, Any]) -> list[dict[str, str]]:
    """Return the methodology as labelled lines: achieved sample, timing, methods, then the staff's words."""
    start, end = date.fromisoformat(results["period"]["from"]), date.fromisoformat(results["period"]["to"])
    by_channel, first, last = _collected(consultation, start, end)
    total = sum(by_channel.values())
    margins = "; ".join(
        f"{name}: {p['responses']:,} responses from {p['population']:,} homes, {percent(p['achieved_margin'])} "
        f"(required {percent(p['required_margin'])}, at least {p['minimum_responses']:,} responses)"
        for name, p in results["populations"].items()
        if p["population"]
    )
    methods = ", ".join(
        f"{CHANNEL_WORDS.get(c, c)} {n:,} ({n * 100 / total:.0f}%)" for c, n in sorted(by_channel.items())
    )
    when = ""
    if first and last:
        when = f"Responses from {first:%d %B %Y} to {last:%d %B %Y}."
    words = dict(report.methodology or {})
    lines = [
        {
            "key": "sample_size",
            "label": "Achieved sample size",
            "text": f"{total:,} responses. {margins}".strip(),
        },
        {
            "key": "timing",
            "label": "Timing of the survey",
            "text": " ".join(x for x in (when, words.get("timing", "")) if x),
        },
        {
            "key": "collection_methods",
            "label": "Collection methods",
            "text": " ".join(
                x for x in (methods + "." if methods else "", words.get("collection_methods", "")) if x
            ),
        },
    ]
    lines.append(
        {
            "key": "weighting",
            "label": "Weighting",
            "text": " ".join(
                x for x in (results["weighting"]["explanation"], words.get("weighting", "")) if x
            ),
        }
    )
    for key, label in METHODOLOGY_FIELDS:
        if key not in ("timing", "collection_methods", "weighting"):
            lines.append({"key": key, "label": label, "text": words.get(key, "") or "Not stated."})
    return lines


def save(report: TsmReport, form: dict[str, str]) -> None:
    """Store the staff's words for each methodology item (flush only)."""
    report.methodology = {key: (form.get(key) or "").strip()[:4000] for key, _ in METHODOLOGY_FIELDS}
    db.session.flush()
