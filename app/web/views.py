"""The staff home page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import case, distinct, func, select

from app.auth.decorators import roles_required
from app.extensions import db
from app.models import Customer, Participation, utcnow
from app.periods import financial_year, local_date
from app.web.involvement import queries as involvement_queries
from app.web.panels import home_panels
from app.web.people.queries import email_reachable, sms_reachable

bp = Blueprint("web", __name__)


def dashboard_counts() -> dict[str, int]:
    """Count the register, reachable customers, this year's activity and actions, in a few queries."""
    today = local_date(utcnow())
    year = financial_year(today)
    register = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((sms_reachable(), 1), else_=0)), 0),
            func.coalesce(func.sum(case((email_reachable(), 1), else_=0)), 0),
        )
        .select_from(Customer)
        .where(Customer.erased_at.is_(None))
    ).one()
    taking_part = db.session.execute(
        select(
            func.count(distinct(Participation.customer_id)),
            func.coalesce(
                func.sum(case((Participation.customer_id.is_(None), Participation.headcount), else_=0)), 0
            ),
            func.count(distinct(Participation.activity_id)),
        ).where(Participation.date.between(year.start, year.end))
    ).one()
    open_actions, overdue = involvement_queries.action_counts(today)
    return {
        "customers": int(register[0]),
        "sms": int(register[1]),
        "email": int(register[2]),
        "activities": len(involvement_queries.activity_rows(year)),
        "participants": int(taking_part[0]),
        "anonymous": int(taking_part[1]),
        "active_activities": int(taking_part[2]),
        "open_actions": open_actions,
        "overdue_actions": overdue,
    }


@bp.get("/")
@roles_required("staff")
def home() -> ResponseReturnValue:
    """Show the dashboard: register, reach, this financial year's involvement and actions due."""
    return render_template(
        "web/home.html",
        counts=dashboard_counts(),
        year=financial_year(local_date(utcnow())),
        channels=current_app.extensions.get("involve_channels", {}),
        panels=home_panels(current_app._get_current_object()),  # type: ignore[attr-defined]
    )
