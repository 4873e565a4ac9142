"""The audit log page: admins read and filter what staff did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import Select, func, select

from app.auth.decorators import roles_required
from app.extensions import db
from app.models import AuditEvent
from app.periods import LONDON
from app.web.paging import page_number, paginate

bp = Blueprint("audit", __name__, url_prefix="/admin")
PER_PAGE = 50


@dataclass(frozen=True)
class AuditFilters:
    """The filters of the audit log page, read from the query string."""

    action: str = ""
    actor: str = ""
    date_from: date | None = None
    date_to: date | None = None
    errors: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args: Any) -> AuditFilters:
        """Read the filters; a date that cannot be read is dropped with a message."""
        errors: list[str] = []

        def day(name: str, label: str) -> date | None:
            raw = (args.get(name) or "").strip()
            if not raw:
                return None
            try:
                return date.fromisoformat(raw)
            except ValueError:
                errors.append(f"The {label} date must look like 2026-04-30.")
                return None

        date_from, date_to = day("from", "from"), day("to", "to")
        if date_from and date_to and date_from > date_to:
            errors.append("The from date must not be after the to date.")
            date_to = None
        return cls(
            action=(args.get("action") or "").strip()[:60],
            actor=(args.get("actor") or "").strip()[:254],
            date_from=date_from,
            date_to=date_to,
            errors=tuple(errors),
        )

    def as_args(self) -> dict[str, str]:
        """Return the filters in use, for links that keep them."""
        args = {"action": self.action, "actor": self.actor}
        args["from"] = self.date_from.isoformat() if self.date_from else ""
        args["to"] = self.date_to.isoformat() if self.date_to else ""
        return {k: v for k, v in args.items() if v}


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON)


def audit_query(filters: AuditFilters) -> Select[Any]:
    """Return the events matching ``filters``, newest first; dates are UK calendar days."""
    query = select(AuditEvent)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.actor:
        pattern = (
            "%" + filters.actor.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        query = query.where(func.lower(AuditEvent.actor_email).like(pattern, escape="\\"))
    if filters.date_from:
        query = query.where(AuditEvent.at >= _london_midnight(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEvent.at < _london_midnight(filters.date_to + timedelta(days=1)))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


@bp.get("/audit")
@roles_required("admin")
def index() -> ResponseReturnValue:
    """List audit events, filtered by action, actor and date range, 50 to a page."""
    filters = AuditFilters.from_args(request.args)
    page = paginate(audit_query(filters), page_number(request.args.get("page")), PER_PAGE)
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return render_template("audit/audit.html", page=page, filters=filters, actions=actions), (
        400 if filters.errors else 200
    )
