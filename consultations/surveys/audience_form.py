"""The builder's audience form: read it into an audience spec, and list the choices it offers."""

from __future__ import annotations

import csv
import io
from typing import Any

from werkzeug.datastructures import FileStorage, MultiDict

from app.vocabulary.lists import load
from consultations.audience_lists import listed_choices
from consultations.audiences import AudienceSpec
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


def spec_from_form(form: MultiDict[str, str], upload: FileStorage | None) -> AudienceSpec:
    """Build the audience from the posted form; raise AudienceError naming a bad field."""
    pasted = form.get("customer_refs", "")
    refs = [r for r in pasted.replace(",", "\n").splitlines() if r.strip()] + uploaded_refs(upload)
    data: dict[str, Any] = {key: form.getlist(key) for key, _ in GROUPS}
    data.update(
        consented_only=form.get("consented_only") == "on",
        involvement_register=form.get("involvement_register") == "on",
        customer_refs=refs,
        not_contacted_days=form.get("not_contacted_days", "").strip() or None,
    )
    size = form.get("sample_size", "").strip()
    if size:
        data["sample"] = {
            "size": size,
            "seed": form.get("sample_seed", "").strip() or None,
            "stratify": form.get("sample_stratify") or None,
        }
    return AudienceSpec.from_json(data)


def choices() -> dict[str, list[str]]:
    """Return the values staff may tick for each filter, in the landlord's order, so they tick rather than type."""
    found: dict[str, list[str]] = {"areas": list(load("area").values)}
    found.update({key: list(values) for key, values in listed_choices().items()})
    return found


def stratify_choices() -> tuple[str, ...]:
    """Return what a sample may be stratified by."""
    return STRATA
