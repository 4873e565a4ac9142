"""The cell parsers behind every CSV import."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.imports import fields as f
from app.imports.result import FieldError, quoted
from app.models.involvement import ACTION_STATUSES, CATEGORIES, CHANNELS


def test_dates_are_written_year_month_day_or_uk_day_first() -> None:
    assert f.iso_date("2011-09-17") == date(2011, 9, 17)
    assert f.iso_date("17/09/2011") == date(2011, 9, 17)
    # UK order: 03/02/2011 is 3 February, never 2 March.
    assert f.iso_date("03/02/2011") == date(2011, 2, 3)
    assert f.iso_date("3/2/2011") == date(2011, 2, 3)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("09/17/2011", "is not a real date"),
        ("31/02/2011", "is not a real date"),
        ("17-09-2011", "is not a date written YYYY-MM-DD or DD/MM/YYYY"),
        ("17/09/11", "is not a date written YYYY-MM-DD or DD/MM/YYYY"),
        ("20110917", "is not a date written YYYY-MM-DD"),
        ("2011-W37-6", "is not a date written YYYY-MM-DD"),
        ("2011-9-17", "is not a date written YYYY-MM-DD"),
        ("2011-02-30", "is not a real date"),
    ],
)
def test_bad_dates_are_refused(raw: str, says: str) -> None:
    with pytest.raises(FieldError, match=says) as info:
        f.iso_date(raw)
    assert str(info.value).startswith(f'"{raw}"')


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("12.50", Decimal("12.50")),
        ("12", Decimal("12.00")),
        ("£1,200.5", Decimal("1200.50")),
        ("0", Decimal("0.00")),
    ],
)
def test_money_reads_plain_and_excel_formatted_amounts(raw: str, value: Decimal) -> None:
    assert f.money(raw) == value
    assert f.money(raw).as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("-5.00", "is negative"),
        ("NaN", "is not an amount of money"),
        ("inf", "is not an amount of money"),
        ("1e3", "is not an amount of money"),
        ("12.345", "more than 2 decimal places"),
        ("1,20", "is not an amount of money"),
        ("ten pounds", "is not an amount of money"),
        ("99999999999", "is too large"),
    ],
)
def test_bad_money_is_refused(raw: str, says: str) -> None:
    with pytest.raises(FieldError, match=says):
        f.money(raw)


def test_hours_keep_four_places_of_spreadsheet_fractions() -> None:
    assert f.hours("1.5") == Decimal("1.5")
    assert f.hours("0.333333333") == Decimal("0.3333")
    assert f.hours("0.66666666") == Decimal("0.6667")
    for raw in ("-1", "NaN", "two"):
        with pytest.raises(FieldError):
            f.hours(raw)


def test_whole_numbers() -> None:
    assert f.whole_number("1,200") == 1200
    assert f.whole_number("7") == 7
    for raw in ("1.5", "-3", "lots", "99999999999"):
        with pytest.raises(FieldError):
            f.whole_number(raw)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("yes", True),
        ("Y", True),
        ("TRUE", True),
        ("1", True),
        ("no", False),
        ("n", False),
        ("False", False),
        ("0", False),
    ],
)
def test_yes_no_words(raw: str, value: bool) -> None:
    assert f.yes_no(raw) is value


def test_yes_no_refuses_other_words() -> None:
    with pytest.raises(FieldError, match='"maybe" is not yes or no'):
        f.yes_no("maybe")


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("07911 123456", "+447911123456"),
        ("+44 7911 123456", "+447911123456"),
        ("0044 7911 123456", "+447911123456"),
        ("(01332) 123456", "+441332123456"),
        ("+33 1 42 68 53 00", "+33142685300"),
    ],
)
def test_phones_are_stored_in_e164(raw: str, e164: str) -> None:
    assert f.phone(raw) == e164


@pytest.mark.parametrize("raw", ["0770", "07700 900123", "hello", "+44"])
def test_bad_phones_are_refused(raw: str) -> None:
    # 07700 900xxx is Ofcom's drama range: possible-looking but never a real number.
    with pytest.raises(FieldError) as info:
        f.phone(raw)
    assert str(info.value) == f'"{raw}" is not a phone number'


def test_emails_are_checked_and_domains_lowercased() -> None:
    assert f.email("Jane.Smith@Example.ORG") == "Jane.Smith@example.org"
    for raw in ("bob@", "no-at-sign.example.org", "two@@example.org"):
        with pytest.raises(FieldError, match="is not an email address"):
            f.email(raw)


def test_choices_match_case_and_spacing_loosely() -> None:
    assert f.choice(CHANNELS)("In-Person") == "in person"
    assert f.choice(CATEGORIES)("Mystery_Shopping") == "mystery shopping"
    assert f.choice(ACTION_STATUSES)("IN PROGRESS") == "in progress"
    with pytest.raises(FieldError, match='"fax" is not one of: sms, email'):
        f.choice(CHANNELS)("fax")


def test_text_length_is_checked() -> None:
    assert f.text(5)("abcde") == "abcde"
    with pytest.raises(FieldError, match="is too long"):
        f.text(5)("abcdef")


def test_quoted_values_are_short_and_visible() -> None:
    assert quoted("x" * 100).endswith('…"')
    assert len(quoted("x" * 100)) == 42
    assert quoted("a\tb") == '"a\\tb"'


def test_listed_maps_spellings_and_names_the_allowed_values() -> None:
    parse = f.listed(
        "genders", ("Female", "Male"), {"female": "Female", "male": "Male", "f": "Female"}, str.lower
    )
    assert parse("F") == "Female"
    assert parse("MALE") == "Male"
    with pytest.raises(FieldError) as refused:
        parse("Robot")
    assert str(refused.value) == '"Robot" is not on the landlord\'s list of genders; use one of: Female, Male'
