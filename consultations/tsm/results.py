"""The tenant perception measures of a TSM survey for a period, per population, optionally weighted.

Technical Requirements (Regulator of Social Housing, TSM Direction Part A): each measure is the
share of respondents answering very or fairly satisfied (TP08: strongly agree or agree) among
those who answered that question; a routed-past, blank, "don't know" or "not applicable" answer
is outside the base. The latest completed response per customer in the period counts.
Counting runs in SQL; only the handful of weighting cells are combined in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, case, func, literal, or_, select

from app.extensions import db
from app.models import Area, Customer
from app.periods import LONDON
from consultations.surveys.models import Answer, Consultation, Invitation, Question, Response
from consultations.surveys.qtypes import NOT_COUNTED
from consultations.tsm.populations import POPULATIONS, population_of, register_counts
from consultations.tsm.sampling import achieved_margin, minimum_responses, required_margin
from consultations.tsm.template import LCRA_ONLY, MEASURES

UTC = ZoneInfo("UTC")
WEIGHT_FIELDS = ("tenure", "area", "age_band")
SMALL_BASE = 50


def percent(satisfied: float, base: float) -> float | None:
    """Return 100 × satisfied / base to one decimal (half up), or None for an empty base."""
    if not base:
        return None
    value = Decimal(str(satisfied)) * 100 / Decimal(str(base))
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    low = datetime.combine(start, time(0), tzinfo=LONDON).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time(0), tzinfo=LONDON).astimezone(UTC)
    return low, high


def counted_responses(consultation: Consultation, start: date, end: date) -> Any:
    """Return a subquery of the responses that count: the latest completed per customer in the period."""
    low, high = _bounds(start, end)
    # Anonymous responses cannot be told apart, so each stands alone.
    person = func.coalesce(Response.customer_id, -Response.id)
    ranked = (
        select(
            Response.id.label("response_id"),
            Response.customer_id.label("customer_id"),
            func.row_number()
            .over(partition_by=person, order_by=(Response.completed_at.desc(), Response.id.desc()))
            .label("rank"),
        )
        .outerjoin(Invitation, Invitation.id == Response.invitation_id)
        .where(
            Response.consultation_id == consultation.id,
            Response.status == "completed",
            Response.completed_at >= low,
            Response.completed_at < high,
            # Staff trying the survey in the simulator is never a tenant's answer.
            or_(Invitation.id.is_(None), Invitation.is_test.is_(False)),
        )
        .subquery()
    )
    return select(ranked.c.response_id, ranked.c.customer_id).where(ranked.c.rank == 1).subquery()


def _group(tenure: Any) -> Any:
    """Population of a respondent: LCRA, LCHO, "unknown" (no customer or tenure) or "outside"."""
    return case(
        (or_(Customer.id.is_(None), Customer.tenure.is_(None)), literal("unknown")),
        else_=func.coalesce(population_of(tenure), literal("outside")),
    )


@dataclass
class Cell:
    """One measure's counts; weighted sums alongside when weighting is on."""

    base: float = 0
    satisfied: float = 0
    weighted_base: float = 0
    weighted_satisfied: float = 0

    def to_json(self, key: str, population: str | None, weighted: bool, small: int) -> dict[str, Any]:
        if population == "LCHO" and key in LCRA_ONLY:
            return {"base": None, "satisfied": None, "percent": None, "note": "not reported for LCHO"}
        data: dict[str, Any] = {
            "base": int(self.base),
            "satisfied": int(self.satisfied),
            "percent": percent(self.satisfied, self.base),
            "small_base": 0 < self.base < small,
        }
        if weighted:
            data["weighted_percent"] = percent(
                round(self.weighted_satisfied, 6), round(self.weighted_base, 6)
            )
        return data


