"""The builder's and staff screens' forms; ``validate`` in definitions checks what they carry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, Field, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import ValidationError

from consultations.audiences import CHANNELS, AudienceSpec
from consultations.surveys.audience_form import GROUPS, uploaded_refs
from consultations.surveys.definitions import parse_when
from consultations.surveys.qtypes import TYPES, LabelledScale

# Settings that are kept as typed even when blank; any other blank setting means "not set".
KEEP_BLANK = ("intro", "slug", "title", "activity")
NOT_COUNTED = ("Don't know", "Not applicable")
SETTINGS = (
    "slug",
    "title",
    "activity",
    "intro",
    "thanks",
    "opens_at",
    "closes_at",
    "reminder_after_hours",
    "max_reminders",
    "minutes_per_response",
)


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _text(**kwargs: Any) -> Any:
    """A text field that reads "" when the field was not posted."""
    return StringField(default="", filters=[_stripped], **kwargs)


def _many(choices: Any = ()) -> Any:
    """Ticked values as posted: an unknown one is for ``validate`` to name, not for the form to drop."""
    return SelectMultipleField(choices=list(choices), validate_choice=False, default=list)


class SettingsForm(FlaskForm):
    """A consultation's settings: everything but its questions and audience."""

    title = _text()
    slug = _text()
    activity = _text()
    new_activity = BooleanField()
    channels = _many(CHANNELS)
    preference = _text()
    web_link = BooleanField()
    intro = _text()
    thanks = _text()
    opens_at = _text()
    closes_at = _text()
    reminder_after_hours = _text()
    max_reminders = _text()
    minutes_per_response = _text()

    def settings(self) -> dict[str, Any]:
        """Return the typed settings under their definition keys (blank ones as None)."""
        data: dict[str, Any] = {
            n: self.data[n] if self.data[n] or n in KEEP_BLANK else None for n in SETTINGS
        }
        data["channels"] = list(self.channels.data)
        data["channel_preference"] = [c for c in (self.preference.data or "sms,email").split(",") if c]
        data["web_link"] = bool(self.web_link.data)
        return data


class QuestionForm(FlaskForm):
    """One question as the builder posts it, with the action and the question's place."""

    action = _text()
    index = _text()
    confirm = _text()
    key = _text()
    text = TextAreaField(default="")
    type = _text()
    required = BooleanField()
    options = TextAreaField(default="")
    not_counted = _many(NOT_COUNTED)
    min = _text()
    max = _text()
    ask_if_key = _text()
    ask_if_in = _text()

    def position(self) -> int | None:
        """Return the posted index of the question acted on, if it is a number."""
        try:
            return int(self.index.data)
        except (TypeError, ValueError):
            return None

    def question(self) -> dict[str, Any]:
        """Return the question as a definition entry (keys left out when not given)."""
        kind = TYPES.get(self.type.data, TYPES["choice"])
        question: dict[str, Any] = {
            "key": self.key.data or None,
            "text": self.text.data or "",
            "type": kind.name,
            "required": bool(self.required.data),
        }
        if kind.takes_options:
            question["options"] = [line.strip() for line in self.options.data.splitlines() if line.strip()]
        if isinstance(kind, LabelledScale) and self.not_counted.data:
            question["not_counted"] = list(self.not_counted.data)
        if kind.takes_range:
            for name in ("min", "max"):
                if self[name].data:
                    question[name] = self[name].data
        if self.ask_if_key.data:
            values = [v.strip() for v in self.ask_if_in.data.split("|") if v.strip()]
            question["ask_if"] = {"key": self.ask_if_key.data, "in": values}
        return {k: v for k, v in question.items() if v is not None}

    def values(self) -> dict[str, Any]:
        """Return what was typed, for the page to show again beside its errors."""
        return dict(self.data)


class AudienceForm(FlaskForm):
    """Who is invited: filters, pasted or uploaded references and an optional sample."""

    action = _text()
    areas = _many()
    tenures = _many()
    age_bands = _many()
    genders = _many()
    ethnicities = _many()
    disabilities = _many()
    languages = _many()
    consented_only = BooleanField()
    involvement_register = BooleanField()
    customer_refs = TextAreaField(default="")
    refs_file = FileField()
    not_contacted_days = _text()
    sample_size = _text()
    sample_seed = _text()
    sample_stratify = _text()

    def spec(self) -> AudienceSpec:
        """Build the audience the form describes; raise AudienceError naming a bad field."""
        pasted = self.customer_refs.data or ""
        refs = [r for r in pasted.replace(",", "\n").splitlines() if r.strip()]
        refs += uploaded_refs(self.refs_file.data or None)
        data: dict[str, Any] = {key: list(self[key].data) for key, _ in GROUPS}
        data.update(
            consented_only=bool(self.consented_only.data),
            involvement_register=bool(self.involvement_register.data),
            customer_refs=refs,
            not_contacted_days=self.not_contacted_days.data or None,
        )
        if self.sample_size.data:
            data["sample"] = {
                "size": self.sample_size.data,
                "seed": self.sample_seed.data or None,
                "stratify": self.sample_stratify.data or None,
            }
        return AudienceSpec.from_json(data)


class ImportForm(FlaskForm):
    """A JSON definition, uploaded as a file or pasted."""

    definition = FileField()
    definition_text = TextAreaField(default="")

    def raw(self) -> bytes:
        """Return the definition's bytes, from the file when one was chosen."""
        upload = self.definition.data
        return upload.read() if upload else (self.definition_text.data or "").encode()


class ConfirmForm(FlaskForm):
    """The single "yes" of a confirmation page."""

    confirm = _text()

    def confirmed(self) -> bool:
        """Return whether staff confirmed."""
        return self.confirm.data == "yes"


class ScheduleForm(FlaskForm):
    """When to launch (UK time)."""

    at = _text()
    # Set by validate_at once the time reads; never used before validate() is true.
    when: datetime = datetime.min

    def validate_at(self, field: Field) -> None:
        """Read the launch time, or say what is wrong with it."""
        errors: list[str] = []
        when = parse_when(field.data, "Launch time", errors)
        if errors or when is None:
            raise ValidationError(str(errors[0]) if errors else "Give a launch date and time.")
        self.when = when


class TestSendForm(FlaskForm):
    """Where to send a test of the opening text or the invitation email."""

    channel = _text()
    to = _text()


class SimulateForm(FlaskForm):
    """The number a trial conversation runs with."""

    phone = _text()


class EntryForm(FlaskForm):
    """Who answered on paper or by phone; the answers themselves are read by ``webform``."""

    entry_channel = _text()
    customer_ref = _text()

    def channel(self) -> str:
        """Return the channel the answers came by (post unless phone)."""
        return self.entry_channel.data if self.entry_channel.data in ("post", "phone") else "post"


class OpenLinkForm(FlaskForm):
    """The optional customer reference on the open web link; the answers are read by ``webform``."""

    class Meta:
        # Public survey pages carry no token, as now; this form only reads two fields.
        csrf = False

    customer_ref = _text()
    customer_check = _text()
