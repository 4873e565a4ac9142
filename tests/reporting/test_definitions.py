"""The figure definitions that hold for any period: pro-rated targets, overrides per financial year,
overlapping budgets and secondary suppression."""

from __future__ import annotations

import itertools
import random
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.models import Activity, Area, Cost, Customer, Participation
from app.suppression import derivable, suppress_column
from reporting import services
from tests.reporting.conftest import FROM, NOW, TO, Ledger, make_report

ACTOR = SimpleNamespace(id=None, email="manager@example.org")
APRIL = (date(2011, 4, 1), date(2011, 4, 30))


def _card(report, name):
    return next(a for a in report.activities if a.name == name)


def _yearly_panel(headcount: int, day: date = date(2011, 4, 10), **kw: object) -> Activity:
    """An activity over 365 days with a target of 365 customers: one a day, pro-rated."""
    act = Activity(
        name="Estate walkabouts", category="other", aim="Walk", outcomes="Fixes", homes_affected=100,
        target_customers=365, start_date=date(2011, 4, 1), end_date=date(2012, 3, 30), **kw,
    )  # fmt: skip
    db.session.add(act)
    db.session.add(Participation(activity=act, date=day, channel="in person", hours=1, headcount=headcount))
    db.session.commit()
    return act


@pytest.mark.parametrize(("headcount", "rating"), [(30, "good"), (23, "average"), (22, "poor")])
def test_a_part_year_period_pro_rates_the_reach_target(ledger: Ledger, headcount: int, rating: str) -> None:
    _yearly_panel(headcount)
    # April holds 30 of the activity's 365 days: the target is 365 x 30 / 365 = 30
    april = _card(make_report(*APRIL), "Estate walkabouts")
    assert (april.rating, april.rating_basis) == (rating, "rule (target pro-rated)")
    assert "target of 30 (365 pro-rated for 30 of the activity's 365 days)" in april.rating_reason
    # the whole financial year covers the whole activity: the target stands as set
    year = _card(make_report(), "Estate walkabouts")
    assert (year.rating, year.rating_basis) == ("poor", "rule")


def test_a_period_overlapping_the_start_pro_rates_by_the_days_inside(ledger: Ledger) -> None:
    _yearly_panel(20)
    # 15 March to 15 April 2011: 15 of the activity's days (1-15 April) are inside
    card = _card(make_report(date(2011, 3, 15), date(2011, 4, 15)), "Estate walkabouts")
    assert card.rating_basis == "rule (target pro-rated)"
    assert card.rating == "good"  # 20 against 15


def test_the_cost_target_is_never_pro_rated_and_undated_activities_never_are(ledger: Ledger) -> None:
    act = _yearly_panel(30, target_cost_per_customer=Decimal("1.00"))
    db.session.add(Cost(activity=act, date=date(2011, 4, 2), amount=Decimal("60.00")))
    db.session.commit()
    card = _card(make_report(*APRIL), "Estate walkabouts")
    # reach 30 of 30 is good; £2 a customer against £1 stays poor whatever the period
    assert card.rating == "poor" and "£2 per customer against a target of £1" in card.rating_reason
    # Challenge Hour has no end date: its rule is never pro-rated
    forum = _card(make_report(*APRIL[:1], date(2011, 11, 30)), "Challenge Hour")
    assert forum.rating_basis == "rule"


def test_an_override_holds_for_every_period_of_its_financial_year(ledger: Ledger) -> None:
    panel = ledger.activities["Reading Panel"]
    services.override_rating(
        panel, *APRIL, rating="good", reason="Whole panel came", actor=ACTOR, now=NOW
    )  # set while looking at April
    db.session.commit()
    for period in ((FROM, TO), (date(2011, 5, 1), date(2011, 6, 30)), (date(2011, 5, 1), date(2011, 5, 1))):
        card = _card(make_report(*period), "Reading Panel")
        assert (card.rating, card.rating_basis, card.rating_reason) == (
            "good",
            "override",
            "Whole panel came",
        )
    # the calendar year 2011 spans two financial years, and the next year is another year
    assert (
        _card(make_report(date(2011, 1, 1), date(2011, 12, 31)), "Reading Panel").rating_basis != "override"
    )
    db.session.add(Participation(activity=panel, date=date(2012, 5, 1), channel="post", hours=1, headcount=1))
    db.session.commit()
    assert _card(make_report(date(2012, 4, 1), date(2013, 3, 31)), "Reading Panel").rating_basis != "override"


