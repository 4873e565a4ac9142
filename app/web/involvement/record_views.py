"""Staff screens for "you said, we did" outcomes, actions underway and budgets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import case, select
from wtforms import SelectChoice

from app.auth.decorators import roles_required
from app.extensions import db
from app.ledger import LedgerError
from app.models import Action, Budget, OutcomeLog, utcnow
from app.models.involvement import Activity
from app.periods import local_date
from app.web.involvement import queries
from app.web.involvement.blueprint import bp
from app.web.involvement.forms import ActionForm, BudgetForm, OutcomeForm
from app.web.involvement.records import (
    CLOSED_STATUSES,
    close_action,
    resolve_outcome,
    save_action,
    save_budget,
    save_outcome,
)


def _edit(
    form: FlaskForm,
    save: Callable[..., Any],
    obj: Any,
    template: str,
    done: str,
    noun: str,
    **context: Any,
) -> ResponseReturnValue:
    """Validate ``form``, save through ``save``, and redirect to ``done``; re-show it with messages when wrong."""
    if form.validate_on_submit():
        try:
            save(form.values(), **{noun: obj}, actor=current_user, now=utcnow())  # type: ignore[attr-defined]
        except LedgerError as exc:
            db.session.rollback()
            form[exc.field].errors = [*form[exc.field].errors, exc.message]
        else:
            db.session.commit()
            flash(f"Saved the {noun}.", "success")
            return redirect(url_for(done))
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, obj=obj, **context), status


def _outcome_form(outcome: OutcomeLog | None) -> OutcomeForm:
    form = OutcomeForm(obj=outcome)
    form.activity_id.choices = [
        SelectChoice("", "None"),
        *(SelectChoice(i, n) for i, n in queries.activity_choices()),
    ]
    return form


@bp.get("/outcomes")
@roles_required("staff")
def outcomes() -> ResponseReturnValue:
    """List "you said, we did" entries, unresolved first."""
    show = request.args.get("show", "all")
    query = (
        select(OutcomeLog, Activity.name)
        .outerjoin(Activity, OutcomeLog.activity_id == Activity.id)
        .order_by(OutcomeLog.resolved_on.is_not(None), OutcomeLog.raised_on.desc(), OutcomeLog.id.desc())
    )
    if show == "open":
        query = query.where(OutcomeLog.resolved_on.is_(None))
    rows = db.session.execute(query).all()
    return render_template("involvement/outcomes.html", rows=rows, show=show, today=local_date(utcnow()))


@bp.route("/outcomes/new", methods=["GET", "POST"])
@roles_required("staff")
def new_outcome() -> ResponseReturnValue:
    """Record something customers raised and what was done."""
    return _edit(
        _outcome_form(None),
        save_outcome,
        None,
        "involvement/outcome_form.html",
        "involvement.outcomes",
        "outcome",
    )


@bp.route("/outcomes/<int:outcome_id>/edit", methods=["GET", "POST"])
@roles_required("staff")
def edit_outcome(outcome_id: int) -> ResponseReturnValue:
    """Edit a "you said, we did" entry."""
    outcome = db.get_or_404(OutcomeLog, outcome_id)
    return _edit(
        _outcome_form(outcome),
        save_outcome,
        outcome,
        "involvement/outcome_form.html",
        "involvement.outcomes",
        "outcome",
    )


@bp.post("/outcomes/<int:outcome_id>/resolve")
@roles_required("staff")
def resolve_outcome_view(outcome_id: int) -> ResponseReturnValue:
    """Mark an entry resolved today."""
    outcome = db.get_or_404(OutcomeLog, outcome_id)
    now = utcnow()
    resolve_outcome(outcome, on=local_date(now), actor=current_user, now=now)
    db.session.commit()
    flash("Marked resolved.", "success")
    return redirect(url_for("involvement.outcomes"))


@bp.get("/actions")
@roles_required("staff")
def actions() -> ResponseReturnValue:
    """List actions underway, open ones first and overdue ones marked."""
    still_open = Action.status.not_in(CLOSED_STATUSES)
    rows = db.session.scalars(
        select(Action).order_by(case((still_open, 0), else_=1), Action.due_date, Action.id)
    ).all()
    return render_template(
        "involvement/actions.html", rows=rows, today=local_date(utcnow()), closed=CLOSED_STATUSES
    )


@bp.route("/actions/new", methods=["GET", "POST"])
@roles_required("staff")
def new_action() -> ResponseReturnValue:
    """Add an action underway."""
    return _edit(
        ActionForm(), save_action, None, "involvement/action_form.html", "involvement.actions", "action"
    )


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@roles_required("staff")
def edit_action(action_id: int) -> ResponseReturnValue:
    """Edit an action's aim, outcome, due date or status."""
    action = db.get_or_404(Action, action_id)
    return _edit(
        ActionForm(obj=action),
        save_action,
        action,
        "involvement/action_form.html",
        "involvement.actions",
        "action",
    )


@bp.post("/actions/<int:action_id>/close")
@roles_required("staff")
def close_action_view(action_id: int) -> ResponseReturnValue:
    """Mark an action done."""
    action = db.get_or_404(Action, action_id)
    close_action(action, actor=current_user, now=utcnow())
    db.session.commit()
    flash("Marked done.", "success")
    return redirect(url_for("involvement.actions"))


@bp.get("/budgets")
@roles_required("staff")
def budgets() -> ResponseReturnValue:
    """List budgets with what has been spent against each, from costs that count toward the budget."""
    rows = queries.budget_rows()
    return render_template("involvement/budgets.html", rows=rows, can_edit=current_user.has_role("manager"))


@bp.route("/budgets/new", methods=["GET", "POST"])
@roles_required("manager")
def new_budget() -> ResponseReturnValue:
    """Set the budget for a span of dates."""
    return _edit(
        BudgetForm(), save_budget, None, "involvement/budget_form.html", "involvement.budgets", "budget"
    )


@bp.route("/budgets/<int:budget_id>/edit", methods=["GET", "POST"])
@roles_required("manager")
def edit_budget(budget_id: int) -> ResponseReturnValue:
    """Change a budget."""
    budget = db.get_or_404(Budget, budget_id)
    return _edit(
        BudgetForm(obj=budget),
        save_budget,
        budget,
        "involvement/budget_form.html",
        "involvement.budgets",
        "budget",
    )
