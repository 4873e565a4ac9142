"""Changing the landlord's lists: add, rename, reorder, synonyms, and retiring a value into another."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Area, Customer, VocabularySynonym, VocabularyValue
from app.models.audit import record
from app.vocabulary.defaults import DEFAULTS, FIELDS, LABELS, VALUE_LIMITS
from app.vocabulary.lists import key

AREA_LIMIT = 120
SYNONYM_LIMIT = 120


class VocabularyError(ValueError):
    """A change to a list that cannot be made; ``field`` names the form field it belongs beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Entry:
    """A listed value as stored: its row (a VocabularyValue or an Area) and its text."""

    row: Any
    text: str


def _check_list(name: str) -> None:
    if name not in FIELDS:
        raise VocabularyError("field", "There is no such list.")


def materialise(name: str) -> None:
    """Write the shipped defaults of a list that has never been edited, so it can be changed."""
    if name == "area" or db.session.scalar(
        select(func.count()).select_from(VocabularyValue).where(VocabularyValue.field == name)
    ):
        return
    for position, (value, synonyms) in enumerate(DEFAULTS[name]):
        row = VocabularyValue(field=name, value=value, position=position)
        row.synonyms = [VocabularySynonym(field=name, key=key(s), text=s) for s in synonyms]
        db.session.add(row)
    db.session.flush()


def _entries(name: str) -> list[Entry]:
    if name == "area":
        # Sorted as the lists read them, whatever the database's collation.
        areas = sorted(db.session.scalars(select(Area)), key=lambda a: (a.position, a.name.casefold()))
        return [Entry(a, a.name) for a in areas]
    rows = db.session.scalars(
        select(VocabularyValue)
        .where(VocabularyValue.field == name)
        .order_by(VocabularyValue.position, VocabularyValue.id)
    )
    return [Entry(r, r.value) for r in rows]


def _find(name: str, value: str, form_field: str = "value") -> Entry:
    for entry in _entries(name):
        if entry.text == value:
            return entry
    raise VocabularyError(form_field, f"{value!r} is not on the {LABELS[name].lower()} list.")


def _clean(name: str, text: str, form_field: str, limit: int) -> str:
    cleaned = " ".join((text or "").split())
    if not cleaned:
        raise VocabularyError(form_field, "Enter a value.")
    if not cleaned.isprintable():
        # A control character (a NUL most of all) cannot be stored and would never match a file's cell.
        raise VocabularyError(form_field, "Use letters, numbers, spaces and punctuation only.")
    if len(cleaned) > limit:
        raise VocabularyError(form_field, f"Use at most {limit} characters (this has {len(cleaned)}).")
    return cleaned


def _clash(name: str, text: str, form_field: str, *, besides: Entry | None = None) -> None:
    """Refuse a spelling that already means something on this list."""
    folded = key(text)
    for entry in _entries(name):
        if (besides is None or entry.row is not besides.row) and key(entry.text) == folded:
            raise VocabularyError(form_field, f"{entry.text!r} is already on the list.")
    taken = db.session.scalar(
        select(VocabularySynonym).where(VocabularySynonym.field == name, VocabularySynonym.key == folded)
    )
    if taken is not None:
        owner = _owner_text(taken)
        if besides is None or owner != besides.text:
            raise VocabularyError(form_field, f"{text!r} is already a synonym of {owner!r}.")


def _owner_text(synonym: VocabularySynonym) -> str:
    if synonym.area_id is not None:
        return db.session.get(Area, synonym.area_id).name  # type: ignore[union-attr]
    return synonym.listed.value if synonym.listed else ""


def _audit(action: str, name: str, actor: Any, now: datetime, **detail: Any) -> None:
    record(
        f"vocabulary.{action}",
        actor=actor,
        target_type="vocabulary",
        target_id=name,
        detail={"list": name, **detail},
        now=now,
    )


def add_value(name: str, text: str, *, actor: Any, now: datetime) -> str:
    """Add a value at the end of a list; the caller commits."""
    _check_list(name)
    materialise(name)
    value = _clean(name, text, "value", AREA_LIMIT if name == "area" else VALUE_LIMITS[name])
    _clash(name, value, "value")
    position = len(_entries(name))
    if name == "area":
        db.session.add(Area(name=value, homes=0, position=position))
    else:
        db.session.add(VocabularyValue(field=name, value=value, position=position))
    db.session.flush()
    _audit("add", name, actor, now, value=value)
    return value


def _column(name: str) -> Any:
    return getattr(Customer, name)


def in_use(name: str) -> dict[str, int]:
    """Count customers (erased ones aside) holding each value of a list, by folded spelling."""
    if name == "area":
        rows = db.session.execute(
            select(Area.name, func.count(Customer.id))
            .join(Customer, Customer.area_id == Area.id)
            .where(Customer.erased_at.is_(None))
            .group_by(Area.name)
        )
    else:
        column = _column(name)
        rows = db.session.execute(
            select(column, func.count())
            .where(column.is_not(None), Customer.erased_at.is_(None))
            .group_by(column)
        )
    counts: dict[str, int] = {}
    for value, n in rows:
        counts[key(value)] = counts.get(key(value), 0) + int(n)
    return counts


