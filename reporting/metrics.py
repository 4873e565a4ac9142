"""Build the impact report for a period from a fixed number of aggregate queries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.models import Activity
from app.models.people import PROFILE_FIELDS
from app.periods import local_date
from app.suppression import NOT_RECORDED, SUPPRESS_UNDER, suppress_column
from app.vocabulary.lists import Vocabulary, load_all
from reporting import narrative, queries
from reporting.formatting import period_words
from reporting.ratings import reach_days, rule_rating
from reporting.report import (
    ActionEntry,
    ActivityFigures,
    ImpactReport,
    OutcomeEntry,
    Profile,
    ProfileCell,
    Summary,
    Warning,
    pennies,
)

COVERAGE_TARGET = Decimal("0.9")
ZERO = Decimal(0)


@dataclass(frozen=True)
class ReportSettings:
    """The settings the figures depend on."""

    average_at: Decimal = Decimal("0.75")
    regular_min_meetings: int = 2
    organisation: str = "Derwent Living"

    @classmethod
    def from_config(cls, config: dict[str, object]) -> ReportSettings:
        """Read the settings from a Flask config mapping."""
        return cls(
            average_at=Decimal(str(config.get("RATING_AVERAGE_AT", "0.75"))),
            regular_min_meetings=int(str(config.get("REGULAR_MIN_MEETINGS", 2))),
            organisation=str(
                config.get("LANDLORD_NAME") or config.get("ORGANISATION_NAME", "Derwent Living")
            ),
        )


def build_report(date_from: date, date_to: date, *, now: datetime, settings: ReportSettings) -> ImpactReport:
    """Compute the report for the closed period ``[date_from, date_to]``."""
    if date_from > date_to:
        raise ValueError("The start of the period must not be after its end.")
    # A fixed number of aggregate reads, however many activities: the report's cost must not
    # grow with the ledgers (tests/reporting/test_query_count.py holds it to that).
    taking_part = queries.participation_by_activity(date_from, date_to)
    channels = queries.participation_by_channel(date_from, date_to)
    staff = queries.staff_hours_by_activity(date_from, date_to)
    costs = queries.costs_by_activity(date_from, date_to)
    overrides = queries.overrides_for(date_from, date_to)
    sections, qualifiers = narrative.words(date_from, date_to, settings.organisation)
    # An activity is in the report when anything happened in it during the period.
    chosen = queries.activities(sorted(set(taking_part) | set(staff) | set(costs)), date_from, date_to)

    cards: list[ActivityFigures] = []
    warnings: list[Warning] = []
    spend = ZERO
    for activity, dated_outside in chosen:
        part = taking_part.get(activity.id)
        # Headcount rows with no customer (people counted but not named) are people involved too.
        customers = (part.identified + part.anonymous) if part else 0
        total_cost = pennies(costs.get(activity.id, ZERO))
        # Spend is set against the budget only for work the budget pays for; the rest still shows its cost.
        if activity.counts_toward_budget:
            spend += total_cost
        per_customer = pennies(total_cost / customers) if customers else None
        homes = activity.homes_affected
        per_property = pennies(total_cost / homes) if homes else None
        # A manager's override holds for the whole financial year and beats the rule.
        override = overrides.get(activity.id)
        if override is not None:
            rating, basis, reason = override.rating, "override", override.reason
        else:
            days = reach_days(activity.start_date, activity.end_date, date_from, date_to)
            # Only the reach target is pro-rated; without one the basis must not claim it was.
            if activity.target_customers is None:
                days = None
            ruled = rule_rating(
                customers,
                per_customer,
                activity.target_customers,
                activity.target_cost_per_customer,
                settings.average_at,
                days,
            )
            rule_basis = "rule (target pro-rated)" if days else "rule"
            rating, basis, reason = ruled.rating, (rule_basis if ruled.rating else None), ruled.reason
        cards.append(
            ActivityFigures(
                name=activity.name,
                category=activity.category,
                aim=activity.aim,
                method=activity.method,
                outcomes=activity.outcomes,
                evidence=activity.evidence,
                customers_involved=customers,
                by_channel=dict(sorted(channels.get(activity.id, {}).items())),
                customer_hours=part.hours if part else ZERO,
                staff_hours=staff.get(activity.id, ZERO),
                total_cost=total_cost,
                cost_per_customer=per_customer,
                homes_affected=homes,
                cost_per_property=per_property,
                rating=rating,
                rating_basis=basis,
                rating_reason=reason,
                activity_id=activity.id,
                start_date=activity.start_date,
                end_date=activity.end_date,
                qualifier=qualifiers.get(activity.id, ""),
            )
        )
        warnings.extend(_activity_warnings(activity, dated_outside))

    counts = queries.summary_counts(date_from, date_to)
    participated, anonymous, trained, budget_sum, budgets_found = counts
    budget = pennies(Decimal(budget_sum)) if budgets_found else None
    summary = Summary(
        customers_participated=int(participated),
        unidentified_participants=int(anonymous or 0),
        new_regularly_involved=queries.new_regulars(date_from, date_to, settings.regular_min_meetings),
        customers_trained=int(trained),
        budget=budget,
        spend=pennies(spend),
        underspend=None if budget is None else pennies(budget - spend),
    )
    if budget is None:
        warnings.append(Warning("no_budget", "No budget overlaps the period."))
    profile = _profile(queries.profile_rows(date_from, date_to), load_all())
    if profile.base_total and profile.coverage < COVERAGE_TARGET:
        warnings.append(
            Warning(
                "profiling_coverage",
                f"Only {profile.coverage:.0%} of customers have a complete profile (target 90%).",
            )
        )
    # An action is overdue by the UK calendar, not by UTC's.
    today = local_date(now)
    return ImpactReport(
        date_from=date_from,
        date_to=date_to,
        title=f"Customer involvement impact report, {period_words(date_from, date_to)}",
        organisation=settings.organisation,
        generated_at=now,
        activities=tuple(cards),
        summary=summary,
        outcomes_log=tuple(
            OutcomeEntry(o.where_who, o.what, o.outcome, o.raised_on, o.resolved_on)
            for o in queries.outcomes_in_period(date_from, date_to)
        ),
        actions=tuple(
            ActionEntry(a.aim, a.expected_outcome, a.due_date, a.status, a.due_date < today)
            for a in queries.actions_underway()
        ),
        profile=profile,
        warnings=tuple(warnings),
        narrative=sections,
    )


def _activity_warnings(activity: Activity, dated_outside: bool) -> list[Warning]:
    """List what is missing or odd about an activity's data."""
    found = []
    missing = [
        label
        for label, absent in (
            ("homes affected", not activity.homes_affected),
            ("targets", activity.target_customers is None and activity.target_cost_per_customer is None),
            ("aim", not activity.aim.strip()),
            ("outcomes", not activity.outcomes.strip()),
        )
        if absent
    ]
    if missing:
        listed = ", ".join(missing[:-1]) + (" or " if len(missing) > 1 else "") + missing[-1]
        found.append(Warning("missing_details", f"No {listed} recorded.", activity.name))
    if dated_outside:
        found.append(
            Warning(
                "participation_outside_dates",
                "Participation is dated outside the activity's start and end dates.",
                activity.name,
            )
        )
    return found


