"""The builder's preview: every text with its length, segments, encoding and cost; the email; test sends."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.contact import ContactError, normalise_phone
from consultations.audiences import AudienceSpec, count_audience
from consultations.surveys.launch import SurveyError
from consultations.surveys.links import survey_link
from consultations.surveys.models import Consultation
from consultations.surveys.sms_limits import conversation_problems, opening_segments, segment_warning
from consultations.surveys.texts import (
    CLOSED_REPLY,
    CLOSING,
    GAVE_UP,
    SAMPLE_NAME,
    Email,
    invitation_email,
    opening_sms,
    question_sms,
    reprompt_sms,
)
from messaging.api import NewMessage, analyse, send_now, unsubscribe_url


@dataclass(frozen=True)
class SmsPreview:
    """One text as the customer sees it, with what it costs to send once."""

    label: str
    body: str
    characters: int
    segments: int
    encoding: str


@dataclass(frozen=True)
class Preview:
    """Everything the preview page shows."""

    texts: list[SmsPreview]
    sms_recipients: int
    email_recipients: int
    price: Decimal
    invitation_cost: Decimal
    full_cost: Decimal
    email: Email
    problems: list[str]
    warnings: list[str]


def _sms(label: str, body: str) -> SmsPreview:
    shape = analyse(body)
    return SmsPreview(label, body, shape.characters, shape.segments, shape.encoding)


def sms_texts(consultation: Consultation) -> list[SmsPreview]:
    """Return every text of the conversation, in the order a customer meets them."""
    questions = consultation.questions
    texts = [_sms("Invitation: intro and first question", opening_sms(consultation, SAMPLE_NAME))]
    for number, question in enumerate(questions[1:], start=2):
        texts.append(_sms(f"Question {number}", question_sms(question, number)))
    for number, question in enumerate(questions, start=1):
        texts.append(
            _sms(f"Re-prompt after an unreadable answer to question {number}", reprompt_sms(question))
        )
    texts.append(_sms("Thanks at the end", consultation.thanks))
    texts.append(_sms("After a second unreadable answer", GAVE_UP))
    texts.append(_sms("When the consultation closes mid-conversation", CLOSING))
    texts.append(_sms("A reply after closing", CLOSED_REPLY))
    return texts


def build_preview(consultation: Consultation, config: Mapping[str, Any]) -> Preview:
    """Work out the texts, the audience per channel and the estimated SMS cost."""
    texts = sms_texts(consultation)
    counts = count_audience(
        AudienceSpec.from_json(consultation.audience),
        consultation.channels,
        consultation.channel_preference or consultation.channels,
    )
    sms_people = counts.by_channel.get("sms", 0)
    price = Decimal(str(config.get("SMS_PRICE_PER_SEGMENT", "0")))
    # The invitation carries each person's own name: price it name by name, not as "Sam".
    by_segments = opening_segments(consultation)
    invitation_segments = sum(n * people for n, people in by_segments.items()) if by_segments else None
    if invitation_segments is None:
        invitation_segments = texts[0].segments * sms_people
    warning = segment_warning(by_segments, price)
    questions = len(consultation.questions)
    # Everyone answering everything: the opening text, one text per further question, and the thanks.
    conversation = [*texts[:questions], texts[2 * questions]]
    return Preview(
        texts=texts,
        sms_recipients=sms_people,
        email_recipients=counts.by_channel.get("email", 0),
        price=price,
        invitation_cost=(invitation_segments * price).quantize(Decimal("0.01")),
        full_cost=(
            (invitation_segments + sum(t.segments for t in conversation[1:]) * sms_people) * price
        ).quantize(Decimal("0.01")),
        problems=conversation_problems(consultation) if "sms" in (consultation.channels or []) else [],
        warnings=[warning] if warning else [],
        email=invitation_email(
            consultation,
            first_name=SAMPLE_NAME,
            link=survey_link("preview-link"),
            unsubscribe=unsubscribe_url("sam@example.org"),
        ),
    )


def phone_or_error(raw: str) -> str:
    """Return a UK or international number as E.164, or raise SurveyError."""
    try:
        number = normalise_phone(raw)
    except ContactError as exc:
        raise SurveyError(str(exc)) from exc
    if number is None:
        raise SurveyError("Write the number to send the test to.")
    return number


def send_test(consultation: Consultation, channel: str, to: str, *, now: datetime) -> str:
    """Send the opening text or the invitation email to a member of staff straight away."""
    if not consultation.questions:
        raise SurveyError("Add a question before sending a test.")
    if channel == "sms":
        address = phone_or_error(to)
        message = NewMessage(
            to=address,
            body=opening_sms(consultation, SAMPLE_NAME),
            purpose="test",
            topic=f"consultation-test:{consultation.id}",
        )
    elif channel == "email":
        from email_validator import EmailNotValidError, validate_email  # loaded when first needed

        try:
            address = validate_email(to.strip(), check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise SurveyError(f"{to!r} is not an email address: {exc}") from exc
        mail = invitation_email(
            consultation,
            first_name=SAMPLE_NAME,
            link=survey_link("test-link-not-valid"),
            unsubscribe=unsubscribe_url(address),
        )
        message = NewMessage(
            to=address,
            body=mail.text,
            html=mail.html,
            subject="[Test] " + mail.subject,
            purpose="test",
            topic=f"consultation-test:{consultation.id}",
            list_unsubscribe=True,
        )
    else:
        raise SurveyError("Choose SMS or email for the test.")
    sent = send_now(channel, message, now=now)
    if sent.status == "suppressed":
        raise SurveyError(f"{address} is on the suppression list, so nothing was sent.")
    return address
