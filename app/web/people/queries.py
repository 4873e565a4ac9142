"""Reading the customer register: search, filters, choices and participation history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    cast,
    distinct,
    func,
    or_,
    select,
    type_coerce,
)

from app.contact import phone_or_none
from app.extensions import db
from app.models import Activity, Area, AuditEvent, Customer, Participation
from app.models.base import UTCDateTime
from app.vocabulary.lists import load
from app.web.paging import Page, paginate

# The profile fields staff pick from the landlord's lists on the customer form.
PROFILE_CHOICES = ("tenure", "age_band", "gender", "ethnicity", "disability", "language")
SORTS: dict[str, tuple[Any, ...]] = {
    "ref": (Customer.ref,),
    "name": (Customer.last_name, Customer.first_name),
    "area": (Area.name,),
    "tenure": (Customer.tenure,),
    "created": (Customer.created_at,),
}


@dataclass(frozen=True)
class CustomerFilters:
    """What the customer list is narrowed and ordered by."""

    q: str = ""
    area_id: int | None = None
    tenure: str = ""
    sms: str = ""  # "yes" consented and not opted out, "no" otherwise, "" any
    email: str = ""
    sort: str = "name"
    desc: bool = False

    @classmethod
    def from_args(cls, args: Any) -> CustomerFilters:
        """Read filters from a query string, ignoring values that make no sense."""
        area = args.get("area", "")
        sort = args.get("sort", "name")
        return cls(
            q=args.get("q", "").strip()[:100],
            area_id=int(area) if area.isdigit() else None,
            tenure=args.get("tenure", "").strip()[:40],
            sms=args.get("sms", "") if args.get("sms") in {"yes", "no"} else "",
            email=args.get("email", "") if args.get("email") in {"yes", "no"} else "",
            sort=sort if sort in SORTS else "name",
            desc=args.get("dir") == "desc",
        )

    def as_args(self) -> dict[str, Any]:
        """Return the filters as query-string arguments (blank ones left out)."""
        args = {"q": self.q, "area": self.area_id or "", "tenure": self.tenure, "sms": self.sms}
        args |= {"email": self.email, "sort": self.sort if self.sort != "name" else ""}
        args["dir"] = "desc" if self.desc else ""
        return {k: v for k, v in args.items() if v not in ("", None)}


def sms_reachable() -> ColumnElement[bool]:
    """Customers who may be texted: consent, a phone, no opt-out, not erased."""
    return and_(
        Customer.sms_consent.is_(True),
        Customer.phone.is_not(None),
        Customer.sms_opted_out_at.is_(None),
        Customer.erased_at.is_(None),
    )


def email_reachable() -> ColumnElement[bool]:
    """Customers who may be emailed: consent, an address, no opt-out, not erased."""
    return and_(
        Customer.email_consent.is_(True),
        Customer.email.is_not(None),
        Customer.email_opted_out_at.is_(None),
        Customer.erased_at.is_(None),
    )


def _search_clause(q: str) -> ColumnElement[bool]:
    like = f"%{q.lower().replace('%', '').replace('_', '')}%"
    full_name = func.lower(Customer.first_name + " " + Customer.last_name)
    clauses: list[ColumnElement[bool]] = [
        func.lower(Customer.ref) == q.lower(),
        func.lower(Customer.ref).like(like),
        full_name.like(like),
        func.lower(Customer.email).like(like),
    ]
    digits = "".join(ch for ch in q if ch.isdigit())
    if len(digits) >= 4:
        # Match phones whichever way they are typed: 07911 123456, +44 7911 123456, or a tail.
        number = phone_or_none(q)
        if number:
            clauses.append(Customer.phone == number)
        clauses.append(Customer.phone.like(f"%{digits.lstrip('0')}%"))
    return or_(*clauses)


def customer_query(filters: CustomerFilters) -> Select[Any]:
    """Build the filtered, ordered customer query."""
    query = select(Customer).outerjoin(Area, Customer.area_id == Area.id)
    if filters.q:
        query = query.where(_search_clause(filters.q))
    if filters.area_id:
        query = query.where(Customer.area_id == filters.area_id)
    if filters.tenure:
        query = query.where(Customer.tenure == filters.tenure)
    if filters.sms:
        query = query.where(sms_reachable() if filters.sms == "yes" else ~sms_reachable())
    if filters.email:
        query = query.where(email_reachable() if filters.email == "yes" else ~email_reachable())
    columns = SORTS[filters.sort]
    order = [c.desc() if filters.desc else c.asc() for c in columns]
    return query.order_by(*order, Customer.id.desc() if filters.desc else Customer.id)


def search_customers(filters: CustomerFilters, page: int, per_page: int = 50) -> Page[Customer]:
    """Return one page of customers matching ``filters``."""
    return paginate(customer_query(filters), page, per_page)


def areas() -> list[Area]:
    """All areas, in the landlord's order."""
    return list(db.session.scalars(select(Area).order_by(Area.position, Area.name)))


def profile_choices(column: str) -> list[str]:
    """The landlord's list for a profile field, in its order."""
    return list(load(column).values)


@dataclass
class History:
    """A customer's participation rows and their totals."""

    rows: list[Any] = field(default_factory=list)
    times: int = 0
    activities: int = 0
    hours: Decimal = Decimal(0)
    first: date | None = None
    last: date | None = None


def participation_history(customer_id: int) -> History:
    """Return every participation of a customer, newest first, with totals computed in SQL."""
    rows = db.session.execute(
        select(Participation.date, Participation.channel, Participation.hours, Activity.id, Activity.name)
        .join(Activity, Participation.activity_id == Activity.id)
        .where(Participation.customer_id == customer_id)
        .order_by(Participation.date.desc(), Participation.id.desc())
    ).all()
    totals = db.session.execute(
        select(
            func.count(Participation.id),
            func.count(distinct(Participation.activity_id)),
            func.coalesce(func.sum(Participation.hours), 0),
            func.min(Participation.date),
            func.max(Participation.date),
        ).where(Participation.customer_id == customer_id)
    ).one()
    return History(
        rows=list(rows),
        times=totals[0],
        activities=totals[1],
        hours=Decimal(totals[2]),
        first=totals[3],
        last=totals[4],
    )


@dataclass(frozen=True)
class ConsentDates:
    """When each consent was last set by staff (None: as imported or added, never changed since)."""

    sms: datetime | None
    email: datetime | None


def consent_dates(customer_id: int) -> ConsentDates:
    """Return when staff last changed each consent, from the audit log, in one SQL query."""
    detail = cast(AuditEvent.detail, String)

    def changed(field_name: str) -> Any:
        return type_coerce(func.max(case((detail.like(f'%"{field_name}"%'), AuditEvent.at))), UTCDateTime)

    row = db.session.execute(
        select(changed("sms_consent"), changed("email_consent")).where(
            AuditEvent.action == "customer.update",
            AuditEvent.target_type == "customer",
            AuditEvent.target_id == str(customer_id),
        )
    ).one()
    return ConsentDates(sms=row[0], email=row[1])
