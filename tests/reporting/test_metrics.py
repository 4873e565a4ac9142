"""Every figure of the report, checked against values worked out here from the fixture's rows."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from tests.reporting.conftest import FROM, TO, Ledger, make_report


def _by_name(report):
    return {a.name: a for a in report.activities}


def _expected_involvement(ledger: Ledger, name: str) -> tuple[int, dict[str, int], Decimal]:
    """Work out customers involved, by channel and hours from the raw rows, in plain Python."""
    rows = [p for p in ledger.participations if p.activity.name == name and FROM <= p.date <= TO]
    people = {p.customer.ref for p in rows if p.customer is not None}
    anonymous = sum(p.headcount for p in rows if p.customer is None)
    channels: dict[str, int] = {}
    for channel in {p.channel for p in rows}:
        of_channel = [p for p in rows if p.channel == channel]
        channels[channel] = len({p.customer.ref for p in of_channel if p.customer}) + sum(
            p.headcount for p in of_channel if p.customer is None
        )
    return len(people) + anonymous, channels, sum((p.hours for p in rows), Decimal(0))


def test_activities_are_those_with_ledger_rows_in_the_period_in_date_then_name_order(ledger: Ledger) -> None:
    report = make_report()
    assert [a.name for a in report.activities] == [
        "Challenge Hour",
        "Customer Training",
        "Text survey",
        "Reading Panel",
        "Big Get Together",
    ]


def test_customers_involved_by_channel_and_hours_match_the_rows(ledger: Ledger) -> None:
    cards = _by_name(make_report())
    for name, card in cards.items():
        customers, channels, hours = _expected_involvement(ledger, name)
        assert card.customers_involved == customers, name
        assert card.by_channel == channels, name
        assert card.customer_hours == hours, name
    # the same customer on two channels counts once in total and once per channel
    assert cards["Text survey"].customers_involved == 3
    assert cards["Text survey"].by_channel == {"email": 2, "sms": 2}
    assert cards["Text survey"].customer_hours == Decimal("0.1332")
    # anonymous headcounts only
    assert cards["Big Get Together"].customers_involved == 47
    assert cards["Big Get Together"].by_channel == {"event": 5, "online": 42}
    # zero customers: staff time and cost only
    assert cards["Challenge Hour"].customers_involved == 0
    assert cards["Challenge Hour"].by_channel == {}


def test_staff_hours_and_costs_count_only_inside_the_period(ledger: Ledger) -> None:
    cards = _by_name(make_report())
    assert cards["Text survey"].staff_hours == Decimal("3.5")
    assert cards["Challenge Hour"].staff_hours == Decimal("20.25")
    assert cards["Big Get Together"].staff_hours == 0
    assert cards["Text survey"].total_cost == Decimal("10.00")  # includes a cost on the last day
    assert cards["Challenge Hour"].total_cost == Decimal("100.00")
    assert cards["Big Get Together"].total_cost == Decimal("0.00")


def test_unit_costs_round_half_up_to_pennies(ledger: Ledger) -> None:
    cards = _by_name(make_report())
    half_up = lambda v: v.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # noqa: E731
    panel = cards["Reading Panel"]
    assert panel.cost_per_customer == Decimal("0.13") == half_up(Decimal("0.25") / 2)  # 0.125
    assert panel.cost_per_property == Decimal("0.03") == half_up(Decimal("0.25") / 10)  # 0.025
    assert cards["Text survey"].cost_per_customer == Decimal("3.33")
    assert cards["Text survey"].cost_per_property == Decimal("0.00")
    assert cards["Challenge Hour"].cost_per_property == half_up(Decimal(100) / 4866)
    assert cards["Customer Training"].cost_per_customer == Decimal("25.00")


def test_zero_customers_and_no_homes_give_null_unit_costs(ledger: Ledger) -> None:
    cards = _by_name(make_report())
    assert cards["Challenge Hour"].cost_per_customer is None
    assert cards["Big Get Together"].homes_affected is None
    assert cards["Big Get Together"].cost_per_property is None
    assert cards["Big Get Together"].cost_per_customer == Decimal("0.00")


def test_ratings_follow_the_rule_and_worse_level_wins(ledger: Ledger) -> None:
    cards = _by_name(make_report())
    # reach 3 of 4 = 0.75 -> average; cost 3.33 against 10.00 -> good; the worse wins
    assert (cards["Text survey"].rating, cards["Text survey"].rating_basis) == ("average", "rule")
    assert (cards["Big Get Together"].rating, cards["Big Get Together"].rating_basis) == ("good", "rule")
    assert cards["Reading Panel"].rating == "poor"  # 2 of 4
    assert cards["Challenge Hour"].rating == "poor"  # cost target but nobody reached
    assert (cards["Customer Training"].rating, cards["Customer Training"].rating_basis) == (None, None)


def test_the_average_threshold_is_a_setting(ledger: Ledger) -> None:
    cards = _by_name(make_report(average_at=Decimal("0.8")))
    assert cards["Text survey"].rating == "poor"  # 0.75 < 0.8


def test_summary_counts_budget_and_underspend(ledger: Ledger) -> None:
    s = make_report().summary
    assert s.customers_participated == 6  # c1 c2 c3 c6 c7 c9
    assert s.unidentified_participants == 47
    assert s.customers_trained == 2
    # c6: two panel dates this period; c7 also two, but was in a forum before the period
    assert s.new_regularly_involved == 1
    # every budget overlapping the period counts whole: 1000 + 500 (Jan-Dec 2011) + 700 (from May)
    assert s.budget == Decimal("2200.00")
    # training does not count toward the budget; costs outside the period never do
    assert s.spend == Decimal("110.25")
    assert s.underspend == Decimal("2089.75")


def test_regular_threshold_is_a_setting(ledger: Ledger) -> None:
    assert make_report(regular_min_meetings=3).summary.new_regularly_involved == 0


def test_a_period_no_budget_covers_has_null_budget_and_a_warning(ledger: Ledger) -> None:
    report = make_report(date(2010, 1, 1), date(2010, 12, 31))
    assert report.summary.budget is None and report.summary.underspend is None
    assert [a.name for a in report.activities] == ["Challenge Hour"]  # staff time in Oct 2010
    assert any(w.code == "no_budget" for w in report.warnings)


def test_an_empty_period_gives_an_empty_report(ledger: Ledger) -> None:
    report = make_report(date(2030, 1, 1), date(2030, 1, 31))
    assert report.activities == ()
    assert report.summary.customers_participated == 0
    assert report.summary.spend == Decimal("0.00")


def test_outcomes_raised_or_resolved_in_the_period_and_open_actions(ledger: Ledger) -> None:
    report = make_report()
    assert [o.where_who for o in report.outcomes_log] == ["Kirkby residents", "=cmd|' /C calc'!A0"]
    assert [(a.aim, a.overdue) for a in report.actions] == [("Strategic forum", True), ("Profiling", False)]


def test_profile_suppresses_small_cells_and_measures_coverage(ledger: Ledger) -> None:
    profile = make_report().profile
    assert profile.base_total == 12  # the erased customer is left out
    assert profile.participants_total == 6
    assert profile.coverage == Decimal("0.5833")  # 7 of 12 complete
    gender = profile.fields["gender"]
    assert (gender["Male"].participants, gender["Male"].base) == (None, None)  # 1 of 4
    # Female would be total minus Male: hidden too (secondary suppression)
    assert (gender["Female"].participants, gender["Female"].base) == (None, None)
    area = profile.fields["area"]
    assert (area["Lincoln"].participants, area["Lincoln"].base) == (None, None)
    assert area["Not recorded"].base is None
    # 6 participants are 25-44 and none unrecorded: the 0 is hidden, so the 6 must be too
    assert profile.fields["age_band"]["25-44"].participants is None
    assert profile.fields["age_band"]["25-44"].base is None  # 11 of 12, 1 unrecorded
    assert profile.fields["disability"]["No"].base == 12  # one value: it is the total


def test_data_quality_warnings(ledger: Ledger) -> None:
    warnings = {(w.code, w.activity) for w in make_report().warnings}
    assert ("missing_details", "Big Get Together") in warnings  # no homes
    assert ("missing_details", "Customer Training") in warnings  # no aim, no targets
    assert ("participation_outside_dates", "Customer Training") in warnings
    assert ("profiling_coverage", None) in warnings
    assert ("missing_details", "Text survey") not in warnings
    assert ("participation_outside_dates", "Text survey") not in warnings


def test_the_json_has_the_contract_shape(ledger: Ledger) -> None:
    data = make_report().to_json()
    assert data["period"] == {"from": "2011-04-01", "to": "2012-03-31"}
    panel = next(a for a in data["activities"] if a["name"] == "Reading Panel")
    assert panel["total_cost"] == "0.25" and panel["cost_per_customer"] == "0.13"
    assert panel["customer_hours"] == 8 and isinstance(panel["customer_hours"], int)
    texts = next(a for a in data["activities"] if a["name"] == "Text survey")
    assert texts["customer_hours"] == 0.1332 and texts["staff_hours"] == 3.5
    assert data["summary"]["budget"] == "2200.00" and data["summary"]["underspend"] == "2089.75"
    assert data["profile"]["fields"]["gender"]["Male"] == {"participants": None, "base": None}
    assert data["actions"][0] == {
        "aim": "Strategic forum",
        "expected_outcome": "Forum formed",
        "due_date": "2011-09-30",
        "status": "open",
        "overdue": True,
    }
    assert set(data["activities"][0]) >= {
        "name", "category", "aim", "method", "outcomes", "evidence", "customers_involved", "by_channel",
        "customer_hours", "staff_hours", "total_cost", "cost_per_customer", "homes_affected",
        "cost_per_property", "rating", "rating_basis",
    }  # fmt: skip


def test_the_report_survives_a_round_trip_through_json(ledger: Ledger) -> None:
    from reporting.report import ImpactReport

    report = make_report()
    assert ImpactReport.from_json(report.to_json()) == report
