"""The two TSM populations on the register: low-cost rental (LCRA) and low-cost home ownership (LCHO).

Which tenures fall in each is a setting (TSM_LCRA_TENURES, TSM_LCHO_TENURES, comma-separated),
because landlords name their tenures differently; any other tenure (leaseholders, for example)
is outside the tenant perception measures.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, case, func, literal, select

from app.extensions import db
from app.models import Customer

POPULATIONS = ("LCRA", "LCHO")
DEFAULT_LCRA = "General needs,Affordable rent,Supported housing,Social rent,Housing for older people"
DEFAULT_LCHO = "Shared ownership"


def tenures() -> dict[str, list[str]]:
    """Return the register's tenures in each population, from the settings."""
    config = current_app.config
    return {
        "LCRA": [
            t.strip() for t in str(config.get("TSM_LCRA_TENURES", DEFAULT_LCRA)).split(",") if t.strip()
        ],
        "LCHO": [
            t.strip() for t in str(config.get("TSM_LCHO_TENURES", DEFAULT_LCHO)).split(",") if t.strip()
        ],
    }


def population_of(tenure: Any) -> ColumnElement[Any]:
    """Return a SQL expression naming the population of a tenure column (NULL when outside both)."""
    lists = tenures()
    lowered = func.lower(tenure)
    return case(
        (lowered.in_([t.lower() for t in lists["LCHO"]]), literal("LCHO")),
        (lowered.in_([t.lower() for t in lists["LCRA"]]), literal("LCRA")),
        else_=literal(None),
    )


def register_counts() -> dict[str, int]:
    """Return the customers on the register in each population (erased records excluded)."""
    group = population_of(Customer.tenure)
    rows = db.session.execute(select(group, func.count()).where(Customer.erased_at.is_(None)).group_by(group))
    counts = dict.fromkeys(POPULATIONS, 0)
    for name, n in rows:
        if name in counts:
            counts[name] = n
    return counts