def test_an_override_cannot_be_set_for_a_period_across_two_financial_years(ledger: Ledger) -> None:
    with pytest.raises(services.ReportError, match="one financial year"):
        services.override_rating(
            ledger.activities["Reading Panel"], date(2011, 1, 1), date(2011, 12, 31),
            rating="good", reason="Why", actor=ACTOR, now=NOW,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("period", "budget"),
    [
        ((FROM, TO), "2200.00"),  # all three overlap
        (APRIL, "1500.00"),  # the May-April budget has not started
        ((date(2012, 1, 1), date(2012, 3, 31)), "1700.00"),  # the calendar-2011 budget has ended
        ((date(2012, 4, 1), date(2012, 4, 30)), "700.00"),  # only May 2011 - April 2012
        ((date(2011, 12, 31), date(2011, 12, 31)), "2200.00"),  # one day inside all three
    ],
)
def test_every_budget_overlapping_the_period_counts_whole(
    ledger: Ledger, period: tuple[date, date], budget: str
) -> None:
    summary = make_report(*period).summary
    assert summary.budget == Decimal(budget)
    assert summary.underspend == Decimal(budget) - summary.spend


def test_a_period_no_budget_overlaps_has_none_and_says_so(ledger: Ledger) -> None:
    report = make_report(date(2012, 5, 1), date(2012, 5, 31))
    assert report.summary.budget is None
    assert [w.message for w in report.warnings if w.code == "no_budget"] == ["No budget overlaps the period."]


# Secondary suppression -------------------------------------------------------------------------


def _solutions(cells: dict[str, int | None], total: int) -> set[tuple[int, ...]]:
    """Every way to fill the hidden cells with counts that add up to the total (brute force)."""
    hidden = [v for v, n in cells.items() if n is None]
    rest = total - sum(n for n in cells.values() if n is not None)
    return {combo for combo in itertools.product(range(rest + 1), repeat=len(hidden)) if sum(combo) == rest}


def _assert_not_derivable(cells: dict[str, int | None], total: int) -> None:
    hidden = [v for v, n in cells.items() if n is None]
    if not hidden or len(cells) == 1 or (len(hidden) == len(cells) and total == 0):
        return  # nothing hidden, or nothing the published total does not already say
    assert derivable(cells, total) == {}, cells
    found = _solutions(cells, total)
    for index in range(len(hidden)):
        assert len({combo[index] for combo in found}) > 1, (cells, hidden[index])


def test_suppress_column_hides_a_second_cell_when_one_would_be_given_away() -> None:
    # the demo's gender column: "Prefer not to say" = 4 could be worked out from the total
    counts = {"Female": 61, "Male": 38, "Prefer not to say": 4}
    assert suppress_column(counts, 5) == {"Prefer not to say", "Male"}
    assert suppress_column({"A": 10, "B": 12}, 5) == set()
    assert suppress_column({"A": 0, "B": 0, "C": 9}, 5) == {"A", "B", "C"}  # 0 + 0 would read as zeros
    assert suppress_column({"A": 4, "B": 4, "C": 20, "D": 30}, 5) == {
        "A",
        "B",
        "C",
    }  # 4 + 4 = 8 reads as 4, 4


def test_no_suppressed_cell_can_be_solved_for_in_random_columns() -> None:
    rng = random.Random(14)
    for _ in range(600):
        counts = {f"v{i}": rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 15, 40]) for i in range(rng.randint(2, 6))}
        hidden = suppress_column(counts, 5)
        assert {v for v, n in counts.items() if n < 5} <= hidden
        shown = {v: (None if v in hidden else n) for v, n in counts.items()}
        if sum(counts.values()) <= 30:  # keep the brute force small
            _assert_not_derivable(shown, sum(counts.values()))
        elif any(n is not None for n in shown.values()):
            assert derivable(shown, sum(counts.values())) == {}


def test_the_report_profile_gives_no_suppressed_cell_away(ledger: Ledger) -> None:
    rng = random.Random(2011)
    areas = [Area(name=n, homes=100) for n in ("Ashby", "Belper", "Crich")]
    db.session.add_all(areas)
    act = ledger.activities["Reading Panel"]
    for number in range(90):
        customer = Customer(
            ref=f"r{number}", first_name="R", area=rng.choice([*areas, None]),
            tenure=rng.choice(["Tenant", "Tenant", "Leaseholder", "Shared owner"]),
            gender=rng.choice(["Female", "Female", "Male", "Male", "Prefer not to say", None]),
            age_band=rng.choice(["16-24", "25-44", "45-64", "65+"]), ethnicity=rng.choice(["White British", "Other"]),
            disability=rng.choice(["No", "No", "Yes"]),
        )  # fmt: skip
        db.session.add(customer)
        if rng.random() < 0.4:
            db.session.add(
                Participation(activity=act, customer=customer, date=date(2011, 7, 1), channel="post")
            )
    db.session.commit()
    profile = make_report().profile
    assert profile.participants_total > 20
    for field, cells in profile.fields.items():
        for column, total in (("participants", profile.participants_total), ("base", profile.base_total)):
            column_cells = {value: getattr(cell, column) for value, cell in cells.items()}
            assert derivable(column_cells, total) == {} or len(cells) == 1, (field, column, column_cells)
            assert any(n is None for n in column_cells.values()) or all(
                n is not None and n >= 5 for n in column_cells.values()
            )
