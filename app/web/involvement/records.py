"""Changing the report's other records: "you said, we did" outcomes, actions and budgets."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.ledger import LedgerError
from app.models import Action, Budget, OutcomeLog
from app.models.audit import apply_changes, record
from app.models.involvement import ACTION_STATUSES

OUTCOME_FIELDS = ("where_who", "what", "outcome", "raised_on", "resolved_on", "activity_id")
ACTION_FIELDS = ("aim", "expected_outcome", "due_date", "status")
BUDGET_FIELDS = ("start_date", "end_date", "amount", "note")
CLOSED_STATUSES = ("done", "cancelled")


def save_outcome(
    values: dict[str, Any], *, outcome: OutcomeLog | None, actor: Any, now: datetime
) -> OutcomeLog:
    """Create or update a "you said, we did" entry; the caller commits."""
    values = {k: values.get(k) for k in OUTCOME_FIELDS}
    for key in ("where_who", "what"):
        values[key] = (values[key] or "").strip()
        if not values[key]:
            raise LedgerError(key, "This cannot be left empty.")
    values["outcome"] = (values["outcome"] or "").strip()
    if not values["raised_on"]:
        raise LedgerError("raised_on", "Enter the date the issue was raised.")
    if values["resolved_on"] and values["resolved_on"] < values["raised_on"]:
        raise LedgerError("resolved_on", "It cannot be resolved before it was raised.")
    if outcome is None:
        outcome = OutcomeLog(created_at=now, **values)
        db.session.add(outcome)
        db.session.flush()
        record("outcome.create", actor=actor, target_type="outcome_logs", target_id=outcome.id, now=now)
        return outcome
    apply_changes(outcome, values, "outcome.update", actor=actor, now=now)
    db.session.flush()
    return outcome


def resolve_outcome(outcome: OutcomeLog, *, on: date, actor: Any, now: datetime) -> None:
    """Mark an outcome resolved on ``on`` (kept as it is when already resolved); the caller commits."""
    if outcome.resolved_on is None:
        apply_changes(
            outcome, {"resolved_on": max(on, outcome.raised_on)}, "outcome.resolve", actor=actor, now=now
        )
        db.session.flush()


def save_action(values: dict[str, Any], *, action: Action | None, actor: Any, now: datetime) -> Action:
    """Create or update an action underway; closing statuses stamp ``closed_at``; the caller commits."""
    values = {k: values.get(k) for k in ACTION_FIELDS}
    values["aim"] = (values["aim"] or "").strip()
    values["expected_outcome"] = (values["expected_outcome"] or "").strip()
    if not values["aim"]:
        raise LedgerError("aim", "Enter the aim.")
    if not values["due_date"]:
        raise LedgerError("due_date", "Enter the due date.")
    if values["status"] not in ACTION_STATUSES:
        raise LedgerError("status", "Choose a status from the list.")
    closing = values["status"] in CLOSED_STATUSES
    if action is None:
        action = Action(created_at=now, closed_at=now if closing else None, **values)
        db.session.add(action)
        db.session.flush()
        record("action.create", actor=actor, target_type="actions", target_id=action.id, now=now)
        return action
    was_closed = action.status in CLOSED_STATUSES
    apply_changes(action, values, "action.update", actor=actor, now=now)
    if closing and not was_closed:
        action.closed_at = now
    elif not closing:
        action.closed_at = None
    db.session.flush()
    return action


def close_action(action: Action, *, actor: Any, now: datetime) -> None:
    """Mark an action done; the caller commits."""
    if action.status not in CLOSED_STATUSES:
        apply_changes(action, {"status": "done"}, "action.close", actor=actor, now=now)
        action.closed_at = now
        db.session.flush()


def save_budget(values: dict[str, Any], *, budget: Budget | None, actor: Any, now: datetime) -> Budget:
    """Create or update a budget for a span of dates; the caller commits."""
    values = {k: values.get(k) for k in BUDGET_FIELDS}
    values["note"] = (values["note"] or "").strip()
    if not values["start_date"]:
        raise LedgerError("start_date", "Enter the first day the budget covers.")
    if not values["end_date"]:
        raise LedgerError("end_date", "Enter the last day the budget covers.")
    if values["end_date"] < values["start_date"]:
        raise LedgerError("end_date", "The end date is before the start date.")
    amount = values["amount"]
    if amount is None or amount < 0:
        raise LedgerError("amount", "Enter the budget in pounds (0 or more).")
    if amount >= Decimal("10000000000"):
        raise LedgerError("amount", "That amount is too large.")
    clash = db.session.scalar(
        select(Budget.id).where(
            Budget.start_date == values["start_date"], Budget.end_date == values["end_date"]
        )
    )
    if clash is not None and (budget is None or clash != budget.id):
        raise LedgerError("start_date", "There is already a budget for exactly these dates; edit that one.")
    if budget is None:
        budget = Budget(**values)
        db.session.add(budget)
        db.session.flush()
        record(
            "budget.create",
            actor=actor,
            target_type="budgets",
            target_id=budget.id,
            detail={"amount": str(amount)},
            now=now,
        )
        return budget
    apply_changes(budget, values, "budget.update", actor=actor, now=now)
    db.session.flush()
    return budget
