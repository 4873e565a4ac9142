"""Forms for staff time and costs, shared by every page that logs them (activities, events)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from app.ledger import COST_KINDS

MAX_HOURS = Decimal(100000)


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
