"""Forms for staff time and costs, shared by every page that logs them (activities, events)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from app.extensions import db
from app.ledger import COST_KINDS, DAY_HOURS, LedgerError, log_cost, log_staff_time
from app.models import Activity, Cost, StaffTime

MAX_HOURS = Decimal(100000)
T = TypeVar("T")


class LooseDecimalField(DecimalField):
    """A number as people type it: a leading £ and thousands commas are allowed."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and isinstance(valuelist[0], str):
            valuelist = [valuelist[0].strip().lstrip("£").replace(",", "").strip(), *valuelist[1:]]
        super().process_formdata(valuelist)


class StaffTimeForm(FlaskForm):
    """Log staff hours against an activity."""

    date = DateField("Date", validators=[DataRequired("Enter the date the work was done.")])
    hours = LooseDecimalField(
        "Hours",
        places=2,
        validators=[
            InputRequired("Enter the hours spent."),
            NumberRange(min=Decimal("0.01"), max=MAX_HOURS, message="Enter the hours spent (more than 0)."),
        ],
    )
    staff_email = EmailField(
        "Staff email (blank: you)",
        validators=[Optional(), Length(max=254), Email("Enter a full email address, like name@example.org.")],
    )
    note = StringField("Note", validators=[Length(max=500)])
    confirm_hours = BooleanField("Yes, these hours are right")

    @property
    def asks_to_confirm(self) -> bool:
        """Return whether the hours typed need the "these hours are right" box."""
        hours = self.hours.data
        return hours is not None and hours > DAY_HOURS


class CostForm(FlaskForm):
    """Log money spent on an activity."""

    date = DateField("Date", validators=[DataRequired("Enter the date of the spend.")])
    amount = LooseDecimalField(
        "Amount (£)",
        places=2,
        validators=[
            InputRequired("Enter the amount spent."),
            NumberRange(
                min=Decimal("0.01"),
                max=Decimal("1000000000"),
                message="Enter the amount in pounds (more than £0).",
            ),
        ],
    )
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(k, k.capitalize() if k != "sms" else "SMS") for k in COST_KINDS],
        default="other",
    )
    description = StringField("Description", validators=[Length(max=500)])


def _saved(form: FlaskForm, write: Callable[[], T]) -> T | None:
    """Validate ``form`` and run ``write``; commit and return its row, or roll back and mark the field."""
    if not form.validate_on_submit():
        return None
    try:
        row = write()
    except LedgerError as exc:
        db.session.rollback()
        form[exc.field].errors = [*form[exc.field].errors, exc.message]
        return None
    db.session.commit()
    return row


def submit_staff_time(
    form: StaffTimeForm, activity: Activity, *, actor: Any, now: datetime, latest: date | None = None
) -> StaffTime | None:
    """Save a posted staff-time form against ``activity``; None when the form has errors."""
    return _saved(
        form,
        lambda: log_staff_time(
            activity,
            day=form.date.data,
            hours=form.hours.data,
            staff_email=form.staff_email.data or "",
            note=form.note.data or "",
            actor=actor,
            now=now,
            latest=latest,
            confirmed=bool(form.confirm_hours.data),
        ),
    )


def submit_cost(form: CostForm, activity: Activity, *, actor: Any, now: datetime) -> Cost | None:
    """Save a posted cost form against ``activity``; None when the form has errors."""
    return _saved(
        form,
        lambda: log_cost(
            activity,
            day=form.date.data,
            amount=form.amount.data,
            kind=form.kind.data,
            description=form.description.data or "",
            actor=actor,
            now=now,
        ),
    )
