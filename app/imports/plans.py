"""Import budgets, the "you said, we did" outcomes log and the actions list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.imports import fields as f
from app.imports.activities import activity_cell, activity_ids
from app.imports.reader import Columns, Progress, Repeats, Sheet
from app.imports.result import ImportResult
from app.imports.store import column_limit, upsert
from app.models import Action, Budget, OutcomeLog
from app.models.involvement import ACTION_STATUSES

BUDGET_COLUMNS = Columns(("start_date", "end_date", "amount"))
OUTCOME_COLUMNS = Columns(("where_who", "what", "raised_on"), ("outcome", "resolved_on", "activity"))
ACTION_COLUMNS = Columns(("aim", "due_date"), ("expected_outcome", "status"))
CLOSED_STATUSES = ("done", "cancelled")


def import_budgets(sheet: Sheet, result: ImportResult, now: datetime, progress: Progress | None) -> None:
    """Add budgets by their span of dates, or update the amount of a span already known."""
    records: dict[tuple[Any, ...], dict[str, Any]] = {}
    repeats = Repeats()
    for row in sheet:
        start = row.get("start_date", f.iso_date, required=True)
        end = row.get("end_date", f.iso_date, required=True)
        amount = row.get("amount", f.money, required=True)
        if start and end and end < start:
            row.error("end_date", f"{end.isoformat()} is before the start date {start.isoformat()}")
        key = (start, end)
        repeats.check(row, key, "start_date", f"the budget {start} to {end}")
        if not row.ok:
            continue
        records[key] = {"start_date": start, "end_date": end, "amount": amount}
    sheet.problems.raise_if_any()
    existing = {
        (start, end): (budget_id, {"amount": amount})
        for budget_id, start, end, amount in db.session.execute(
            select(Budget.id, Budget.start_date, Budget.end_date, Budget.amount)
        )
    }
    upsert(Budget, records, existing, result, key_fields=("start_date", "end_date"), progress=progress)


def import_outcomes(sheet: Sheet, result: ImportResult, now: datetime, progress: Progress | None) -> None:
    """Add outcomes keyed by where/who, what and date raised, or update their outcome and resolution."""
    where_text = f.text(column_limit(OutcomeLog, "where_who"))
    activities = activity_ids() if "activity" in sheet.columns else {}
    records: dict[tuple[Any, ...], dict[str, Any]] = {}
    repeats = Repeats()
    for row in sheet:
        values: dict[str, Any] = {
            "where_who": row.get("where_who", where_text, required=True),
            "what": row.get("what", f.text(None), required=True),
            "raised_on": row.get("raised_on", f.iso_date, required=True),
        }
        if "outcome" in sheet.columns:
            values["outcome"] = row.get("outcome", f.text(None), default="")
        if "resolved_on" in sheet.columns:
            values["resolved_on"] = resolved = row.get("resolved_on", f.iso_date)
            if resolved and values["raised_on"] and resolved < values["raised_on"]:
                row.error("resolved_on", f"{resolved.isoformat()} is before the date it was raised")
        if "activity" in sheet.columns:
            values["activity_id"] = activity_cell(row, activities)
        where, what = values["where_who"], values["what"]
        key = (where and where.casefold(), what and what.casefold(), values["raised_on"])
        repeats.check(row, key, "what", "the same outcome")
        if not row.ok:
            continue
        records[key] = values
    sheet.problems.raise_if_any()
    compared = ("outcome", "resolved_on", "activity_id")
    existing = {
        (where_who.casefold(), what.casefold(), raised_on): (
            outcome_id,
            dict(zip(compared, rest, strict=True)),
        )
        for outcome_id, where_who, what, raised_on, *rest in db.session.execute(
            select(OutcomeLog.id, OutcomeLog.where_who, OutcomeLog.what, OutcomeLog.raised_on).add_columns(
                *(getattr(OutcomeLog, n) for n in compared)
            )
        )
    }
    blanks = {"outcome": "", "resolved_on": None, "activity_id": None}
    for key, values in records.items():
        if key not in existing:
            values.update({k: v for k, v in blanks.items() if k not in values})
    upsert(
        OutcomeLog,
        records,
        existing,
        result,
        on_insert={"created_at": now},
        key_fields=("where_who", "what", "raised_on"),
        progress=progress,
    )


def import_actions(sheet: Sheet, result: ImportResult, now: datetime, progress: Progress | None) -> None:
    """Add actions keyed by aim and due date, or update their expected outcome and status."""
    status_choice = f.choice(ACTION_STATUSES)
    records: dict[tuple[Any, ...], dict[str, Any]] = {}
    repeats = Repeats()
    for row in sheet:
        values: dict[str, Any] = {
            "aim": row.get("aim", f.text(None), required=True),
            "due_date": row.get("due_date", f.iso_date, required=True),
        }
        if "expected_outcome" in sheet.columns:
            values["expected_outcome"] = row.get("expected_outcome", f.text(None), default="")
        if "status" in sheet.columns:
            values["status"] = row.get("status", status_choice, default="open")
        key = (values["aim"] and values["aim"].casefold(), values["due_date"])
        repeats.check(row, key, "aim", "the same action")
        if not row.ok:
            continue
        records[key] = values
    sheet.problems.raise_if_any()
    compared = ("expected_outcome", "status", "closed_at")
    existing = {
        (aim.casefold(), due): (action_id, dict(zip(compared, rest, strict=True)))
        for action_id, aim, due, *rest in db.session.execute(
            select(Action.id, Action.aim, Action.due_date).add_columns(
                *(getattr(Action, n) for n in compared)
            )
        )
    }
    for key, values in records.items():
        current = existing.get(key, (0, {}))[1]
        if key not in existing:
            values.setdefault("expected_outcome", "")
            values.setdefault("status", "open")
        if "status" in values:
            # Closing keeps the first closing time; reopening clears it.
            closed = values["status"] in CLOSED_STATUSES
            values["closed_at"] = (current.get("closed_at") or now) if closed else None
    upsert(
        Action,
        records,
        existing,
        result,
        on_insert={"created_at": now},
        key_fields=("aim", "due_date"),
        progress=progress,
    )
