"""Say what deleting a ledger row changes in the activity's totals, and delete only when confirmed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import abort, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import case, func, select

from app.activities import LEDGER_MODELS
from app.auth.decorators import roles_required
from app.extensions import db
from app.models import Activity, Cost, Participation, StaffTime
from app.web.involvement.blueprint import bp


def involved(activity_id: int, without: int | None = None) -> int:
    """Return the activity's customers involved (distinct customers + headcounts), leaving out one row."""
    query = select(
        func.count(func.distinct(Participation.customer_id)),
        func.coalesce(
            func.sum(case((Participation.customer_id.is_(None), Participation.headcount), else_=0)), 0
        ),
    ).where(Participation.activity_id == activity_id)
    if without is not None:
        query = query.where(Participation.id != without)
    customers, headcount = db.session.execute(query).one()
    return int(customers) + int(headcount)


def _total(model: type[Any], column: str, activity_id: int) -> Decimal:
    """Return the activity's sum of one ledger column, summed in SQL."""
    total = func.coalesce(func.sum(getattr(model, column)), 0)
    return Decimal(db.session.scalar(select(total).where(model.activity_id == activity_id)) or 0)


@bp.get("/activities/<int:activity_id>/ledger/<kind>/<int:row_id>/delete")
@roles_required("manager")
def confirm_delete_ledger_row(activity_id: int, kind: str, row_id: int) -> ResponseReturnValue:
    """Show the row and the activity's totals before and after deleting it, and ask once."""
    activity = db.get_or_404(Activity, activity_id)
    model = LEDGER_MODELS.get(kind)
    row = db.session.get(model, row_id) if model else None
    if row is None or row.activity_id != activity.id:
        abort(404)
    changes: list[tuple[str, object, object, str]] = []
    if isinstance(row, Participation):
        changes.append(("Customers involved", involved(activity.id), involved(activity.id, row.id), "number"))
        hours = _total(Participation, "hours", activity.id)
        changes.append(("Customer hours", hours, hours - row.hours, "hours"))
    elif isinstance(row, StaffTime):
        hours = _total(StaffTime, "hours", activity.id)
        changes.append(("Staff hours", hours, hours - row.hours, "hours"))
    elif isinstance(row, Cost):
        spent = _total(Cost, "amount", activity.id)
        changes.append(("Total cost", spent, spent - row.amount, "money"))
    return render_template(
        "involvement/confirm_delete.html", activity=activity, kind=kind, row=row, changes=changes
    )
