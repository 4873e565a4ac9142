"""Search the message lists by phone number (in any form a person types it) or email address."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, false, or_


def _like(text: str) -> str:
    """Return a LIKE pattern that matches ``text`` anywhere, with its wildcards taken literally."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"


def number_digits(query: str) -> str:
    """Return the digits a typed UK number has in E.164 ("07912 345601" → "447912345601")."""
    digits = re.sub(r"\D", "", query)
    if digits.startswith("0") and not digits.startswith("00"):
        return "44" + digits[1:]
    return digits.removeprefix("00")


def matches(query: str, *columns: Any) -> ColumnElement[bool]:
    """Return a condition: any column holds the typed text, or the number's digits when it is one."""
    query = (query or "").strip()
    if not query:
        return ~false()
    conditions = [column.ilike(_like(query), escape="\\") for column in columns]
    # A number typed with spaces or a leading 0 is matched by its digits as stored in E.164.
    if re.fullmatch(r"[\d\s()+\-.]+", query) and len(digits := number_digits(query)) >= 3:
        conditions += [column.like(_like(digits), escape="\\") for column in columns]
    return or_(*conditions)