def _landlord_order(vocabulary: Vocabulary) -> Callable[[tuple[str, Any]], tuple[int, int, str]]:
    """Sort cells in the landlord's order, values off the list after them, "Not recorded" last."""
    return lambda item: vocabulary.rank(None if item[0] == NOT_RECORDED else item[0])


def _profile(rows: list[tuple[str, str | None, int, int]], lists: dict[str, Vocabulary]) -> Profile:
    """Group by the listed value, suppress small cells (and those that would give them away), work out coverage."""
    raw: dict[str, dict[str, tuple[int, int]]] = {name: {} for name in PROFILE_FIELDS}
    coverage = ZERO
    base_total = participants_total = 0
    for field, value, base, participants in rows:
        if field == "_coverage":
            base_total = base
            coverage = (Decimal(participants) / base).quantize(Decimal("0.0001")) if base else ZERO
            continue
        # Every field's cells add up to all participants, so summing one field counts each once.
        if field == "age_band":
            participants_total += participants
        # "Asian British" and "Asian or Asian British" are one group: the list says which spelling it is.
        label = (lists[field].canonical(value) or value) if value else NOT_RECORDED
        before = raw[field].get(label, (0, 0))
        raw[field][label] = (before[0] + participants, before[1] + base)
    fields: dict[str, dict[str, ProfileCell]] = {}
    for name, cells in raw.items():
        # Both columns are suppressed on their own: a small cell in either could identify someone.
        took_part = suppress_column({v: c[0] for v, c in cells.items()}, SUPPRESS_UNDER)
        register = suppress_column({v: c[1] for v, c in cells.items()}, SUPPRESS_UNDER)
        fields[name] = {
            value: ProfileCell(
                participants=None if value in took_part else participants,
                base=None if value in register else base,
            )
            for value, (participants, base) in sorted(cells.items(), key=_landlord_order(lists[name]))
        }
    return Profile(
        coverage=coverage, fields=fields, participants_total=participants_total, base_total=base_total
    )
