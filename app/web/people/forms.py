"""Forms for the customer register and staff logins."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from app.contact import ContactError, normalise_email, normalise_phone
from app.customers import CustomerData
from app.extensions import db
from app.models import Customer
from app.models.people import ROLES
from app.web.people import queries


def _optional_int(value: Any) -> int | None:
    if value in ("", None):
        return None
    return int(value)


class CustomerForm(FlaskForm):
    """Add or edit a customer."""

    ref = StringField(
        "Customer reference", validators=[DataRequired("Enter the customer reference."), Length(max=40)]
    )
    first_name = StringField("First name", validators=[Length(max=80)])
    last_name = StringField("Last name", validators=[Length(max=80)])
    phone = StringField("Mobile or phone number", validators=[Length(max=40)])
    email = EmailField("Email address", validators=[Optional(), Length(max=254)])
    area_id = SelectField("Area", coerce=_optional_int, validate_choice=True)
    tenure = SelectField("Tenure")
    age_band = SelectField("Age band")
    gender = SelectField("Gender")
    ethnicity = SelectField("Ethnicity")
    disability = SelectField("Disability")
    language = SelectField("Preferred language")
    sms_consent = BooleanField("Agrees to be contacted by text message")
    email_consent = BooleanField("Agrees to be contacted by email")
    involvement_register = BooleanField("On the involvement register (wants to be involved)")

    def __init__(self, *args: Any, customer: Customer | None = None, **kwargs: Any) -> None:
        super().__init__(*args, obj=customer, **kwargs)
        self._customer_id = customer.id if customer else None
        self.area_id.choices = [
            SelectChoice("", "Not recorded"),
            *(SelectChoice(a.id, a.name) for a in queries.areas()),
        ]
        for name in queries.PROFILE_CHOICES:
            field = self[name]
            listed = queries.profile_choices(name)
            held = getattr(customer, name, None) if customer else None
            field.choices = [
                SelectChoice("", "Not recorded"),
                *(SelectChoice(v, v) for v in listed),
                # A value from before the lists existed stays selectable until staff map it.
                *([SelectChoice(held, f"{held} (not on the list)")] if held and held not in listed else []),
            ]
            if field.data is None:
                field.data = ""

    def validate_ref(self, field: StringField) -> None:
        ref = (field.data or "").strip()
        clash = db.session.scalar(select(Customer.id).where(Customer.ref == ref))
        if clash is not None and clash != self._customer_id:
            raise ValidationError(f"Reference {ref} already belongs to another customer.")

    def validate_phone(self, field: StringField) -> None:
        try:
            normalise_phone(field.data)
        except ContactError as exc:
            raise ValidationError(str(exc)) from exc

    def validate_email(self, field: EmailField) -> None:
        try:
            normalise_email(field.data)
        except ContactError as exc:
            raise ValidationError(str(exc)) from exc

    def to_data(self) -> CustomerData:
        """Return the submitted values for the service."""
        blank = lambda v: v or None  # noqa: E731
        return CustomerData(
            ref=self.ref.data or "",
            first_name=self.first_name.data or "",
            last_name=self.last_name.data or "",
            phone=blank(self.phone.data),
            email=blank(self.email.data),
            area_id=self.area_id.data,
            tenure=blank(self.tenure.data),
            age_band=blank(self.age_band.data),
            gender=blank(self.gender.data),
            ethnicity=blank(self.ethnicity.data),
            disability=blank(self.disability.data),
            language=blank(self.language.data),
            sms_consent=bool(self.sms_consent.data),
            email_consent=bool(self.email_consent.data),
            involvement_register=bool(self.involvement_register.data),
        )


class StaffUserForm(FlaskForm):
    """Create a staff login."""

    email = EmailField("Email", validators=[DataRequired("Enter an email address."), Length(max=254)])
    name = StringField("Name", validators=[Length(max=120)])
    role = SelectField("Role", choices=[SelectChoice(r, r.title()) for r in ROLES], default="staff")
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Choose a password."),
            Length(min=8, message="Use at least 8 characters."),
            Length(max=1000, message="Use at most 1,000 characters."),
        ],
    )
    confirm = PasswordField(
        "Repeat the password", validators=[EqualTo("password", message="The passwords do not match.")]
    )


class RoleForm(FlaskForm):
    """Change a staff login's role."""

    role = SelectField("Role", choices=[SelectChoice(r, r.title()) for r in ROLES])


class TemporaryPasswordForm(FlaskForm):
    """Set a temporary password for a staff login."""

    password = PasswordField(
        "Temporary password",
        validators=[
            DataRequired("Choose a password."),
            Length(min=8, message="Use at least 8 characters."),
            Length(max=1000, message="Use at most 1,000 characters."),
        ],
    )
    confirm = PasswordField(
        "Repeat the password", validators=[EqualTo("password", message="The passwords do not match.")]
    )
