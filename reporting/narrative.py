"""The report's words that managers own: its sections per period and a qualifier per activity."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models.audit import record
from reporting.formatting import period_words
from reporting.models import ReportNarrative

SECTIONS = (
    ("introduction", "Introduction"),
    ("why_it_matters", "Why is an impact report important?"),
    ("value_for_money", "Value for money"),
    ("priorities", "Priorities for the rest of the year"),
    ("closing", "Closing words"),
)
SECTION_KEYS = tuple(key for key, _ in SECTIONS)
MAX_SECTION = 5000
MAX_QUALIFIER = 80

DEFAULTS = {
    "introduction": (
        "{landlord} is committed to customer involvement in order to improve the quality of life for all "
        "our residents and the community as a whole. This report assesses the effectiveness of our customer "
        "involvement activities from {period}, and how well they met their intended aims."
    ),
    "why_it_matters": (
        "An impact report measures and reviews the differences to services that have been made as a result "
        "of customer involvement. It shows residents, the board and the regulator what involvement has "
        "changed, what it cost, and where we need to do better."
    ),
    "value_for_money": (
        "Value for money means getting the best results possible from the resources available, whether money "
        "or time. Each activity shows its total cost, the cost per customer involved and the cost per property "
        "affected, next to the customer and staff hours it took."
    ),
    "priorities": (
        "For the rest of the year we will keep widening the ways residents can take part, and follow up every "
        "action listed in this report."
    ),
    "closing": (
        "Thank you to every resident who gave their time. If you would like to get involved, please contact "
        "{landlord}'s resident involvement team."
    ),
}


class NarrativeError(ValueError):
    """Words that cannot be saved; the message says why."""


def defaults(landlord: str, date_from: date, date_to: date) -> dict[str, str]:
    """Return the sections as written before a manager changes them."""
    period = period_words(date_from, date_to)
    return {key: text.format(landlord=landlord, period=period) for key, text in DEFAULTS.items()}


def stored(date_from: date, date_to: date) -> ReportNarrative | None:
    """Return the saved words for exactly this period, if any."""
    return db.session.scalar(
        select(ReportNarrative).where(
            ReportNarrative.period_from == date_from, ReportNarrative.period_to == date_to
        )
    )


def words(date_from: date, date_to: date, landlord: str) -> tuple[dict[str, str], dict[int, str]]:
    """Return the sections (saved, else the defaults) and the qualifiers by activity id."""
    saved = stored(date_from, date_to)
    sections = defaults(landlord, date_from, date_to)
    qualifiers: dict[int, str] = {}
    if saved is not None:
        sections.update({k: v for k, v in (saved.sections or {}).items() if k in SECTION_KEYS and v.strip()})
        qualifiers = {int(k): v for k, v in (saved.qualifiers or {}).items() if v.strip()}
    return sections, qualifiers


def save(
    date_from: date,
    date_to: date,
    *,
    sections: dict[str, str],
    qualifiers: dict[int, str],
    actor: Any,
    now: datetime,
) -> ReportNarrative:
    """Save a period's sections and qualifiers (blank = the default / none); flushes and audits."""
    cleaned = {k: (sections.get(k) or "").replace("\r\n", "\n").strip() for k in SECTION_KEYS}
    for key, label in SECTIONS:
        if len(cleaned[key]) > MAX_SECTION:
            raise NarrativeError(f"“{label}” must be at most {MAX_SECTION:,} characters.")
    quals = {str(k): " ".join((v or "").split()) for k, v in qualifiers.items()}
    for text in quals.values():
        if len(text) > MAX_QUALIFIER:
            raise NarrativeError(f"A qualifier must be at most {MAX_QUALIFIER} characters: {text[:30]}…")
    row = stored(date_from, date_to) or ReportNarrative(period_from=date_from, period_to=date_to)
    row.sections = cleaned
    row.qualifiers = {k: v for k, v in quals.items() if v}
    row.author_id = getattr(actor, "id", None)
    row.author_email = getattr(actor, "email", "") or ""
    row.updated_at = now
    db.session.add(row)
    db.session.flush()
    record(
        "report.narrative",
        actor=actor,
        target_type="report_narrative",
        target_id=row.id,
        detail={"from": date_from.isoformat(), "to": date_to.isoformat(), "qualifiers": len(row.qualifiers)},
        now=now,
    )
    return row
