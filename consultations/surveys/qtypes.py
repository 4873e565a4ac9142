"""Question types: each type is one definition of how it is read, asked, entered, counted and exported.

Every place that treats questions differently by type asks the type here (the SMS engine, the
re-prompt, the web form and staff entry, the live figures, exports, the builder and definitions),
so a new type or scale is added once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from consultations.surveys.parsing import (
    FAILED,
    MAX_TEXT,
    SKIP_WORDS,
    Parsed,
    QuestionLike,
    read_bounded,
    read_choice,
    read_yesno,
    squash,
)

# The regulator's response scales for the tenant perception measures (Tenant Satisfaction
# Measures: Tenant Survey Requirements, Regulator of Social Housing): five points, most
# positive first. The first two count as satisfied (or agreeing).
SATISFACTION = (
    "Very satisfied",
    "Fairly satisfied",
    "Neither satisfied nor dissatisfied",
    "Fairly dissatisfied",
    "Very dissatisfied",
)
AGREEMENT = ("Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree")
# Answers a labelled scale may also offer; they are never part of a measure's base.
NOT_COUNTED = ("Don't know", "Not applicable")
# A scale this wide or narrower is shown as a row of radio buttons; wider ones as a number box.
RADIO_SCALE_STEPS = 10


@dataclass(frozen=True)
class Choice:
    """One radio button: the submitted value and the words beside it."""

    value: str
    label: str


class QuestionType:
    """The behaviour shared by every type; subclasses override what differs."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    # How the live page sums it up: "options" (bars per option), "scale" (bars per number and
    # an average), "numbers" (average, lowest, highest) or "texts" (latest answers).
    figures: ClassVar[str] = "options"
    takes_options: ClassVar[bool] = False
    takes_range: ClassVar[bool] = False
    free_text: ClassVar[bool] = False
    routable: ClassVar[bool] = True

    def labels(self, question: QuestionLike) -> list[str]:
        """Return the answers a person picks from, in order (empty for open answers)."""
        return list(question.options)

    def parse(self, question: QuestionLike, text: str) -> Parsed:
        """Read a reply leniently, as the SMS engine and imports do."""
        return read_choice(self.labels(question), text)

    def hint(self, question: QuestionLike) -> str:
        """Say how to answer by text."""
        listed = ", ".join(f"{i} for {option}" for i, option in enumerate(self.labels(question), start=1))
        return f"Reply {listed}"

    def reprompt(self, question: QuestionLike) -> str:
        """Say, after an unreadable reply, which answers are valid."""
        listed = ", ".join(f"{i} ({option})" for i, option in enumerate(self.labels(question), start=1))
        return f"Please reply with one of: {listed}"

    def widget(self, question: QuestionLike) -> str:
        """Return the form control: "radios", "input" or "textarea"."""
        return "radios"

    def choices(self, question: QuestionLike) -> list[Choice]:
        """Return the radio buttons of the web form and staff entry."""
        return [Choice(str(i), label) for i, label in enumerate(self.labels(question))]

    def read_field(self, question: QuestionLike, raw: str) -> Parsed | str:
        """Read one submitted form field (not blank); return the answer or the message to show."""
        options = self.labels(question)
        if raw.isdigit() and int(raw) < len(options):
            return Parsed(True, options[int(raw)], option_index=int(raw))
        return "Choose one of the options."

    def missing_message(self) -> str:
        """Return the message for a required field left blank."""
        return "Choose an answer."

    def field_values(self, question: QuestionLike, answers: list[str]) -> list[str]:
        """Return the form values that mean these answers (for routing on the page)."""
        wanted = {a.casefold() for a in answers}
        return [c.value for c in self.choices(question) if c.label.casefold() in wanted]

    def routing_value(self, question: QuestionLike, value: Any) -> str | None:
        """Return ``value`` as this question's answer for an ``ask_if`` list, or None if it cannot be."""
        if not isinstance(value, str):
            return None
        for label in self.labels(question):
            if label.casefold() == value.strip().casefold():
                return label
        return None

    def describe(self, question: QuestionLike) -> str:
        """Return the short description the builder lists."""
        return f"{self.label}: {' / '.join(self.labels(question))}"


class ChoiceType(QuestionType):
    name = "choice"
    label = "Choice"
    takes_options = True


class YesNoType(QuestionType):
    name = "yesno"
    label = "Yes / no"

    def labels(self, question: QuestionLike) -> list[str]:
        return ["Yes", "No"]

    def parse(self, question: QuestionLike, text: str) -> Parsed:
        return read_yesno(text)

    def hint(self, question: QuestionLike) -> str:
        return "Reply YES or NO"

    def reprompt(self, question: QuestionLike) -> str:
        return "Please reply YES or NO"

    def choices(self, question: QuestionLike) -> list[Choice]:
        return [Choice("yes", "Yes"), Choice("no", "No")]

    def read_field(self, question: QuestionLike, raw: str) -> Parsed | str:
        parsed = read_yesno(raw)
        return parsed if parsed.ok else "Choose Yes or No."

    def describe(self, question: QuestionLike) -> str:
        return self.label


