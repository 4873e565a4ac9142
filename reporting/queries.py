"""The report's reads: each aggregates in the database, and their number never depends on the data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Row, and_, case, func, literal, not_, or_, select, union_all

from app.extensions import db
from app.models import Action, Activity, Area, Budget, Cost, Customer, OutcomeLog, Participation, StaffTime
from app.models.involvement import REGULAR_CATEGORIES
from app.models.people import PROFILE_FIELDS
from app.periods import financial_year
from reporting.models import RatingOverride

OPEN_ACTION_STATUSES = ("open", "in progress")


@dataclass(frozen=True)
class ParticipationTotals:
    """Per-activity participation figures for the period."""

    identified: int
    anonymous: int
    hours: Decimal


def override_year(date_from: date, date_to: date) -> int | None:
    """Return the financial year (by its starting year) the period lies in, or None across two."""
    year = financial_year(date_from)
    return year.start.year if date_to <= year.end else None


def _anonymous_headcount() -> object:
    return func.coalesce(
        func.sum(case((Participation.customer_id.is_(None), Participation.headcount), else_=0)), 0
    )


def _in_period(column: object, date_from: date, date_to: date) -> object:
    return column.between(date_from, date_to)  # type: ignore[attr-defined]


def participation_by_activity(date_from: date, date_to: date) -> dict[int, ParticipationTotals]:
    """Return distinct customers, anonymous headcount and hours per activity."""
    rows = db.session.execute(
        select(
            Participation.activity_id,
            func.count(Participation.customer_id.distinct()),
            _anonymous_headcount(),
            func.coalesce(func.sum(Participation.hours), 0),
        )
        .where(_in_period(Participation.date, date_from, date_to))
        .group_by(Participation.activity_id)
    )
    return {row[0]: ParticipationTotals(int(row[1]), int(row[2]), Decimal(row[3])) for row in rows}


def participation_by_channel(date_from: date, date_to: date) -> dict[int, dict[str, int]]:
    """Return customers per channel per activity, counted like customers_involved."""
    rows = db.session.execute(
        select(
            Participation.activity_id,
            Participation.channel,
            func.count(Participation.customer_id.distinct()) + _anonymous_headcount(),
        )
        .where(_in_period(Participation.date, date_from, date_to))
        .group_by(Participation.activity_id, Participation.channel)
    )
    result: dict[int, dict[str, int]] = {}
    for activity_id, channel, customers in rows:
        result.setdefault(activity_id, {})[channel] = int(customers)
    return result


def staff_hours_by_activity(date_from: date, date_to: date) -> dict[int, Decimal]:
    """Return the sum of staff time hours per activity."""
    rows = db.session.execute(
        select(StaffTime.activity_id, func.sum(StaffTime.hours))
        .where(_in_period(StaffTime.date, date_from, date_to))
        .group_by(StaffTime.activity_id)
    )
    return {activity_id: Decimal(hours) for activity_id, hours in rows}


def costs_by_activity(date_from: date, date_to: date) -> dict[int, Decimal]:
    """Return the sum of costs per activity."""
    rows = db.session.execute(
        select(Cost.activity_id, func.sum(Cost.amount))
        .where(_in_period(Cost.date, date_from, date_to))
        .group_by(Cost.activity_id)
    )
    return {activity_id: Decimal(amount) for activity_id, amount in rows}


def activities(ids: Sequence[int], date_from: date, date_to: date) -> list[tuple[Activity, bool]]:
    """Return the named activities (start date, undated last, then name), each with whether
    participation in the period is dated outside the activity's own dates."""
    if not ids:
        return []
    # The first row on or after ``from`` and the last on or before ``to``: each one index seek.
    first = (
        select(func.min(Participation.date))
        .where(Participation.activity_id == Activity.id, Participation.date >= date_from)
        .scalar_subquery()
    )
    last = (
        select(func.max(Participation.date))
        .where(Participation.activity_id == Activity.id, Participation.date <= date_to)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Activity, first, last)
        .where(Activity.id.in_(sorted(ids)))
        .order_by(Activity.start_date.is_(None), Activity.start_date, Activity.name)
    )
    found = []
    for activity, earliest, latest in rows:
        early = (
            earliest is not None
            and earliest <= date_to
            and bool(activity.start_date)
            and earliest < activity.start_date
        )
        late = (
            latest is not None
            and latest >= date_from
            and bool(activity.end_date)
            and latest > activity.end_date
        )
        found.append((activity, early or late))
    return found


