"""Reading the landlord's lists: values in display order, and the synonyms that map onto them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Integer, func, literal, select, union_all

from app.extensions import db
from app.models import Area, VocabularySynonym, VocabularyValue
from app.vocabulary.defaults import DEFAULTS, FIELDS, LABELS

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
    """Read every list in one statement; a list never edited gives the shipped defaults."""
    value_id = func.coalesce(VocabularySynonym.value_id, VocabularySynonym.area_id)
    rows = db.session.execute(
        union_all(
            select(
                literal("value"),
                VocabularyValue.field,
                VocabularyValue.id,
                VocabularyValue.value,
                VocabularyValue.position,
                literal(None, Integer),
            ),
            select(
                literal("synonym"),
                VocabularySynonym.field,
                VocabularySynonym.id,
                VocabularySynonym.text,
                literal(0),
                value_id,
            ),
            select(
                literal("area"), literal("area"), Area.id, Area.name, Area.position, literal(None, Integer)
            ),
        )
    ).all()
    listed: dict[str, list[tuple[int, str, int, str]]] = {name: [] for name in FIELDS}
    spellings: dict[tuple[str, int], list[tuple[int, str]]] = {}
    for kind, name, row_id, text, position, owner in rows:
        if kind == "synonym":
            spellings.setdefault((name, owner), []).append((row_id, text))
        else:
            # Areas tie on position by name; listed values by when they were added.
            tie = text.casefold() if kind == "area" else f"{row_id:012d}"
            listed.setdefault(name, []).append((position, tie, row_id, text))
    lists: dict[str, Vocabulary] = {}
    for name in FIELDS:
        entries = sorted(listed[name])
        if not entries and name != "area":
            lists[name] = _defaults(name)
            continue
        ids = {text: row_id for _, _, row_id, text in entries}
        lists[name] = Vocabulary(
            name,
            tuple(ids),
            {
                text: tuple(t for _, t in sorted(spellings[(name, i)]))
                for text, i in ids.items()
                if (name, i) in spellings
            },
            ids,
        )
    return lists


def load(name: str) -> Vocabulary:
    """Read one field's list."""
    return load_all()[name]
