"""Reading activities and their ledgers: totals are computed in SQL with GROUP BY."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, distinct, func, or_, select, true

from app.extensions import db
from app.models import Action, Activity, Budget, Cost, Customer, Participation, StaffTime
from app.periods import Period
from app.web.paging import Page, paginate

ZERO = Decimal(0)


def _in_period(column: Any, period: Period | None) -> ColumnElement[bool]:
    return column.between(period.start, period.end) if period else true()


def participation_totals(period: Period | None = None) -> Any:
    """Per activity: customers involved (distinct identified + anonymous headcounts) and customer hours."""
    anonymous = func.sum(case((Participation.customer_id.is_(None), Participation.headcount), else_=0))
    return (
        select(
            Participation.activity_id.label("activity_id"),
            (func.count(distinct(Participation.customer_id)) + func.coalesce(anonymous, 0)).label(
                "customers"
            ),
            func.count(distinct(Participation.customer_id)).label("identified"),
            func.coalesce(anonymous, 0).label("anonymous"),
            func.coalesce(func.sum(Participation.hours), 0).label("hours"),
        )
        .where(_in_period(Participation.date, period))
        .group_by(Participation.activity_id)
        .subquery("p")
    )


def staff_totals(period: Period | None = None) -> Any:
    """Per activity: staff hours."""
    return (
        select(StaffTime.activity_id.label("activity_id"), func.sum(StaffTime.hours).label("hours"))
        .where(_in_period(StaffTime.date, period))
        .group_by(StaffTime.activity_id)
        .subquery("s")
    )


def cost_totals(period: Period | None = None) -> Any:
    """Per activity: money spent."""
    return (
        select(Cost.activity_id.label("activity_id"), func.sum(Cost.amount).label("amount"))
        .where(_in_period(Cost.date, period))
        .group_by(Cost.activity_id)
        .subquery("c")
    )


@dataclass(frozen=True)
class Totals:
    """The running totals of one activity."""

    customers: int = 0
    identified: int = 0
    anonymous: int = 0
    customer_hours: Decimal = ZERO
    staff_hours: Decimal = ZERO
    total_cost: Decimal = ZERO
    homes: int | None = None

    @property
    def cost_per_customer(self) -> Decimal | None:
        """Total cost over customers involved, to the penny (None when nobody took part)."""
        if not self.customers:
            return None
        return (self.total_cost / self.customers).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def cost_per_property(self) -> Decimal | None:
        """Total cost over homes affected (None when homes are not known)."""
        if not self.homes:
            return None
        return (self.total_cost / self.homes).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def activity_rows(period: Period | None = None, category: str = "") -> list[Any]:
    """List activities with customers involved, hours and total cost, in one query."""
    p, s, c = participation_totals(period), staff_totals(period), cost_totals(period)
    query: Select[Any] = (
        select(
            Activity,
            func.coalesce(p.c.customers, 0).label("customers"),
            func.coalesce(p.c.hours, 0).label("customer_hours"),
            func.coalesce(s.c.hours, 0).label("staff_hours"),
            func.coalesce(c.c.amount, 0).label("total_cost"),
        )
        .outerjoin(p, p.c.activity_id == Activity.id)
        .outerjoin(s, s.c.activity_id == Activity.id)
        .outerjoin(c, c.c.activity_id == Activity.id)
        .order_by(Activity.start_date.is_(None), Activity.start_date, Activity.name)
    )
    if period:
        overlaps = and_(
            or_(Activity.start_date.is_(None), Activity.start_date <= period.end),
            or_(Activity.end_date.is_(None), Activity.end_date >= period.start),
            or_(Activity.start_date.is_not(None), Activity.end_date.is_not(None)),
        )
        query = query.where(
            or_(
                p.c.activity_id.is_not(None),
                s.c.activity_id.is_not(None),
                c.c.activity_id.is_not(None),
                overlaps,
            )
        )
    if category:
        query = query.where(Activity.category == category)
    return list(db.session.execute(query).all())


def activity_totals(activity: Activity, period: Period | None = None) -> Totals:
    """Return the running totals of one activity."""
    anonymous = func.sum(case((Participation.customer_id.is_(None), Participation.headcount), else_=0))
    part = db.session.execute(
        select(
            func.count(distinct(Participation.customer_id)),
            func.coalesce(anonymous, 0),
            func.coalesce(func.sum(Participation.hours), 0),
        ).where(Participation.activity_id == activity.id, _in_period(Participation.date, period))
    ).one()
    staff = db.session.scalar(
        select(func.coalesce(func.sum(StaffTime.hours), 0)).where(
            StaffTime.activity_id == activity.id, _in_period(StaffTime.date, period)
        )
    )
    cost = db.session.scalar(
        select(func.coalesce(func.sum(Cost.amount), 0)).where(
            Cost.activity_id == activity.id, _in_period(Cost.date, period)
        )
    )
    identified, anon = int(part[0]), int(part[1] or 0)
    return Totals(
        customers=identified + anon,
        identified=identified,
        anonymous=anon,
        customer_hours=Decimal(part[2]),
        staff_hours=Decimal(staff or 0),
        total_cost=Decimal(cost or 0),
        homes=activity.homes_affected,
    )


def participation_page(activity_id: int, page: int, per_page: int = 50) -> Page[Any]:
    """One page of an activity's participation rows, newest first, with the customer."""
    query = (
        select(Participation, Customer)
        .outerjoin(Customer, Participation.customer_id == Customer.id)
        .where(Participation.activity_id == activity_id)
        .order_by(Participation.date.desc(), Participation.id.desc())
    )
    return paginate(query, page, per_page, scalars=False)


def staff_time_rows(activity_id: int) -> list[StaffTime]:
    """An activity's staff time, newest first."""
    return list(
        db.session.scalars(
            select(StaffTime)
            .where(StaffTime.activity_id == activity_id)
            .order_by(StaffTime.date.desc(), StaffTime.id.desc())
        )
    )


def cost_rows(activity_id: int) -> list[Cost]:
    """An activity's costs, newest first."""
    return list(
        db.session.scalars(
            select(Cost).where(Cost.activity_id == activity_id).order_by(Cost.date.desc(), Cost.id.desc())
        )
    )


def activity_choices() -> list[tuple[int, str]]:
    """Activities as (id, name) for select boxes."""
    return [
        (a.id, a.name) for a in db.session.execute(select(Activity.id, Activity.name).order_by(Activity.name))
    ]


def action_counts(today: date) -> tuple[int, int]:
    """Return (open actions, overdue actions): open means not done and not cancelled."""
    still_open = Action.status.in_(("open", "in progress"))
    row = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((Action.due_date < today, 1), else_=0)), 0)).where(
            still_open
        )
    ).one()
    return int(row[0]), int(row[1])


def budget_rows() -> list[Any]:
    """Budgets, newest first, each with the spend dated inside it on activities that count toward budget."""
    counted = (
        select(Cost.date.label("date"), Cost.amount.label("amount"))
        .join(Activity, Cost.activity_id == Activity.id)
        .where(Activity.counts_toward_budget.is_(True))
        .subquery("counted")
    )
    query = (
        select(Budget, func.coalesce(func.sum(counted.c.amount), 0).label("spent"))
        .outerjoin(counted, counted.c.date.between(Budget.start_date, Budget.end_date))
        .group_by(Budget.id)
        .order_by(Budget.start_date.desc(), Budget.id.desc())
    )
    return list(db.session.execute(query).all())
