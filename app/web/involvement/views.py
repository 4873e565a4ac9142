"""Staff screens for activities and their ledgers."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.activities import delete_ledger_row, save_activity, split_refs
from app.auth.decorators import roles_required
from app.extensions import db
from app.ledger import LedgerError, log_participation
from app.models import Activity, utcnow
from app.models.involvement import CATEGORIES
from app.periods import Period, financial_year, financial_year_starting, local_date
from app.web.involvement import queries
from app.web.involvement.blueprint import bp
from app.web.involvement.forms import ActivityForm, ParticipationForm
from app.web.ledger_forms import CostForm, StaffTimeForm, submit_cost, submit_staff_time
from app.web.paging import page_number


def _period_from_args() -> Period | None:
    """Read ``?fy=2026`` as the financial year starting April 2026; blank means all time."""
    raw = request.args.get("fy", "")
    return financial_year_starting(int(raw)) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None


@bp.get("/activities")
@roles_required("staff")
def activities() -> ResponseReturnValue:
    """List activities with customers involved, hours and cost, for all time or a financial year."""
    period = _period_from_args()
    category = request.args.get("category", "")
    category = category if category in CATEGORIES else ""
    current = financial_year(local_date(utcnow()))
    years = [financial_year_starting(current.start.year - n) for n in range(4)]
    return render_template(
        "involvement/activities.html",
        rows=queries.activity_rows(period, category),
        period=period,
        years=years,
        category=category,
        categories=CATEGORIES,
    )


def _form_page(form: ActivityForm, activity: Activity | None) -> ResponseReturnValue:
    if form.validate_on_submit():
        try:
            saved = save_activity(form.values(), activity=activity, actor=current_user, now=utcnow())
        except LedgerError as exc:
            db.session.rollback()
            form[exc.field].errors = [*form[exc.field].errors, exc.message]
        else:
            db.session.commit()
            flash(f"Saved activity “{saved.name}”.", "success")
            return redirect(url_for("involvement.activity", activity_id=saved.id))
    status = 422 if request.method == "POST" else 200
    return render_template("involvement/activity_form.html", form=form, activity=activity), status


@bp.route("/activities/new", methods=["GET", "POST"])
@roles_required("staff")
def new_activity() -> ResponseReturnValue:
    """Create an activity."""
    return _form_page(ActivityForm(), None)


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@roles_required("staff")
def edit_activity(activity_id: int) -> ResponseReturnValue:
    """Edit an activity's words, homes, dates and targets."""
    activity = db.get_or_404(Activity, activity_id)
    return _form_page(ActivityForm(obj=activity), activity)


def _activity_page(activity: Activity, status: int = 200, **forms: Any) -> ResponseReturnValue:
    """Render the activity page with its totals, ledgers and the three logging forms."""
    today = local_date(utcnow())
    pform = forms.get("pform") or ParticipationForm(prefix="p", formdata=None, date=today)
    sform = forms.get("sform") or StaffTimeForm(prefix="s", formdata=None, date=today)
    cform = forms.get("cform") or CostForm(prefix="c", formdata=None, date=today)
    year = financial_year(today)
    return render_template(
        "involvement/activity.html",
        activity=activity,
        totals=queries.activity_totals(activity),
        year=year,
        year_totals=queries.activity_totals(activity, year),
        participations=queries.participation_page(activity.id, page_number(request.args.get("page"))),
        staff_rows=queries.staff_time_rows(activity.id),
        cost_rows=queries.cost_rows(activity.id),
        pform=pform,
        sform=sform,
        cform=cform,
        can_delete=current_user.has_role("manager"),
    ), status


@bp.get("/activities/<int:activity_id>")
@roles_required("staff")
def activity(activity_id: int) -> ResponseReturnValue:
    """Show an activity: the report's words, running totals, ledgers and logging forms."""
    return _activity_page(db.get_or_404(Activity, activity_id))


def _back(activity: Activity) -> ResponseReturnValue:
    return redirect(url_for("involvement.activity", activity_id=activity.id) + "#totals")


@bp.post("/activities/<int:activity_id>/participation")
@roles_required("staff")
def log_participation_view(activity_id: int) -> ResponseReturnValue:
    """Log customers by reference, or an anonymous headcount, taking part."""
    activity = db.get_or_404(Activity, activity_id)
    form = ParticipationForm(prefix="p")
    if not form.validate_on_submit():
        return _activity_page(activity, 422, pform=form)
    refs = split_refs(form.refs.data or "")
    try:
        logged = log_participation(
            activity,
            refs=refs,
            headcount=form.headcount.data,
            day=form.date.data,
            channel=form.channel.data,
            hours_each=form.hours.data,
            actor=current_user,
            now=utcnow(),
        )
    except LedgerError as exc:
        db.session.rollback()
        form[exc.field].errors = [*form[exc.field].errors, exc.message]
        return _activity_page(activity, 422, pform=form)
    db.session.commit()
    people = sum(row.headcount for row in logged.rows)
    message = f"Recorded {people} {'person' if people == 1 else 'people'} taking part."
    if logged.already:
        message += f" Already recorded on that date, so skipped: {', '.join(logged.already)}."
    flash(message, "success")
    return _back(activity)


@bp.post("/activities/<int:activity_id>/staff-time")
@roles_required("staff")
def log_staff_time_view(activity_id: int) -> ResponseReturnValue:
    """Log staff hours against the activity."""
    activity = db.get_or_404(Activity, activity_id)
    form = StaffTimeForm(prefix="s")
    row = submit_staff_time(form, activity, actor=current_user, now=utcnow())
    if row:
        flash(f"Recorded {row.hours.normalize():f} staff hours.", "success")
        return _back(activity)
    return _activity_page(activity, 422, sform=form)


@bp.post("/activities/<int:activity_id>/costs")
@roles_required("staff")
def log_cost_view(activity_id: int) -> ResponseReturnValue:
    """Log money spent on the activity."""
    activity = db.get_or_404(Activity, activity_id)
    form = CostForm(prefix="c")
    row = submit_cost(form, activity, actor=current_user, now=utcnow())
    if row:
        flash(f"Recorded a cost of £{row.amount:,.2f}.", "success")
        return _back(activity)
    return _activity_page(activity, 422, cform=form)


@bp.post("/activities/<int:activity_id>/ledger/<kind>/<int:row_id>/delete")
@roles_required("manager")
def delete_ledger_row_view(activity_id: int, kind: str, row_id: int) -> ResponseReturnValue:
    """Delete a mistaken ledger row once confirmed; the audit log keeps what it held."""
    activity = db.get_or_404(Activity, activity_id)
    if request.form.get("confirm") != "yes":
        return redirect(
            url_for(
                "involvement.confirm_delete_ledger_row", activity_id=activity.id, kind=kind, row_id=row_id
            ),
            303,
        )
    if not delete_ledger_row(kind, row_id, activity=activity, actor=current_user, now=utcnow()):
        flash("That row was already deleted or belongs to another activity.", "error")
        return _back(activity)
    db.session.commit()
    flash("Deleted the row; the audit log keeps a record of it.", "success")
    return _back(activity)
