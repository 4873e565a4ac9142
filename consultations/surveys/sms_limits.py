"""How long a text may be: refused past what Twilio sends, a warning past three segments."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from consultations.audiences import AudienceSpec, plan_audience
from consultations.surveys.models import Consultation
from consultations.surveys.texts import SAMPLE_NAME, opening_sms, question_sms
from messaging.api import analyse

# Twilio refuses a body over 1,600 characters; carriers split anything past 10 segments badly.
MAX_CHARACTERS = 1600
MAX_SEGMENTS = 10
WARN_SEGMENTS = 3


def too_long(label: str, body: str) -> str | None:
    """Return why ``body`` cannot be sent as one text, or None when it can."""
    shape = analyse(body)
    if shape.characters > MAX_CHARACTERS:
        return (
            f"{label} is {shape.characters:,} characters; a text can be at most {MAX_CHARACTERS:,}. "
            "Shorten it before launching."
        )
    if shape.segments > MAX_SEGMENTS:
        return (
            f"{label} takes {shape.segments} segments; a text can take at most {MAX_SEGMENTS}. "
            "Shorten it before launching."
        )
    return None


def conversation_problems(consultation: Consultation) -> list[str]:
    """Return the reasons the conversation's texts cannot be sent (empty when every text fits)."""
    texts = [("The invitation", opening_sms(consultation, SAMPLE_NAME))]
    questions = consultation.questions
    texts += [(f"Question {n}", question_sms(q, n)) for n, q in enumerate(questions[1:], start=2)]
    texts.append(("The thanks", consultation.thanks or ""))
    return [problem for label, body in texts if (problem := too_long(label, body))]


def opening_segments(consultation: Consultation) -> Counter[int]:
    """Count the SMS audience by the segments their own invitation takes (names like "Siân" need UCS-2)."""
    if "sms" not in (consultation.channels or []):
        return Counter()
    plan = plan_audience(
        AudienceSpec.from_json(consultation.audience),
        consultation.channels,
        consultation.channel_preference or consultation.channels,
    )
    names = Counter(r.first_name.strip() or "there" for r in plan.recipients if r.channel == "sms")
    segments: Counter[int] = Counter()
    for name, people in names.items():
        segments[analyse(opening_sms(consultation, name)).segments] += people
    return segments


def segment_warning(by_segments: Counter[int], price: Decimal) -> str | None:
    """Warn when invitations take more than three segments, with what they cost over three."""
    over = {n: people for n, people in by_segments.items() if n > WARN_SEGMENTS}
    if not over:
        return None
    people = sum(over.values())
    extra = (sum((n - WARN_SEGMENTS) * p for n, p in over.items()) * price).quantize(Decimal("0.01"))
    return (
        f"The invitation takes up to {max(over)} segments for {people:,} people. Each segment is billed: "
        f"this costs £{extra:,} more than {WARN_SEGMENTS}-segment invitations to the same people."
    )
