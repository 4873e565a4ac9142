"""The impact report as a typed, frozen object that every renderer reads, and its JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

PENNY = Decimal("0.01")
RATINGS = ("good", "average", "poor")


def pennies(value: Decimal) -> Decimal:
    """Round an amount half-up to whole pennies."""
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def _money_out(value: Decimal | None) -> str | None:
    return None if value is None else f"{pennies(value):.2f}"


def _money_in(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _hours_out(value: Decimal) -> int | float:
    # Hours are stored to 4 places; JSON carries them as plain numbers.
    return int(value) if value == value.to_integral_value() else float(value)


def _hours_in(value: int | float) -> Decimal:
    return Decimal(str(value))


def _date_in(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _date_out(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True)
class ActivityFigures:
    """One activity's card: its words, its figures and its traffic light."""

    name: str
    category: str
    aim: str
    method: str
    outcomes: str
    evidence: str
    customers_involved: int
    by_channel: dict[str, int]
    customer_hours: Decimal
    staff_hours: Decimal
    total_cost: Decimal
    cost_per_customer: Decimal | None
    homes_affected: int | None
    cost_per_property: Decimal | None
    rating: str | None
    rating_basis: str | None
    rating_reason: str = ""
    activity_id: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    qualifier: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the activity as it stands in the report's JSON."""
        return {
            "name": self.name,
            "category": self.category,
            "aim": self.aim,
            "method": self.method,
            "outcomes": self.outcomes,
            "evidence": self.evidence,
            "customers_involved": self.customers_involved,
            "by_channel": dict(self.by_channel),
            "customer_hours": _hours_out(self.customer_hours),
            "staff_hours": _hours_out(self.staff_hours),
            "total_cost": _money_out(self.total_cost),
            "cost_per_customer": _money_out(self.cost_per_customer),
            "homes_affected": self.homes_affected,
            "cost_per_property": _money_out(self.cost_per_property),
            "rating": self.rating,
            "rating_basis": self.rating_basis,
            "rating_reason": self.rating_reason,
            "activity_id": self.activity_id,
            "start_date": _date_out(self.start_date),
            "end_date": _date_out(self.end_date),
            "qualifier": self.qualifier,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ActivityFigures:
        """Rebuild an activity card from its JSON object."""
        return cls(
            name=data["name"],
            category=data["category"],
            aim=data["aim"],
            method=data["method"],
            outcomes=data["outcomes"],
            evidence=data["evidence"],
            customers_involved=int(data["customers_involved"]),
            by_channel={k: int(v) for k, v in data["by_channel"].items()},
            customer_hours=_hours_in(data["customer_hours"]),
            staff_hours=_hours_in(data["staff_hours"]),
            total_cost=Decimal(data["total_cost"]),
            cost_per_customer=_money_in(data["cost_per_customer"]),
            homes_affected=data["homes_affected"],
            cost_per_property=_money_in(data["cost_per_property"]),
            rating=data["rating"],
            rating_basis=data["rating_basis"],
            rating_reason=data.get("rating_reason", ""),
            activity_id=data.get("activity_id"),
            start_date=_date_in(data.get("start_date")),
            end_date=_date_in(data.get("end_date")),
            qualifier=data.get("qualifier", ""),
        )


@dataclass(frozen=True)
class Summary:
    """The summary paragraph's counts and the budget position."""

    customers_participated: int
    unidentified_participants: int
    new_regularly_involved: int
    customers_trained: int
    budget: Decimal | None
    spend: Decimal
    underspend: Decimal | None

    def to_json(self) -> dict[str, Any]:
        """Return the summary as it stands in the report's JSON."""
        return {
            "customers_participated": self.customers_participated,
            "unidentified_participants": self.unidentified_participants,
            "new_regularly_involved": self.new_regularly_involved,
            "customers_trained": self.customers_trained,
            "budget": _money_out(self.budget),
            "spend": _money_out(self.spend),
            "underspend": _money_out(self.underspend),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Summary:
        """Rebuild the summary from its JSON object."""
        return cls(
            customers_participated=int(data["customers_participated"]),
            unidentified_participants=int(data["unidentified_participants"]),
            new_regularly_involved=int(data["new_regularly_involved"]),
            customers_trained=int(data["customers_trained"]),
            budget=_money_in(data["budget"]),
            spend=Decimal(data["spend"]),
            underspend=_money_in(data["underspend"]),
        )


@dataclass(frozen=True)
class OutcomeEntry:
    """A "you said, we did" line."""

    where_who: str
    what: str
    outcome: str
    raised_on: date
    resolved_on: date | None


@dataclass(frozen=True)
class ActionEntry:
    """An activity underway with its due date."""

    aim: str
    expected_outcome: str
    due_date: date
    status: str
    overdue: bool


@dataclass(frozen=True)
class ProfileCell:
    """Participants and register base for one value of a profile field; None when suppressed."""

    participants: int | None
    base: int | None


@dataclass(frozen=True)
class Profile:
    """Respondents' profile against the whole register."""

    coverage: Decimal
    fields: dict[str, dict[str, ProfileCell]]
    participants_total: int = 0
    base_total: int = 0


@dataclass(frozen=True)
class Warning:
    """A data-quality problem that makes a figure less trustworthy."""

    code: str
    message: str
    activity: str | None = None


@dataclass(frozen=True)
class ImpactReport:
    """The whole impact report for the closed period ``[date_from, date_to]``."""

    date_from: date
    date_to: date
    title: str
    organisation: str
    generated_at: datetime
    activities: tuple[ActivityFigures, ...]
    summary: Summary
    outcomes_log: tuple[OutcomeEntry, ...]
    actions: tuple[ActionEntry, ...]
    profile: Profile
    warnings: tuple[Warning, ...] = field(default=())
    narrative: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the report as JSON: the download, the snapshot and the published copy all store this."""
        return {
            "period": {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()},
            "title": self.title,
            "organisation": self.organisation,
            "generated_at": self.generated_at.isoformat(),
            "activities": [a.to_json() for a in self.activities],
            "summary": self.summary.to_json(),
            "outcomes_log": [
                {
                    "where_who": o.where_who,
                    "what": o.what,
                    "outcome": o.outcome,
                    "raised_on": o.raised_on.isoformat(),
                    "resolved_on": _date_out(o.resolved_on),
                }
                for o in self.outcomes_log
            ],
            "actions": [
                {
                    "aim": a.aim,
                    "expected_outcome": a.expected_outcome,
                    "due_date": a.due_date.isoformat(),
                    "status": a.status,
                    "overdue": a.overdue,
                }
                for a in self.actions
            ],
            "profile": {
                "coverage": float(self.profile.coverage),
                "participants_total": self.profile.participants_total,
                "base_total": self.profile.base_total,
                "fields": {
                    name: {
                        value: {"participants": cell.participants, "base": cell.base}
                        for value, cell in cells.items()
                    }
                    for name, cells in self.profile.fields.items()
                },
            },
            "warnings": [
                {"code": w.code, "message": w.message, "activity": w.activity} for w in self.warnings
            ],
            "narrative": dict(self.narrative),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImpactReport:
        """Rebuild a report from its JSON form (used for published, frozen copies)."""
        profile = data["profile"]
        return cls(
            date_from=date.fromisoformat(data["period"]["from"]),
            date_to=date.fromisoformat(data["period"]["to"]),
            title=data.get("title", "Customer involvement impact report"),
            organisation=data.get("organisation", ""),
            generated_at=datetime.fromisoformat(data["generated_at"]),
            activities=tuple(ActivityFigures.from_json(a) for a in data["activities"]),
            summary=Summary.from_json(data["summary"]),
            outcomes_log=tuple(
                OutcomeEntry(
                    where_who=o["where_who"],
                    what=o["what"],
                    outcome=o["outcome"],
                    raised_on=date.fromisoformat(o["raised_on"]),
                    resolved_on=_date_in(o["resolved_on"]),
                )
                for o in data["outcomes_log"]
            ),
            actions=tuple(
                ActionEntry(
                    aim=a["aim"],
                    expected_outcome=a["expected_outcome"],
                    due_date=date.fromisoformat(a["due_date"]),
                    status=a["status"],
                    overdue=bool(a["overdue"]),
                )
                for a in data["actions"]
            ),
            profile=Profile(
                coverage=Decimal(str(profile["coverage"])),
                participants_total=int(profile.get("participants_total", 0)),
                base_total=int(profile.get("base_total", 0)),
                fields={
                    name: {
                        value: ProfileCell(participants=cell["participants"], base=cell["base"])
                        for value, cell in cells.items()
                    }
                    for name, cells in profile["fields"].items()
                },
            ),
            warnings=tuple(
                Warning(code=w["code"], message=w["message"], activity=w.get("activity"))
                for w in data.get("warnings", [])
            ),
            narrative=dict(data.get("narrative", {})),
        )
