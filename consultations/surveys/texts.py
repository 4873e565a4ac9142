"""The words customers read: SMS texts of a conversation and the invitation email."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import render_template

from app.periods import LONDON
from consultations.surveys.models import Consultation, Question
from consultations.surveys.qtypes import answer_hint, reprompt_text
from messaging.api import with_opt_out

GAVE_UP = "Sorry, we couldn't read your reply, so we'll stop here. Thank you for your time."
CLOSING = "This survey has now closed, so there are no more questions. Thank you for taking part."
CLOSED_REPLY = "This survey has closed, thank you."
TIMED_OUT = (
    "Sorry, our survey timed out after a quiet spell, so we couldn't add that answer. "
    "Thank you for the answers you gave us."
)
SAMPLE_NAME = "Sam"


def personalise(text: str, first_name: str) -> str:
    """Fill {first_name}; a missing name reads naturally ("Hi there")."""
    return text.replace("{first_name}", first_name.strip() or "there")


def question_sms(question: Question, number: int | None = None) -> str:
    """Return a question as texted: its words and how to answer."""
    prefix = f"Q{number}: " if number else ""
    return f"{prefix}{question.text}\n{answer_hint(question)}"


def opening_sms(consultation: Consultation, first_name: str) -> str:
    """Return the first text: the intro and the first question."""
    questions = consultation.questions
    first = question_sms(questions[0], 1 if len(questions) > 1 else None) if questions else ""
    intro = personalise(consultation.intro, first_name).strip()
    return with_opt_out(f"{intro}\n\n{first}" if intro else first)


def reprompt_sms(question: Question) -> str:
    """Return the one re-prompt after an unreadable reply, listing the valid answers."""
    return f"Sorry, we didn't understand that. {reprompt_text(question)}."


def resume_sms(consultation: Consultation, question: Question, number: int | None) -> str:
    """Return the pending question asked again after a keyword text interrupted the survey."""
    return f'Back to our survey "{consultation.title}":\n\n{question_sms(question, number)}'


def reminder_sms(consultation: Consultation, question: Question, first_name: str) -> str:
    """Return an SMS reminder repeating the current question."""
    name = first_name.strip()
    greeting = f"Hi {name}, a" if name else "A"
    return with_opt_out(
        f'{greeting} reminder about our survey "{consultation.title}".\n\n{question_sms(question)}'
    )


@dataclass(frozen=True)
class Email:
    """One rendered email."""

    subject: str
    text: str
    html: str


def london_text(value: datetime | None) -> str:
    """Show a timestamp as customers read it: 30 June 2011 at 5:00pm."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return f"{local.day} {local:%B %Y} at {local:%-I:%M%p}".replace("AM", "am").replace("PM", "pm")


def invitation_email(
    consultation: Consultation, *, first_name: str, link: str, unsubscribe: str, reminder: bool = False
) -> Email:
    """Render the personal invitation (or reminder) email in HTML and plain text."""
    context = {
        "consultation": consultation,
        "first_name": first_name.strip() or "there",
        "intro": personalise(consultation.intro, first_name),
        "link": link,
        "unsubscribe": unsubscribe,
        "reminder": reminder,
        "closes": london_text(consultation.closes_at),
        "minutes": consultation.minutes_per_response,
        "count": len(consultation.questions),
    }
    subject = ("Reminder: " if reminder else "") + consultation.title
    return Email(
        subject=subject,
        text=render_template("consultations/email/invitation.txt", **context),
        html=render_template("consultations/email/invitation.html", **context),
    )
