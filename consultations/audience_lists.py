"""Audiences checked against the landlord's lists: unknown areas, unlisted values, the values staff may tick."""

from __future__ import annotations

from app.vocabulary.lists import load, load_all
from consultations.audiences import PROFILE_FILTERS, AudienceSpec
from consultations.field_errors import FieldError


def unknown_areas(spec: AudienceSpec) -> list[str]:
    """Return the spec's area names that match no area (nor an area's synonym) on the register."""
    if not spec.areas:
        return []
    areas = load("area")
    return [a for a in spec.areas if areas.canonical(a) is None]


# Audience key -> the customer column whose list it filters by.
LISTED_FILTERS = {"tenures": "tenure", **{key: column for key, (column, _) in PROFILE_FILTERS.items()}}


def unlisted_values(spec: AudienceSpec) -> dict[str, list[str]]:
    """Return, per audience key, the values that are on none of the landlord's lists."""
    if not any(getattr(spec, key) for key in LISTED_FILTERS):
        return {}
    lists = load_all()
    found = {
        key: [v for v in getattr(spec, key) if lists[column].canonical(v) is None]
        for key, column in LISTED_FILTERS.items()
    }
    return {key: values for key, values in found.items() if values}


def unlisted_errors(spec: AudienceSpec) -> list[str]:
    """Return a plain-English problem, tagged with its audience field, per filter holding unlisted values."""
    unlisted = unlisted_values(spec)
    if not unlisted:
        return []
    choices = listed_choices()
    labels = {"tenures": "tenures", **{key: label for key, (_, label) in PROFILE_FILTERS.items()}}
    return [
        FieldError(
            key,
            f"{', '.join(repr(v) for v in values)} {'is' if len(values) == 1 else 'are'} not on the landlord's "
            f"list of {labels[key]}; use one of: {', '.join(choices[key])}.",
        )
        for key, values in unlisted.items()
    ]


def listed_choices() -> dict[str, tuple[str, ...]]:
    """Return the values staff may tick for each profile filter, in the landlord's order."""
    lists = load_all()
    return {key: lists[column].values for key, column in LISTED_FILTERS.items()}
