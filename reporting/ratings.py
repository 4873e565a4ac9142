"""The traffic-light rule: reach against target customers, cost against target cost per customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reporting.formatting import money_words

LEVELS = ("good", "average", "poor")


def reach_days(
    start: date | None, end: date | None, date_from: date, date_to: date
) -> tuple[int, int] | None:
    """Return (days inside the period, days of the activity) when the period covers only part of it."""
    if start is None or end is None or end < start or (date_from <= start and end <= date_to):
        return None
    inside = (min(end, date_to) - max(start, date_from)).days + 1
    return max(inside, 0), (end - start).days + 1


@dataclass(frozen=True)
class RuleRating:
    """A rating from the rule, or None when the activity has no target."""

    rating: str | None
    reason: str


def level(ratio_numerator: Decimal, ratio_denominator: Decimal, average_at: Decimal) -> str:
    """Return good when n/d ≥ 1, average when n/d ≥ average_at, else poor (without dividing)."""
    if ratio_numerator >= ratio_denominator:
        return "good"
    if ratio_numerator >= average_at * ratio_denominator:
        return "average"
    return "poor"


def worse(levels: list[str]) -> str:
    """Return the worst of the given levels."""
    return max(levels, key=LEVELS.index)


def rule_rating(
    customers_involved: int,
    cost_per_customer: Decimal | None,
    target_customers: int | None,
    target_cost_per_customer: Decimal | None,
    average_at: Decimal,
    reach_days: tuple[int, int] | None = None,
) -> RuleRating:
    """Rate an activity from its targets; the worse of the levels that have a target wins.

    ``reach_days`` = (days of the activity inside the period, days of the activity) pro-rates the
    reach target when the period covers only part of the activity.
    """
    levels: list[str] = []
    reasons: list[str] = []
    if target_customers is not None:
        if reach_days is None:
            reach = level(Decimal(customers_involved), Decimal(target_customers), average_at)
            reasons.append(f"reach {customers_involved:,} against a target of {target_customers:,} ({reach})")
        else:
            inside, span = reach_days
            # customers / (target × inside / span), compared without dividing.
            reach = level(Decimal(customers_involved * span), Decimal(target_customers * inside), average_at)
            share = (Decimal(target_customers * inside) / span).quantize(Decimal("0.1"))
            reasons.append(
                f"reach {customers_involved:,} against a target of {share.normalize():,f} "
                f"({target_customers:,} pro-rated for {inside:,} of the activity's {span:,} days) ({reach})"
            )
        levels.append(reach)
    if target_cost_per_customer is not None:
        if cost_per_customer is None:
            # Money spent on nobody cannot meet a cost-per-customer target.
            cost = "poor"
            reasons.append(
                f"no customers involved against a target of {money_words(target_cost_per_customer)} "
                f"per customer ({cost})"
            )
        else:
            # cost ratio = target / actual, so compare target with actual.
            cost = level(target_cost_per_customer, cost_per_customer, average_at)
            reasons.append(
                f"{money_words(cost_per_customer)} per customer against a target of "
                f"{money_words(target_cost_per_customer)} ({cost})"
            )
        levels.append(cost)
    if not levels:
        return RuleRating(None, "No targets set")
    text = "; ".join(reasons)
    return RuleRating(worse(levels), text[0].upper() + text[1:])
