"""One question of a definition: check it (type, options, range, routing) and write it back out."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from consultations.field_errors import FieldError
from consultations.surveys.models import Question
from consultations.surveys.qtypes import NOT_COUNTED, QUESTION_TYPES, TYPES, LabelledScale

KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,59}$")
TYPE_ALIASES = {
    "yes/no": "yesno",
    "yes_no": "yesno",
    "yes-no": "yesno",
    "boolean": "yesno",
    "free text": "text",
}
QUESTION_FIELDS = {"key", "text", "type", "options", "min", "max", "required", "ask_if", "not_counted"}


def _whole(value: Any, name: str, errors: list[str], *, minimum: int, field: str = "min") -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        errors.append(FieldError(field, f"{name}: enter a number."))
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors.append(FieldError(field, f"{name}: enter a number, not {value!r}."))
        return None
    if not number.is_finite() or number < minimum or number != number.to_integral_value():
        errors.append(FieldError(field, f"{name}: enter a whole number of at least {minimum}."))
        return None
    return int(number)


def _options(raw: dict[str, Any], kind: str, where: str, errors: list[str]) -> list[str]:
    options = raw.get("options", [])
    if kind != "choice":
        if options:
            errors.append(FieldError("options", f"{where}: options are only for choice questions."))
        return []
    if not isinstance(options, list) or not all(isinstance(o, str) and o.strip() for o in options):
        errors.append(FieldError("options", f"{where}: list the options people choose from, one per line."))
        options = []
    options = [o.strip() for o in options]
    if len(options) < 2 or len(options) > 26:
        errors.append(FieldError("options", f"{where}: give between 2 and 26 options to choose from."))
    if len({o.lower() for o in options}) != len(options):
        errors.append(FieldError("options", f"{where}: the same option is listed twice."))
    return options


def _not_counted(raw: dict[str, Any], kind: str, where: str, errors: list[str]) -> list[str]:
    extras = raw.get("not_counted", [])
    if not extras:
        return []
    if not isinstance(TYPES.get(kind), LabelledScale):
        errors.append(
            FieldError(
                "not_counted",
                f"{where}: answers left out of the figures are only for satisfaction and agreement questions.",
            )
        )
        return []
    allowed = {o.casefold(): o for o in NOT_COUNTED}
    if not isinstance(extras, list) or any(
        not isinstance(e, str) or e.casefold() not in allowed for e in extras
    ):
        errors.append(
            FieldError(
                "not_counted",
                f"{where}: the answers left out of the figures may only be: {', '.join(NOT_COUNTED)}.",
            )
        )
        return []
    return list(dict.fromkeys(allowed[e.casefold()] for e in extras))


def _range(raw: dict[str, Any], kind: str, where: str, errors: list[str]) -> tuple[int | None, int | None]:
    low, high = raw.get("min"), raw.get("max")
    if kind == "scale":
        low = 1 if low is None else _whole(low, f"{where}, lowest value", errors, minimum=-1000)
        high = (
            5 if high is None else _whole(high, f"{where}, highest value", errors, minimum=-1000, field="max")
        )
        if low is not None and high is not None and not (low < high <= low + 100):
            errors.append(
                FieldError(
                    "max", f"{where}: the highest value must be above the lowest, at most 100 steps up."
                )
            )
    elif kind == "number":
        low = None if low is None else _whole(low, f"{where}, lowest value", errors, minimum=-(10**9))
        high = (
            None
            if high is None
            else _whole(high, f"{where}, highest value", errors, minimum=-(10**9), field="max")
        )
        if low is not None and high is not None and low >= high:
            errors.append(FieldError("max", f"{where}: the highest value must be above the lowest."))
    elif low is not None or high is not None:
        errors.append(
            FieldError("min", f"{where}: lowest and highest values are only for scale and number questions.")
        )
        low = high = None
    return low, high


def check_question(raw: Any, index: int, errors: list[str]) -> dict[str, Any]:
    """Check one question object; note each problem in ``errors``, naming its field."""
    where = f"Question {index + 1}"
    if not isinstance(raw, dict):
        errors.append(FieldError("questions", f"{where} must be an object with its text and type."))
        return {}
    unknown = sorted(set(raw) - QUESTION_FIELDS)
    if unknown:
        errors.append(FieldError("questions", f"{where} has settings we do not know: {', '.join(unknown)}."))
    key = str(raw.get("key") or f"q{index + 1}").strip()
    if not KEY.match(key):
        errors.append(
            FieldError("key", f"{where}: the short name may use only letters, digits, - and _ (not {key!r}).")
        )
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        errors.append(FieldError("text", f"{where}: write the question."))
        text = ""
    kind = str(raw.get("type", "")).strip().lower()
    kind = TYPE_ALIASES.get(kind, kind)
    if kind not in QUESTION_TYPES:
        errors.append(
            FieldError(
                "type",
                f"{where}: choose the kind of answer: {', '.join(QUESTION_TYPES)} (not {raw.get('type')!r}).",
            )
        )
    required = raw.get("required", True)
    if not isinstance(required, bool):
        errors.append(FieldError("required", f"{where}: say whether an answer is required: true or false."))
        required = True
    question: dict[str, Any] = {"key": key, "text": text.strip(), "type": kind, "required": required}
    question["options"] = _options(raw, kind, where, errors) or _not_counted(raw, kind, where, errors)
    question["min"], question["max"] = _range(raw, kind, where, errors)
    question["ask_if"] = raw.get("ask_if")
    return question


def check_routing(questions: list[dict[str, Any]], errors: list[str]) -> None:
    """Check each ``ask_if`` names an earlier question and answers it can have; normalise the answers."""
    earlier: dict[str, Question] = {}
    for index, data in enumerate(questions):
        rule = data.get("ask_if")
        where = f"Question {index + 1}"
        if rule is not None:
            data["ask_if"] = _check_rule(rule, earlier, where, errors)
        if data.get("key") and data.get("type") in TYPES:
            earlier[data["key"]] = as_question(data)


def _check_rule(
    rule: Any, earlier: dict[str, Question], where: str, errors: list[str]
) -> dict[str, Any] | None:
    if not isinstance(rule, dict) or set(rule) != {"key", "in"}:
        errors.append(
            FieldError(
                "ask_if", f'{where}: write when to ask it like {{"key": "repair_12m", "in": ["Yes"]}}.'
            )
        )
        return None
    parent = earlier.get(rule["key"]) if isinstance(rule["key"], str) else None
    if parent is None:
        errors.append(
            FieldError(
                "ask_if",
                f"{where}: it can only depend on an earlier question, and none before it is called {rule['key']!r}.",
            )
        )
        return None
    values = rule["in"]
    if not isinstance(values, list) or not values:
        errors.append(
            FieldError("ask_if", f"{where}: list at least one answer to {parent.key} that means it is asked.")
        )
        return None
    kind = TYPES[parent.type]
    if not kind.routable:
        errors.append(
            FieldError(
                "ask_if",
                f"{where}: {parent.key} is a free-text question, so it cannot decide whether to ask this one.",
            )
        )
        return None
    normal = [kind.routing_value(parent, v) for v in values]
    bad = [v for v, n in zip(values, normal, strict=True) if n is None]
    if bad:
        allowed = ", ".join(kind.labels(parent)) or "numbers in its range"
        errors.append(
            FieldError(
                "ask_if", f"{where}: {', '.join(map(str, bad))} is not an answer to {parent.key} ({allowed})."
            )
        )
        return None
    return {"key": parent.key, "in": list(dict.fromkeys(n for n in normal if n is not None))}


def question_json(question: Question) -> dict[str, Any]:
    """Return one question as its definition object."""
    kind = TYPES.get(question.type)
    data: dict[str, Any] = {"key": question.key, "text": question.text, "type": question.type}
    if question.type == "choice":
        data["options"] = list(question.options)
    if isinstance(kind, LabelledScale) and question.options:
        data["not_counted"] = list(question.options)
    if kind is not None and kind.takes_range:
        if question.min_value is not None:
            data["min"] = question.min_value
        if question.max_value is not None:
            data["max"] = question.max_value
    data["required"] = question.required
    if question.ask_if:
        data["ask_if"] = dict(question.ask_if)
    return data


def as_question(data: dict[str, Any], position: int = 0) -> Question:
    """Build an unsaved question row from a checked question object."""
    return Question(
        position=position,
        key=data["key"],
        text=data["text"],
        type=data["type"],
        options=list(data.get("options") or []),
        min_value=data.get("min"),
        max_value=data.get("max"),
        required=data["required"],
        ask_if=data.get("ask_if"),
    )
