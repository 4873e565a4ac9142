"""Plain-English problems that know the form field they belong beside, and slugs made from titles."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from app.periods import LONDON


class FieldError(str):
    """A problem in words people use, tagged with the form field it belongs beside."""

    field: str

    def __new__(cls, field: str, message: str) -> FieldError:
        made = super().__new__(cls, message)
        made.field = field
        return made


class DefinitionError(ValueError):
    """A survey or event definition cannot be used; ``errors`` lists each problem, naming its field."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def field_of(error: str) -> str:
    """Return the form field an error belongs to ('' when it belongs to none)."""
    return getattr(error, "field", "")


# Every character a mail header or a line-based format would read as the end of a line.
LINE_BREAK = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")


def check_one_line(value: str, field: str, what: str, errors: list[str]) -> None:
    """Add an error when a single-line value (a title or name that can reach a header) has a line break."""
    if LINE_BREAK.search(value):
        errors.append(FieldError(field, f"The {what} must be on one line."))


def slug_from(title: str) -> str:
    """Make a web address from a title: 'Derwent Life: readers 2011' → 'derwent-life-readers-2011'."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:80].rstrip("-")


def read_local_time(value: Any, field: str, label: str, example: str, errors: list[str]) -> datetime | None:
    """Read an ISO date-time for a survey or event field; a naive one is UK local time. Returns UTC."""
    if value in (None, ""):
        return None
    hint = f"Enter {label} as a date and time, like {example}"
    if not isinstance(value, str):
        errors.append(FieldError(field, hint))
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        errors.append(FieldError(field, f"{hint} (not {value!r})"))
        return None
    # A time typed without an offset is what the clock on the wall in the UK said (BST or GMT).
    return (when.replace(tzinfo=LONDON) if when.tzinfo is None else when).astimezone(UTC)
