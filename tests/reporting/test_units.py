"""Periods, the rating rule and the way figures are written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.periods import last_quarter
from reporting.formatting import channels_note, cost_words, customers_words, money_words
from reporting.periods import PeriodError, presets, resolve
from reporting.ratings import rule_rating

AVG = Decimal("0.75")


@pytest.mark.parametrize(
    ("amount", "words"),
    [("5190", "£5,190"), ("648.06", "£648.06"), ("0.23", "23p"), ("0.05", "5p"), ("0", "£0"),
     ("11630.3", "£11,630.30"), ("0.995", "£1"), ("-12.5", "-£12.50"), (None, "—")],
)  # fmt: skip
def test_money_is_written_like_the_reference(amount: str | None, words: str) -> None:
    assert money_words(None if amount is None else Decimal(amount)) == words


def test_customers_and_cost_lines() -> None:
    assert customers_words(2613, {"sms": 2483, "email": 130}) == "2,613 (2,483 text / 130 email)"
    assert customers_words(104, {"phone": 104}) == "104"
    # 646 + 84 is 730: the 21 who used both channels are counted in each, and the note says so.
    note = channels_note(709, {"sms": 646, "email": 84})
    assert "21 took part through more than one" in note and "once in every channel" in note
    assert channels_note(730, {"sms": 646, "email": 84}) == "" and channels_note(5, {"sms": 5}) == ""
    assert cost_words(Decimal("43.25"), Decimal("8.65"), Decimal("1.04"), 5000) == (
        "Total cost £43.25 / £8.65 per customer involved, £1.04 per property affected (based on 5,000 homes)"
    )
    assert cost_words(Decimal("10"), None, None, None).endswith(
        "no customers involved, homes affected not recorded"
    )


def test_presets_and_periods() -> None:
    today = date(2012, 2, 15)
    keys = [p.key for p in presets(today)]
    assert keys == ["fy-2011", "fy-2010", "cy-2012", "cy-2011", "last-quarter"]
    assert (presets(today)[0].start, presets(today)[0].end) == (date(2011, 4, 1), date(2012, 3, 31))
    q = last_quarter(date(2012, 2, 15))
    assert (q.start, q.end) == (date(2011, 10, 1), date(2011, 12, 31))
    q = last_quarter(date(2012, 12, 31))
    assert (q.start, q.end) == (date(2012, 7, 1), date(2012, 9, 30))
    assert resolve(today, None, "2011-05-01", "2011-05-31").key == "custom"
    assert resolve(today, "cy-2009", None, None).end == date(2009, 12, 31)
    assert resolve(today, None, None, None).key == "fy-2011"
    for args in ((None, "2011-05-01", ""), (None, "2011-06-01", "2011-05-01"), ("fy-abc", None, None)):
        with pytest.raises(PeriodError):
            resolve(today, *args)


def test_rule_rating_levels_and_boundaries() -> None:
    assert rule_rating(100, None, 100, None, AVG).rating == "good"  # r = 1
    assert rule_rating(75, None, 100, None, AVG).rating == "average"  # r = 0.75
    assert rule_rating(74, None, 100, None, AVG).rating == "poor"
    # cost r = target / actual: 8 / 10 = 0.8 -> average; reach good; the worse wins
    assert rule_rating(200, Decimal("10"), 100, Decimal("8"), AVG).rating == "average"
    assert rule_rating(200, Decimal("10"), 100, Decimal("7.49"), AVG).rating == "poor"
    assert rule_rating(200, Decimal("0"), None, Decimal("1"), AVG).rating == "good"
    assert rule_rating(0, None, None, Decimal("5"), AVG).rating == "poor"
    none = rule_rating(10, Decimal("1"), None, None, AVG)
    assert (none.rating, none.reason) == (None, "No targets set")
