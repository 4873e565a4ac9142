"""The builder's audience form: the checkbox groups it offers and the references uploaded with it."""

from __future__ import annotations

import csv
import io

from werkzeug.datastructures import FileStorage

from app.vocabulary.lists import load
from consultations.audience_lists import listed_choices
from consultations.sampling import STRATA

# The form's checkbox groups: (field name, legend), in the order staff see them.
GROUPS = (
    ("areas", "Areas"),
    ("tenures", "Tenures"),
    ("age_bands", "Age bands"),
    ("genders", "Genders"),
    ("ethnicities", "Ethnicities"),
    ("disabilities", "Disability"),
    ("languages", "Preferred languages"),
)


def uploaded_refs(upload: FileStorage | None) -> list[str]:
    """Read customer references from the first column of an uploaded CSV (a header row is dropped)."""
    if not upload or not upload.filename:
        return []
    text = upload.read().decode("utf-8-sig", errors="replace")
    rows = [row for row in csv.reader(io.StringIO(text)) if row and row[0].strip()]
    if rows and rows[0][0].strip().lower() in ("ref", "customer_ref", "reference"):
        rows = rows[1:]
    return [row[0].strip() for row in rows]


def choices() -> dict[str, list[str]]:
    """Return the values staff may tick for each filter, in the landlord's order, so they tick rather than type."""
    found: dict[str, list[str]] = {"areas": list(load("area").values)}
    found.update({key: list(values) for key, values in listed_choices().items()})
    return found


def stratify_choices() -> tuple[str, ...]:
    """Return what a sample may be stratified by."""
    return STRATA
