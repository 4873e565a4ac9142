"""The lenient answer reader."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from consultations.surveys.qtypes import answer_hint, parse_answer


@dataclass
class Q:
    type: str
    options: list[str] = field(default_factory=list)
    min_value: int | None = None
    max_value: int | None = None
    required: bool = True


CHOICE = Q("choice", ["Monthly newsletter", "Website", "Not at all"])
YESNO_CHOICE = Q("choice", ["Yes", "No"])
SCALE = Q("scale", min_value=1, max_value=5)


@pytest.mark.parametrize(
    ("reply", "index"),
    [
        ("2", 1),
        (" 2. ", 1),
        ("option 3", 2),
        ("b", 1),
        ("C)", 2),
        ("website", 1),
        ("WEB SITE!", 1),
        ("monthly-newsletter", 0),
        ("not at all.", 2),
    ],
)
def test_choice_by_number_letter_or_text(reply: str, index: int) -> None:
    parsed = parse_answer(CHOICE, reply)
    assert parsed.ok and parsed.option_index == index and parsed.value == CHOICE.options[index]


@pytest.mark.parametrize("reply", ["4", "d", "websites please", "", "1 2"])
def test_choice_rejects_what_it_cannot_place(reply: str) -> None:
    assert not parse_answer(CHOICE, reply).ok


@pytest.mark.parametrize(("reply", "value"), [("yeah", "Yes"), ("Yep!", "Yes"), ("nope", "No"), ("1", "Yes")])
def test_yes_no_words_pick_yes_no_options(reply: str, value: str) -> None:
    assert parse_answer(YESNO_CHOICE, reply).value == value


@pytest.mark.parametrize(
    ("reply", "value"),
    [
        ("yes", "Yes"),
        ("Y", "Yes"),
        ("yes please", "Yes"),
        ("Yeah!", "Yes"),
        ("yep", "Yes"),
        ("no", "No"),
        ("N", "No"),
        ("Nope.", "No"),
        ("no thanks", "No"),
    ],
)
def test_yes_no(reply: str, value: str) -> None:
    assert parse_answer(Q("yesno"), reply).value == value


@pytest.mark.parametrize("reply", ["maybe", "yes and no", "3"])
def test_yes_no_rejects(reply: str) -> None:
    assert not parse_answer(Q("yesno"), reply).ok


@pytest.mark.parametrize("reply", ["4", "four", "Four!", "4 stars", "4/5", "4 out of 5", "I'd say 4", " 4 "])
def test_scale_reads_numbers_in_many_forms(reply: str) -> None:
    parsed = parse_answer(SCALE, reply)
    assert parsed.ok and parsed.number == Decimal(4) and parsed.value == "4"


@pytest.mark.parametrize("reply", ["6", "0", "3.5", "three or four", "4 5", "great", "ten"])
def test_scale_rejects_out_of_range_or_unclear(reply: str) -> None:
    assert not parse_answer(SCALE, reply).ok


def test_numbers_words_and_bounds() -> None:
    number = Q("number", min_value=0, max_value=20)
    assert parse_answer(number, "seven").number == 7
    assert parse_answer(number, "2.5").number == Decimal("2.5")
    assert parse_answer(number, "3 people").number == 3
    assert not parse_answer(number, "21").ok
    assert parse_answer(Q("number"), "twenty").value == "20"


def test_skip_only_on_optional_questions() -> None:
    optional = Q("text", required=False)
    assert parse_answer(optional, "Skip").skipped
    assert parse_answer(Q("scale", min_value=1, max_value=5, required=False), "skip!").skipped
    required = parse_answer(Q("text"), "skip")
    assert required.ok and not required.skipped and required.value == "skip"
    assert not parse_answer(SCALE, "skip").ok


def test_free_text_is_kept_as_written() -> None:
    assert parse_answer(Q("text"), "  More bins, please! ").value == "More bins, please!"


def test_hints_list_the_valid_answers() -> None:
    assert answer_hint(CHOICE) == "Reply 1 for Monthly newsletter, 2 for Website, 3 for Not at all"
    assert answer_hint(SCALE) == "Reply a number from 1 to 5"
    assert answer_hint(Q("yesno", required=False)) == "Reply YES or NO (or SKIP)"
