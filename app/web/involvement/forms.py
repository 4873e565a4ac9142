"""Forms for activities, their ledgers, outcomes, actions and budgets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.activities import split_refs
from app.models.involvement import ACTION_STATUSES, CATEGORIES, CHANNELS


def _optional_int(value: Any) -> int | None:
    if value in ("", None, "None"):
        return None
    return int(value)


class ActivityForm(FlaskForm):
    """Create or edit an activity: every column of the activities CSV."""

    name = StringField("Name", validators=[DataRequired("Enter the activity's name."), Length(max=200)])
    category = SelectField(
        "Category", choices=[SelectChoice(c, c.capitalize()) for c in CATEGORIES], default="other"
    )
    aim = TextAreaField("Aim", validators=[Length(max=5000)])
    method = TextAreaField("Method", validators=[Length(max=5000)])
    outcomes = TextAreaField("Outcomes", validators=[Length(max=5000)])
    evidence = TextAreaField("Evidence", validators=[Length(max=5000)])
    homes_affected = IntegerField(
        "Homes affected",
        validators=[
            Optional(),
            NumberRange(min=0, max=10_000_000, message="Enter a number of homes, 0 or more."),
        ],
    )
    start_date = DateField("Start date", validators=[Optional()])
    end_date = DateField("End date", validators=[Optional()])
    target_customers = IntegerField(
        "Target: customers involved",
        validators=[Optional(), NumberRange(min=1, max=10_000_000, message="Enter a target of at least 1.")],
    )
    target_cost_per_customer = DecimalField(
        "Target: cost per customer (£)",
        places=2,
        validators=[
            Optional(),
            NumberRange(min=0, max=1_000_000, message="Enter an amount in pounds, 0 or more."),
        ],
    )
    counts_toward_budget = BooleanField("Spending counts toward the involvement budget", default=True)

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("The end date is before the start date.")

    def values(self) -> dict[str, Any]:
        """Return the submitted values for the service."""
        return {name: self[name].data for name in self._fields if name != "csrf_token"}


class ParticipationForm(FlaskForm):
    """Log customers (by reference) or an anonymous headcount taking part."""

    refs = TextAreaField("Customer references", validators=[Length(max=200_000)], render_kw={"rows": 3})
    headcount = IntegerField(
        "Or an anonymous headcount",
        validators=[
            Optional(),
            NumberRange(min=1, max=1_000_000, message="Enter a headcount of at least 1."),
        ],
    )
    date = DateField("Date", validators=[DataRequired("Enter the date they took part.")])
    channel = SelectField("Channel", choices=[SelectChoice(c, c) for c in CHANNELS], default="in person")
    hours = DecimalField(
        "Hours per person",
        places=2,
        default=Decimal("1"),
        validators=[
            InputRequired("Enter the hours each person spent (0 is allowed)."),
            NumberRange(min=0, max=1000, message="Enter hours between 0 and 1,000."),
        ],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if not self.refs.errors and not self.headcount.errors:
            has_refs, has_count = bool(split_refs(self.refs.data or "")), self.headcount.data is not None
            if has_refs == has_count:
                self.refs.errors = [
                    *self.refs.errors,
                    "Enter customer references or an anonymous headcount (one or the other).",
                ]
                ok = False
        return ok


class OutcomeForm(FlaskForm):
    """A "you said, we did" entry."""

    where_who = StringField(
        "Where / who",
        validators=[DataRequired("Say where the issue was raised, or by whom."), Length(max=200)],
    )
    what = TextAreaField("You said", validators=[DataRequired("Describe what customers raised.")])
    outcome = TextAreaField("We did")
    raised_on = DateField("Raised on", validators=[DataRequired("Enter the date it was raised.")])
    resolved_on = DateField("Resolved on", validators=[Optional()])
    activity_id = SelectField("Activity (optional)", coerce=_optional_int)

    def validate_resolved_on(self, field: DateField) -> None:
        if field.data and self.raised_on.data and field.data < self.raised_on.data:
            raise ValidationError("It cannot be resolved before it was raised.")

    def values(self) -> dict[str, Any]:
        return {name: self[name].data for name in self._fields if name != "csrf_token"}


class ActionForm(FlaskForm):
    """An activity underway, due by a date."""

    aim = TextAreaField("Aim", validators=[DataRequired("Enter the aim.")])
    expected_outcome = TextAreaField("Expected outcome")
    due_date = DateField("Due date", validators=[DataRequired("Enter the due date.")])
    status = SelectField(
        "Status", choices=[SelectChoice(s, s.capitalize()) for s in ACTION_STATUSES], default="open"
    )

    def values(self) -> dict[str, Any]:
        return {name: self[name].data for name in self._fields if name != "csrf_token"}


class BudgetForm(FlaskForm):
    """The involvement budget for a span of dates."""

    start_date = DateField("From", validators=[DataRequired("Enter the first day the budget covers.")])
    end_date = DateField("To", validators=[DataRequired("Enter the last day the budget covers.")])
    amount = DecimalField(
        "Amount (£)",
        places=2,
        validators=[
            InputRequired("Enter the budget in pounds."),
            NumberRange(min=0, max=Decimal("1000000000"), message="Enter the budget in pounds (0 or more)."),
        ],
    )
    note = StringField("Note", validators=[Length(max=500)])

    def validate_end_date(self, field: DateField) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("The end date is before the start date.")

    def values(self) -> dict[str, Any]:
        return {name: self[name].data for name in self._fields if name != "csrf_token"}
