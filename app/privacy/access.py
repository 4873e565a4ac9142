"""Subject access: everything held about one customer, as JSON-ready data."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Activity, AuditEvent, Customer, Participation
from app.privacy.registry import places

CUSTOMER_FIELDS = (
    "ref",
    "first_name",
    "last_name",
    "phone",
    "email",
    "tenure",
    "age_band",
    "gender",
    "ethnicity",
    "disability",
    "sms_consent",
    "email_consent",
    "sms_opted_out_at",
    "email_opted_out_at",
    "involvement_register",
    "created_at",
    "updated_at",
    "erased_at",
)


def plain(value: Any) -> Any:
    """Return ``value`` as JSON can hold it: dates as ISO text, money and hours as strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _customer(customer: Customer) -> dict[str, Any]:
    data = {name: plain(getattr(customer, name)) for name in CUSTOMER_FIELDS}
    data["area"] = customer.area.name if customer.area else None
    return data


def _participation(customer: Customer) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Participation.date, Activity.name, Participation.channel, Participation.hours)
        .join(Activity, Activity.id == Participation.activity_id)
        .where(Participation.customer_id == customer.id)
        .order_by(Participation.date, Participation.id)
    )
    return [
        {"date": plain(day), "activity": name, "channel": channel, "hours": plain(hours)}
        for day, name, channel, hours in rows
    ]


def _staff_actions(customer: Customer) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "customer", AuditEvent.target_id == str(customer.id))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return [{"at": plain(event.at), "action": event.action, "detail": event.detail} for event in rows]


def subject_access(customer: Customer, now: datetime) -> dict[str, Any]:
    """Return every record held about ``customer``, section by section."""
    data: dict[str, Any] = {
        "generated_at": plain(now),
        "customer": _customer(customer),
        "participation": _participation(customer),
    }
    for place in places():
        data[place.name] = [{k: plain(v) for k, v in row.items()} for row in place.export(customer)]
    data["record_changes"] = _staff_actions(customer)
    return data


def section_title(key: str) -> str:
    """Return a heading for a section of the export, e.g. "Outbound messages"."""
    return key.replace("_", " ").capitalize()