def summary_counts(date_from: date, date_to: date) -> Row[tuple[int, int, int, Decimal | None, int]]:
    """Return participants, anonymous headcount, trained customers, budget and budget count."""
    # Every budget overlapping the period counts whole: an interim report sets the year's budget
    # against spend so far.
    overlapping = and_(Budget.start_date <= date_to, Budget.end_date >= date_from)
    budget = select(func.sum(Budget.amount)).where(overlapping).scalar_subquery()
    budgets_found = select(func.count()).select_from(Budget).where(overlapping).scalar_subquery()
    trained = case((Activity.category == "training", Participation.customer_id))
    row = db.session.execute(
        select(
            func.count(Participation.customer_id.distinct()),
            _anonymous_headcount(),
            func.count(trained.distinct()),
            budget,
            budgets_found,
        )
        .select_from(Participation)
        .join(Activity, Activity.id == Participation.activity_id)
        .where(_in_period(Participation.date, date_from, date_to))
    ).one()
    return row


def new_regulars(date_from: date, date_to: date, min_dates: int) -> int:
    """Count customers on ``min_dates``+ dates in forums/panels/scrutiny this period and never before."""
    regular = Activity.category.in_(REGULAR_CATEGORIES)
    in_period = (
        select(Participation.customer_id)
        .join(Activity, Activity.id == Participation.activity_id)
        .where(regular, Participation.customer_id.is_not(None))
        .where(_in_period(Participation.date, date_from, date_to))
        .group_by(Participation.customer_id)
        .having(func.count(Participation.date.distinct()) >= min_dates)
        .subquery()
    )
    earlier = Participation.__table__.alias("earlier")
    earlier_activity = Activity.__table__.alias("earlier_activity")
    before = (
        select(literal(1))
        .select_from(earlier.join(earlier_activity, earlier_activity.c.id == earlier.c.activity_id))
        .where(
            earlier.c.customer_id == in_period.c.customer_id,
            earlier.c.date < date_from,
            earlier_activity.c.category.in_(REGULAR_CATEGORIES),
        )
        .exists()
    )
    return int(db.session.scalar(select(func.count()).select_from(in_period).where(not_(before))) or 0)


def profile_rows(date_from: date, date_to: date) -> list[tuple[str, str | None, int, int]]:
    """Return (field, value, base, participants) for each profile field, plus a coverage row."""
    participants = (
        select(Participation.customer_id)
        .where(_in_period(Participation.date, date_from, date_to), Participation.customer_id.is_not(None))
        .distinct()
        .subquery()
    )
    columns = {name: getattr(Customer, name) for name in PROFILE_FIELDS if name != "area"}
    complete = and_(*(col.is_not(None) for col in columns.values()), Customer.area_id.is_not(None))
    flagged = (
        select(
            *columns.values(),
            Area.name.label("area"),
            case((participants.c.customer_id.is_(None), 0), else_=1).label("took_part"),
            case((complete, 1), else_=0).label("complete"),
        )
        .select_from(Customer)
        .outerjoin(participants, participants.c.customer_id == Customer.id)
        .outerjoin(Area, Area.id == Customer.area_id)
        .where(Customer.erased_at.is_(None))
        .cte("flagged")
    )
    parts = [
        select(
            literal(name).label("field"),
            flagged.c[name].label("value"),
            func.count().label("base"),
            func.sum(flagged.c.took_part).label("participants"),
        ).group_by(flagged.c[name])
        for name in PROFILE_FIELDS
    ]
    parts.append(
        select(
            literal("_coverage").label("field"),
            literal(None).label("value"),
            func.count().label("base"),
            func.coalesce(func.sum(flagged.c.complete), 0).label("participants"),
        )
    )
    rows = db.session.execute(union_all(*parts))
    return [(f, v, int(b), int(p or 0)) for f, v, b, p in rows]


def outcomes_in_period(date_from: date, date_to: date) -> list[OutcomeLog]:
    """Return "you said, we did" entries raised or resolved in the period."""
    return list(
        db.session.scalars(
            select(OutcomeLog)
            .where(
                or_(
                    _in_period(OutcomeLog.raised_on, date_from, date_to),
                    _in_period(OutcomeLog.resolved_on, date_from, date_to),
                )
            )
            .order_by(OutcomeLog.raised_on, OutcomeLog.id)
        )
    )


def actions_underway() -> list[Action]:
    """Return actions still open or in progress, soonest due first."""
    return list(
        db.session.scalars(
            select(Action).where(Action.status.in_(OPEN_ACTION_STATUSES)).order_by(Action.due_date, Action.id)
        )
    )


def overrides_for(date_from: date, date_to: date) -> dict[int, RatingOverride]:
    """Return the latest rating override per activity for the financial year holding the period."""
    year = override_year(date_from, date_to)
    if year is None:
        return {}
    found: dict[int, RatingOverride] = {}
    rows = db.session.scalars(
        select(RatingOverride)
        .where(RatingOverride.financial_year == year)
        .order_by(RatingOverride.created_at, RatingOverride.id)
    )
    for override in rows:
        found[override.activity_id] = override
    return found