def _cells_key(row: Any, by: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(getattr(row, f) for f in by)


def _register_cells(by: tuple[str, ...]) -> dict[tuple[Any, ...], int]:
    columns = {"tenure": Customer.tenure, "area": Area.name, "age_band": Customer.age_band}
    chosen = [columns[f].label(f) for f in by]
    query = (
        select(*chosen, func.count().label("n"))
        .select_from(Customer)
        .outerjoin(Area, Area.id == Customer.area_id)
        .where(Customer.erased_at.is_(None), population_of(Customer.tenure).is_not(None))
        .group_by(*chosen)
    )
    return {_cells_key(r, by): r.n for r in db.session.execute(query)}


def compute(
    consultation: Consultation,
    start: date,
    end: date,
    *,
    weight_by: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Return the results object that `flask tsm results` prints and the pages show."""
    small = int(current_app.config.get("TSM_SMALL_BASE", SMALL_BASE))
    counted = counted_responses(consultation, start, end)
    group = _group(Customer.tenure).label("grp")
    cell_columns = {"tenure": Customer.tenure, "area": Area.name, "age_band": Customer.age_band}
    cells = [cell_columns[f].label(f) for f in weight_by]
    in_base = and_(Answer.skipped.is_(False), Answer.value.not_in(NOT_COUNTED))
    rows = db.session.execute(
        select(
            group,
            *cells,
            Question.key.label("key"),
            func.count(case((in_base, 1))).label("base"),
            func.count(case((and_(in_base, Answer.option_index < 2), 1))).label("satisfied"),
        )
        .select_from(counted)
        .join(Answer, Answer.response_id == counted.c.response_id)
        .join(Question, Question.id == Answer.question_id)
        .outerjoin(Customer, Customer.id == counted.c.customer_id)
        .outerjoin(Area, Area.id == Customer.area_id)
        .where(Question.key.in_(MEASURES))
        .group_by(group, *cells, Question.key)
    ).all()
    respondents = db.session.execute(
        select(group, *cells, func.count().label("n"))
        .select_from(counted)
        .outerjoin(Customer, Customer.id == counted.c.customer_id)
        .outerjoin(Area, Area.id == Customer.area_id)
        .group_by(group, *cells)
    ).all()
    weights = _weights(respondents, weight_by) if weight_by else {}
    overall = {k: Cell() for k in MEASURES}
    per_population = {p: {k: Cell() for k in MEASURES} for p in POPULATIONS}
    for row in rows:
        if row.grp == "outside":
            continue
        weight = weights.get(_cells_key(row, weight_by), {}).get("weight") if weight_by else None
        targets = [overall[row.key]] + ([per_population[row.grp][row.key]] if row.grp in POPULATIONS else [])
        for target in targets:
            target.base += row.base
            target.satisfied += row.satisfied
            if weight is not None and row.grp in POPULATIONS:
                target.weighted_base += weight * row.base
                target.weighted_satisfied += weight * row.satisfied
    counts = {g: 0 for g in (*POPULATIONS, "unknown", "outside")}
    for row in respondents:
        counts[row.grp] += row.n
    register = register_counts()
    weighted = bool(weight_by)
    populations = {}
    for name in POPULATIONS:
        population, responses = register[name], counts[name]
        margin = required_margin(population)
        populations[name] = {
            "population": population,
            "responses": responses,
            "required_margin": margin,
            "minimum_responses": minimum_responses(population, margin),
            "achieved_margin": _round(achieved_margin(population, responses)),
            "measures": {k: per_population[name][k].to_json(k, name, weighted, small) for k in MEASURES},
        }
    return {
        "consultation": consultation.slug,
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "responses": counts["LCRA"] + counts["LCHO"] + counts["unknown"],
        "measures": {k: overall[k].to_json(k, None, weighted, small) for k in MEASURES},
        "populations": populations,
        "excluded": {"outside_tsm_tenures": counts["outside"], "population_unknown": counts["unknown"]},
        "small_base_under": small,
        "weighting": _weighting_json(weights, weight_by),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _weights(respondents: list[Any], by: tuple[str, ...]) -> dict[tuple[Any, ...], dict[str, Any]]:
    register = _register_cells(by)
    sample = {_cells_key(r, by): r.n for r in respondents if r.grp in POPULATIONS}
    register_total = sum(register.values())
    sample_total = sum(sample.values())
    table: dict[tuple[Any, ...], dict[str, Any]] = {}
    for key in sorted(set(register) | set(sample), key=lambda k: tuple(str(p) for p in k)):
        on_register, answered = register.get(key, 0), sample.get(key, 0)
        weight = None
        if answered and register_total and sample_total:
            weight = (on_register / register_total) / (answered / sample_total)
        table[key] = {"register": on_register, "respondents": answered, "weight": weight}
    return table


def _weighting_json(weights: dict[tuple[Any, ...], dict[str, Any]], by: tuple[str, ...]) -> dict[str, Any]:
    if not by:
        return {"applied": False, "by": [], "explanation": "Unweighted: every counted response counts once."}
    unrepresented = sum(1 for w in weights.values() if w["register"] and not w["respondents"])
    explanation = (
        f"Weighted to the register by {', '.join(f.replace('_', ' ') for f in by)}: each respondent's weight is "
        "the share of the register's tenants in their group divided by the share of respondents in it, so "
        "groups that answered less count for more. Respondents without a customer record or tenure are left "
        "out of the weighted figures."
    )
    if unrepresented:
        explanation += (
            f" {unrepresented} group(s) on the register had no respondents and cannot be represented."
        )
    cells = [
        {
            **dict(zip(by, key, strict=True)),
            "register": w["register"],
            "respondents": w["respondents"],
            "weight": None if w["weight"] is None else round(w["weight"], 4),
        }
        for key, w in weights.items()
    ]
    return {"applied": True, "by": list(by), "explanation": explanation, "cells": cells}
