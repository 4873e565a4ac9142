"""Read a customer's words leniently: option numbers or letters, yes/no words, numbers in words.

The question types (``qtypes``) build their readers from these.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

YES_WORDS = {
    "yes",
    "y",
    "yeah",
    "yep",
    "yup",
    "ya",
    "yea",
    "aye",
    "yes please",
    "sure",
    "ok",
    "okay",
    "definitely",
}
NO_WORDS = {"no", "n", "nope", "nah", "no thanks", "no thank you", "not really", "definitely not"}
SKIP_WORDS = {"skip", "pass", "skip it", "skip this", "next", "no comment", "none", "n/a", "na"}
NUMBER_WORDS = {
    "zero": 0,
    "none": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
}
LETTERS = string.ascii_lowercase
MAX_TEXT = 2000
_TOKEN = re.compile(r"-?\d+(?:\.\d+)?|[a-z]+")
# "4", "4 stars", "4/5", "4 out of 5", "score 4", "it's a 4".
_FILLER = {
    "stars",
    "star",
    "out",
    "of",
    "score",
    "points",
    "a",
    "an",
    "its",
    "it",
    "s",
    "is",
    "i",
    "d",
    "say",
    "would",
    "give",
    "about",
    "around",
    "maybe",
    "roughly",
}


class QuestionLike(Protocol):
    """What the readers and question types need of a question."""

    type: str
    options: list[str]
    min_value: int | None
    max_value: int | None
    required: bool


@dataclass(frozen=True)
class Parsed:
    """The outcome of reading one reply: a value, a skip, or a failure."""

    ok: bool
    value: str = ""
    number: Decimal | None = None
    option_index: int | None = None
    skipped: bool = False


FAILED = Parsed(ok=False)


def squash(text: str) -> str:
    """Lower-case, drop punctuation and collapse spaces, so "Yes, please!" reads "yes please"."""
    cleaned = "".join(" " if ch in string.punctuation and ch not in "/" else ch for ch in text.lower())
    return " ".join(cleaned.split())


def _tight(text: str) -> str:
    return "".join(ch for ch in squash(text) if ch.isalnum())


def read_number(text: str) -> Decimal | None:
    """Return the one number in a reply written as digits or a word, or None."""
    lowered = text.lower()
    if "/" in lowered:
        # "4/5" is four out of five: only the part before the slash counts.
        lowered = lowered.split("/", 1)[0]
    tokens = _TOKEN.findall(lowered)
    found: list[Decimal] = []
    for token in tokens:
        if token in NUMBER_WORDS:
            found.append(Decimal(NUMBER_WORDS[token]))
        elif token[-1].isdigit():
            found.append(Decimal(token))
        elif token not in _FILLER and not found:
            return None
    if "out" in tokens and len(found) == 2:
        found = found[:1]
    return found[0] if len(found) == 1 else None


def read_choice(options: list[str], text: str) -> Parsed:
    """Read a pick from ``options``: its words, its number, its letter, or yes/no words for Yes/No."""
    tight = _tight(text)
    for index, option in enumerate(options):
        if tight == _tight(option):
            return Parsed(True, option, option_index=index)
    token = squash(text).removeprefix("option ").strip()
    if token.isdigit() and 1 <= int(token) <= len(options):
        index = int(token) - 1
        return Parsed(True, options[index], option_index=index)
    if len(token) == 1 and token in LETTERS[: len(options)]:
        index = LETTERS.index(token)
        return Parsed(True, options[index], option_index=index)
    # "Yeah" picks an option called "Yes"; "nope" one called "No".
    word = squash(text)
    for words, target in ((YES_WORDS, "yes"), (NO_WORDS, "no")):
        if word in words:
            for index, option in enumerate(options):
                if _tight(option) == target:
                    return Parsed(True, option, option_index=index)
    return FAILED


def read_yesno(text: str) -> Parsed:
    """Read a yes or a no."""
    word = squash(text)
    tokens = set(word.split())
    # "yes I do" is a yes; "yes and no" is neither.
    if word in YES_WORDS or (word.startswith("yes ") and not tokens & {"no", "not", "nope"}):
        return Parsed(True, "Yes", option_index=0)
    if word in NO_WORDS or (word.startswith("no ") and "yes" not in tokens):
        return Parsed(True, "No", option_index=1)
    return FAILED


def read_bounded(low: int | None, high: int | None, text: str, *, whole: bool) -> Parsed:
    """Read a number within [low, high] (either bound may be open); ``whole`` refuses fractions."""
    number = read_number(text)
    if number is None or (whole and number != number.to_integral_value()):
        return FAILED
    if low is not None and number < low:
        return FAILED
    if high is not None and number > high:
        return FAILED
    number = number.normalize() if number != number.to_integral_value() else Decimal(int(number))
    return Parsed(True, f"{number:f}", number=number)
