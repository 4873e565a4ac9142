"""Parsers for one cell each: they take the trimmed, non-blank text and return a value or raise."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from app.contact import ContactError, normalise_phone
from app.imports.result import FieldError, quoted

Parser = Callable[[str], Any]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# UK spreadsheets write day first: 03/02/2011 is 3 February.
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
DATE_FORMS = "YYYY-MM-DD or DD/MM/YYYY (e.g. 2011-09-17 or 17/09/2011)"
# Excel writes formatted numbers as shown: "£1,200.50" or "1,200".
_NUMBER = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_WHOLE = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})
MAX_WHOLE = 2**31 - 1


def text(limit: int | None) -> Parser:
    """Return a parser for free text of at most ``limit`` characters."""

    def parse(raw: str) -> str:
        if limit is not None and len(raw) > limit:
            raise FieldError(f"{quoted(raw)} is too long ({len(raw):,} characters; at most {limit})")
        return raw

    return parse


@lru_cache(maxsize=65536)
def iso_date(raw: str) -> date:
    """Read a date written YYYY-MM-DD, or DD/MM/YYYY as a UK spreadsheet writes it."""
    try:
        if _ISO_DATE.fullmatch(raw):
            return date.fromisoformat(raw)
        uk = _UK_DATE.fullmatch(raw)
        if uk:
            day, month, year = (int(part) for part in uk.groups())
            return date(year, month, day)
    except ValueError:
        raise FieldError(f"{quoted(raw)} is not a real date") from None
    raise FieldError(f"{quoted(raw)} is not a date written {DATE_FORMS}")


def _decimal(raw: str, what: str, integer_digits: int) -> Decimal:
    cleaned = raw[1:].lstrip() if raw.startswith("£") else raw
    if cleaned.startswith("-"):
        raise FieldError(f"{quoted(raw)} is negative; {what} cannot be less than 0")
    if not _NUMBER.fullmatch(cleaned):
        raise FieldError(f"{quoted(raw)} is not {what} (write it like 12.50)")
    value = Decimal(cleaned.replace(",", ""))
    if value >= 10**integer_digits:
        raise FieldError(f"{quoted(raw)} is too large")
    return value


@lru_cache(maxsize=65536)
def money(raw: str) -> Decimal:
    """Read an amount of money in pounds, at most two decimal places."""
    value = _decimal(raw, "an amount of money", 10)
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise FieldError(f"{quoted(raw)} has more than 2 decimal places")
    return value.quantize(Decimal("0.01"))


@lru_cache(maxsize=65536)
def hours(raw: str) -> Decimal:
    """Read a number of hours; spreadsheet fractions like 0.3333333 are kept to 4 places."""
    value = _decimal(raw, "a number of hours", 8)
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@lru_cache(maxsize=4096)
def whole_number(raw: str) -> int:
    """Read a whole number of 0 or more."""
    if raw.startswith("-"):
        raise FieldError(f"{quoted(raw)} is negative; it cannot be less than 0")
    if not _WHOLE.fullmatch(raw):
        raise FieldError(f"{quoted(raw)} is not a whole number")
    value = int(raw.replace(",", ""))
    if value > MAX_WHOLE:
        raise FieldError(f"{quoted(raw)} is too large")
    return value


def yes_no(raw: str) -> bool:
    """Read yes/no (also y/n, true/false, 1/0) in any case."""
    word = raw.lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise FieldError(f"{quoted(raw)} is not yes or no")


def phone(raw: str) -> str:
    """Read a UK or international phone number and return it in E.164 form."""
    try:
        number = normalise_phone(raw)
    except ContactError:
        number = None
    if number is None:
        raise FieldError(f"{quoted(raw)} is not a phone number")
    return number


_POSTCODE = re.compile(r"([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})")


def postcode(raw: str) -> str:
    """Read a UK postcode in any case and spacing; return it as Royal Mail writes it (DE1 2AB)."""
    found = _POSTCODE.fullmatch(raw.upper().strip())
    if not found:
        raise FieldError(f"{quoted(raw)} is not a UK postcode (write it like DE1 2AB)")
    return f"{found.group(1)} {found.group(2)}"


def email(raw: str) -> str:
    """Read an email address, checking its form but not that its domain receives mail."""
    from email_validator import EmailNotValidError, validate_email  # loaded when first needed

    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise FieldError(f"{quoted(raw)} is not an email address ({exc})") from None


def normal_word(raw: str) -> str:
    """Fold case and treat spaces, hyphens and underscores alike: "In-Person" == "in person"."""
    return " ".join(re.split(r"[\s_\-]+", raw.lower())).strip()


def choice(options: Sequence[str]) -> Parser:
    """Return a parser that accepts one of ``options`` in any case and spacing."""
    known = {normal_word(option): option for option in options}
    listed = ", ".join(options)

    def parse(raw: str) -> str:
        try:
            return known[normal_word(raw)]
        except KeyError:
            raise FieldError(f"{quoted(raw)} is not one of: {listed}") from None

    return parse


def listed(what: str, values: Sequence[str], lookup: dict[str, str], fold: Parser) -> Parser:
    """Return a parser that accepts a value of the landlord's list for ``field``, or one of its synonyms."""
    allowed = ", ".join(values) if values else "(the list is empty)"

    def parse(raw: str) -> str:
        try:
            return lookup[fold(raw)]
        except KeyError:
            raise FieldError(
                f"{quoted(raw)} is not on the landlord's list of {what}; use one of: {allowed}"
            ) from None

    return parse
