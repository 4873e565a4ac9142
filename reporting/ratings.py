"""The traffic-light rule: reach against target customers, cost against target cost per customer."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from reporting.formatting import money_words

LEVELS = ("good", "average", "poor")


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
) -> RuleRating:
    """Rate an activity from its targets; the worse of the levels that have a target wins."""
    levels: list[str] = []
    reasons: list[str] = []
    if target_customers is not None:
        reach = level(Decimal(customers_involved), Decimal(target_customers), average_at)
        levels.append(reach)
        reasons.append(f"reach {customers_involved:,} against a target of {target_customers:,} ({reach})")
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