class LabelledScale(QuestionType):
    """A fixed five-point scale of words, optionally with "Don't know" / "Not applicable"."""

    points: ClassVar[tuple[str, ...]] = ()
    counted_as_positive: ClassVar[int] = 2

    def labels(self, question: QuestionLike) -> list[str]:
        extras = [o for o in question.options if o in NOT_COUNTED]
        return [*self.points, *extras]

    def parse(self, question: QuestionLike, text: str) -> Parsed:
        parsed = read_choice(self.labels(question), text)
        if parsed.ok:
            return parsed
        # "very", "fairly satisfied!" and the like: the one label that starts with the words.
        words = squash(text)
        found = [i for i, o in enumerate(self.labels(question)) if words and squash(o).startswith(words)]
        if len(found) == 1:
            return Parsed(True, self.labels(question)[found[0]], option_index=found[0])
        return FAILED

    def describe(self, question: QuestionLike) -> str:
        extras = [o for o in question.options if o in NOT_COUNTED]
        return f"{self.label}" + (f", also {' / '.join(extras)}" if extras else "")


class SatisfactionType(LabelledScale):
    name = "satisfaction"
    label = "Satisfaction (very satisfied to very dissatisfied)"
    points = SATISFACTION


class AgreementType(LabelledScale):
    name = "agreement"
    label = "Agreement (strongly agree to strongly disagree)"
    points = AGREEMENT


class ScaleType(QuestionType):
    name = "scale"
    label = "Scale"
    figures = "scale"
    takes_range = True
    whole = True

    def labels(self, question: QuestionLike) -> list[str]:
        if question.min_value is None or question.max_value is None:
            return []
        return [str(v) for v in range(question.min_value, question.max_value + 1)]

    def parse(self, question: QuestionLike, text: str) -> Parsed:
        return read_bounded(question.min_value, question.max_value, text, whole=self.whole)

    def hint(self, question: QuestionLike) -> str:
        if question.min_value is not None and question.max_value is not None:
            return f"Reply a number from {question.min_value} to {question.max_value}"
        return "Reply with a number"

    def reprompt(self, question: QuestionLike) -> str:
        return "Please " + self.hint(question)[0].lower() + self.hint(question)[1:]

    def widget(self, question: QuestionLike) -> str:
        low, high = question.min_value, question.max_value
        small = low is not None and high is not None and high - low <= RADIO_SCALE_STEPS
        return "radios" if self.whole and small else "input"

    def choices(self, question: QuestionLike) -> list[Choice]:
        return [Choice(v, v) for v in self.labels(question)]

    def read_field(self, question: QuestionLike, raw: str) -> Parsed | str:
        parsed = self.parse(question, raw)
        if parsed.ok:
            return parsed
        kind = "a whole number" if self.whole else "a number"
        low, high = question.min_value, question.max_value
        return (
            f"Enter {kind} from {low} to {high}."
            if low is not None and high is not None
            else f"Enter {kind}."
        )

    def missing_message(self) -> str:
        return "Enter an answer."

    def field_values(self, question: QuestionLike, answers: list[str]) -> list[str]:
        return list(answers)

    def routing_value(self, question: QuestionLike, value: Any) -> str | None:
        if isinstance(value, bool):
            return None
        parsed = self.parse(question, str(value))
        return parsed.value if parsed.ok else None

    def describe(self, question: QuestionLike) -> str:
        if question.min_value is None:
            return self.label
        return f"{self.label}: {question.min_value}–{question.max_value}"


class NumberType(ScaleType):
    name = "number"
    label = "Number"
    figures = "numbers"
    whole = False


class TextType(QuestionType):
    name = "text"
    label = "Free text"
    figures = "texts"
    free_text = True
    routable = False

    def labels(self, question: QuestionLike) -> list[str]:
        return []

    def parse(self, question: QuestionLike, text: str) -> Parsed:
        return Parsed(True, text[:MAX_TEXT])

    def hint(self, question: QuestionLike) -> str:
        return "Reply with your answer"

    def reprompt(self, question: QuestionLike) -> str:
        return "Please reply with your answer"

    def widget(self, question: QuestionLike) -> str:
        return "textarea"

    def read_field(self, question: QuestionLike, raw: str) -> Parsed | str:
        if len(raw) > MAX_TEXT:
            return f"Keep your answer under {MAX_TEXT} characters."
        return Parsed(True, raw)

    def missing_message(self) -> str:
        return "Enter an answer."

    def routing_value(self, question: QuestionLike, value: Any) -> str | None:
        return None

    def describe(self, question: QuestionLike) -> str:
        return self.label


TYPES: dict[str, QuestionType] = {
    t.name: t
    for t in (
        ChoiceType(),
        YesNoType(),
        ScaleType(),
        NumberType(),
        TextType(),
        SatisfactionType(),
        AgreementType(),
    )
}
QUESTION_TYPES = tuple(TYPES)


def kind(question: QuestionLike) -> QuestionType:
    """Return the type of a question (free text for an unknown one, which definitions refuse)."""
    return TYPES.get(question.type, TYPES["text"])


def parse_answer(question: QuestionLike, text: str) -> Parsed:
    """Read ``text`` as an answer to ``question``; a failed read has ok=False."""
    text = (text or "").strip()
    if not text:
        return FAILED
    if not question.required and squash(text) in SKIP_WORDS:
        return Parsed(True, skipped=True)
    return kind(question).parse(question, text)


def answer_hint(question: QuestionLike) -> str:
    """Say how to answer, as the SMS and the re-prompt put it."""
    return kind(question).hint(question) + (" (or SKIP)" if not question.required else "")


def reprompt_text(question: QuestionLike) -> str:
    """Return the valid answers after an unreadable reply, with SKIP when it may be skipped."""
    valid = kind(question).reprompt(question)
    return valid + (" (or SKIP)" if not question.required else "")
