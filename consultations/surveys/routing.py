"""Routing: a question with ``ask_if`` is asked only when an earlier answer is one of the listed values.

The SMS engine, the web form, staff entry, the figures, exports and imports all decide "asked or
not" here, so a routed-past question reads "not asked" everywhere and never "unanswered".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, Protocol


class Routed(Protocol):
    key: str
    ask_if: dict[str, Any] | None


def asked(question: Routed, answers: Mapping[str, str | None]) -> bool:
    """Return True when ``question`` is asked given the answers so far (by key; None = none given)."""
    rule = getattr(question, "ask_if", None)
    if not rule:
        return True
    given = answers.get(rule["key"])
    if given is None:
        return False
    return given.casefold() in {str(v).casefold() for v in rule["in"]}


def next_asked(
    questions: Sequence[Routed], start: int, answers: Mapping[str, str | None], skip: Collection[str] = ()
) -> int:
    """Return the position of the first question from ``start`` that is asked (len when none is)."""
    for position in range(start, len(questions)):
        if questions[position].key not in skip and asked(questions[position], answers):
            return position
    return len(questions)


def asked_keys(questions: Sequence[Routed], answers: Mapping[str, str | None]) -> set[str]:
    """Return the keys of the questions asked, given a whole response's answers."""
    return {q.key for q in questions if asked(q, answers)}


def describe(rule: dict[str, Any] | None, questions: Sequence[Any]) -> str:
    """Say in words when a question is asked, for the builder and the form without scripts."""
    if not rule:
        return ""
    number = next((i for i, q in enumerate(questions, start=1) if q.key == rule["key"]), None)
    values = " or ".join(f"“{v}”" for v in rule["in"])
    where = f"question {number}" if number else rule["key"]
    return f"Only if you answered {values} to {where}."
