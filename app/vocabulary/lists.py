"""Reading the landlord's lists: values in display order, and the synonyms that map onto them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.models import Area, VocabularySynonym, VocabularyValue
from app.vocabulary.defaults import DEFAULTS, FIELDS, LABELS, LIST_FIELDS

_DASHES = re.compile(r"\s*[-\u2010-\u2015]\s*")


def key(raw: str) -> str:
    """Fold case, dashes and spacing, so "Asian  or asian british" and "16 – 24" match their listed forms."""
    return " ".join(_DASHES.sub("-", raw).casefold().split())


@dataclass(frozen=True)
class Vocabulary:
    """One field's list: values in the landlord's order, and every spelling that maps to one of them."""

    field: str
    values: tuple[str, ...]
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    # False while the field still uses the shipped defaults, never written to the database.
    stored: bool = True

    @property
    def label(self) -> str:
        """Return the field's name as staff read it."""
        return LABELS[self.field]

    @property
    def lookup(self) -> dict[str, str]:
        """Return the listed value for each folded spelling (values first, then synonyms)."""
        found = {key(v): v for v in self.values}
        for value, spellings in self.synonyms.items():
            for spelling in spellings:
                found.setdefault(key(spelling), value)
        return found

    def canonical(self, raw: str) -> str | None:
        """Return the listed value ``raw`` means, or None when it is not on the list."""
        return self.lookup.get(key(raw))

    def allowed(self) -> str:
        """Return the listed values as one phrase, in order."""
        return ", ".join(self.values)

    def rank(self, value: str | None) -> tuple[int, int, str]:
        """Sort key: listed values in the landlord's order, then others by name, then blanks."""
        if value is None:
            return (2, 0, "")
        position = {key(v): n for n, v in enumerate(self.values)}.get(key(value))
        return (0, position, "") if position is not None else (1, 0, value.casefold())


def _defaults(name: str) -> Vocabulary:
    pairs = DEFAULTS[name]
    return Vocabulary(name, tuple(v for v, _ in pairs), {v: s for v, s in pairs if s}, stored=False)


def load_all() -> dict[str, Vocabulary]:
    """Read every list in three statements; a list never edited gives the shipped defaults."""
    values: dict[str, list[VocabularyValue]] = {name: [] for name in LIST_FIELDS}
    for row in db.session.scalars(
        select(VocabularyValue).order_by(VocabularyValue.position, VocabularyValue.id)
    ):
        values.setdefault(row.field, []).append(row)
    spellings: dict[tuple[str, int], list[str]] = {}
    for name, value_id, area_id, text in db.session.execute(
        select(
            VocabularySynonym.field,
            VocabularySynonym.value_id,
            VocabularySynonym.area_id,
            VocabularySynonym.text,
        ).order_by(VocabularySynonym.id)
    ):
        spellings.setdefault((name, value_id or area_id), []).append(text)
    lists: dict[str, Vocabulary] = {}
    for name in LIST_FIELDS:
        rows = values[name]
        if not rows:
            lists[name] = _defaults(name)
            continue
        lists[name] = Vocabulary(
            name,
            tuple(r.value for r in rows),
            {r.value: tuple(spellings[(name, r.id)]) for r in rows if (name, r.id) in spellings},
            {r.value: r.id for r in rows},
        )
    areas = db.session.execute(select(Area.id, Area.name).order_by(Area.position, Area.name)).all()
    lists["area"] = Vocabulary(
        "area",
        tuple(n for _, n in areas),
        {n: tuple(spellings[("area", i)]) for i, n in areas if ("area", i) in spellings},
        {n: i for i, n in areas},
    )
    return {name: lists[name] for name in FIELDS}


def load(name: str) -> Vocabulary:
    """Read one field's list."""
    return load_all()[name]