def _move_customers(name: str, old: Entry, new_text: str, now: datetime, target: Entry | None = None) -> int:
    """Give every customer holding ``old`` the new value; return how many changed."""
    if name == "area":
        into = target.row.id if target else old.row.id
        result = db.session.execute(
            update(Customer).where(Customer.area_id == old.row.id).values(area_id=into, updated_at=now)
        )
    else:
        column = _column(name)
        result = db.session.execute(
            update(Customer)
            .where(func.lower(column) == old.text.lower(), column != new_text)
            .values({name: new_text, "updated_at": now}),
            execution_options={"synchronize_session": False},
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _keep_spelling(name: str, spelling: str, entry: Entry) -> None:
    """Keep an old spelling as a synonym, so files and audiences that use it still mean the value."""
    folded = key(spelling)
    if folded == key(entry.text):
        return
    existing = db.session.scalar(
        select(VocabularySynonym).where(VocabularySynonym.field == name, VocabularySynonym.key == folded)
    )
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    db.session.add(_synonym(name, spelling, entry))
    db.session.flush()


def _synonym(name: str, text: str, entry: Entry) -> VocabularySynonym:
    target = {"area_id": entry.row.id} if name == "area" else {"value_id": entry.row.id}
    return VocabularySynonym(field=name, key=key(text), text=text, **target)


def rename_value(name: str, value: str, text: str, *, actor: Any, now: datetime) -> int:
    """Rename a value everywhere it is used, keeping the old name as a synonym; return customers changed."""
    _check_list(name)
    materialise(name)
    entry = _find(name, value)
    new = _clean(name, text, "rename", AREA_LIMIT if name == "area" else VALUE_LIMITS[name])
    if new == entry.text:
        return 0
    _clash(name, new, "rename", besides=entry)
    if name == "area":
        entry.row.name = new
        changed = 0
    else:
        entry.row.value = new
        db.session.flush()
        changed = _move_customers(name, entry, new, now)
    db.session.flush()
    _keep_spelling(name, value, Entry(entry.row, new))
    _audit("rename", name, actor, now, value=value, to=new, customers=changed)
    return changed


def move_value(name: str, value: str, step: int, *, actor: Any, now: datetime) -> None:
    """Move a value one place up (step -1) or down (+1) the list."""
    _check_list(name)
    materialise(name)
    entries = _entries(name)
    index = next((n for n, e in enumerate(entries) if e.text == value), None)
    if index is None:
        raise VocabularyError("value", f"{value!r} is not on the {LABELS[name].lower()} list.")
    other = index + step
    if 0 <= other < len(entries):
        entries[index], entries[other] = entries[other], entries[index]
    for position, entry in enumerate(entries):
        entry.row.position = position
    db.session.flush()
    position = next(n for n, e in enumerate(entries, start=1) if e.text == value)
    _audit("move", name, actor, now, value=value, position=position)


def add_synonym(name: str, value: str, text: str, *, actor: Any, now: datetime) -> str:
    """Let another spelling mean ``value`` on import and in audiences; the caller commits."""
    _check_list(name)
    materialise(name)
    entry = _find(name, value)
    spelling = _clean(name, text, "synonym", SYNONYM_LIMIT)
    _clash(name, spelling, "synonym")
    db.session.add(_synonym(name, spelling, entry))
    db.session.flush()
    _audit("synonym.add", name, actor, now, value=value, synonym=spelling)
    return spelling


def remove_synonym(name: str, synonym_id: int, *, actor: Any, now: datetime) -> str:
    """Stop a spelling meaning its value."""
    _check_list(name)
    synonym = db.session.get(VocabularySynonym, synonym_id)
    if synonym is None or synonym.field != name:
        raise VocabularyError("synonym", "That synonym is no longer on the list.")
    owner = _owner_text(synonym)
    db.session.delete(synonym)
    db.session.flush()
    _audit("synonym.remove", name, actor, now, value=owner, synonym=synonym.text)
    return synonym.text


def retire_value(name: str, value: str, into: str | None, *, actor: Any, now: datetime) -> int:
    """Take a value off the list; customers holding it get ``into``, which is required when any do."""
    _check_list(name)
    materialise(name)
    entry = _find(name, value)
    entries = _entries(name)
    if len(entries) == 1 and name != "area":
        raise VocabularyError(
            "into", "A list needs at least one value: add another before retiring this one."
        )
    users = in_use(name).get(key(entry.text), 0)
    target = None
    if into:
        if into == value:
            raise VocabularyError("into", "Choose a different value to move its customers to.")
        target = _find(name, into, "into")
    elif users:
        raise VocabularyError(
            "into", f"{users:,} customer(s) have {value!r}: choose the value they should have instead."
        )
    moved = 0
    if target is not None:
        moved = _move_customers(name, entry, target.text, now, target)
        owner = VocabularySynonym.area_id if name == "area" else VocabularySynonym.value_id
        db.session.execute(
            update(VocabularySynonym)
            .where(VocabularySynonym.field == name, owner == entry.row.id)
            .values({owner.key: target.row.id}),
            execution_options={"synchronize_session": False},
        )
    db.session.flush()
    db.session.expire(entry.row)  # its synonyms now belong to the target; do not cascade them away
    db.session.delete(entry.row)
    db.session.flush()
    if target is not None:
        _keep_spelling(name, value, target)
    for position, remaining in enumerate(_entries(name)):
        remaining.row.position = position
    db.session.flush()
    _audit("retire", name, actor, now, value=value, into=into, customers=moved)
    return moved
