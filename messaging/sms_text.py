"""SMS length, encoding and cost: the GSM 03.38 alphabet against UCS-2."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

# GSM 03.38 basic table (the escape 0x1B itself is not a character a message can hold).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each character costs an escape plus itself, two septets.
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")

SINGLE_GSM, MULTI_GSM = 160, 153
# The last line of every text that invites someone (survey, reminder, event): how to stop them all.
OPT_OUT_LINE = "Reply STOP to opt out"


def with_opt_out(body: str) -> str:
    """End an invitation text with the opt-out line (once), which counts in its segments."""
    body = body.rstrip()
    return body if body.endswith(OPT_OUT_LINE) else f"{body}\n{OPT_OUT_LINE}"


SINGLE_UCS2, MULTI_UCS2 = 70, 67


@dataclass(frozen=True)
class SmsShape:
    """How a text travels: its length, encoding and the number of segments billed."""

    characters: int
    encoding: Literal["GSM-7", "UCS-2"]
    segments: int


def is_gsm(body: str) -> bool:
    """Return True when every character fits the GSM-7 basic or extension table."""
    return all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in body)


def _pack(units: list[int], single: int, multi: int) -> int:
    """Count segments, never splitting a unit (an escaped pair or a surrogate pair) across two."""
    total = sum(units)
    if total == 0:
        return 0
    if total <= single:
        return 1
    segments, used = 1, 0
    for size in units:
        if used + size > multi:
            segments += 1
            used = 0
        used += size
    return segments


def analyse(body: str) -> SmsShape:
    """Work out the encoding and segment count Twilio will bill for ``body``."""
    if is_gsm(body):
        units = [2 if ch in GSM_EXTENSION else 1 for ch in body]
        return SmsShape(len(body), "GSM-7", _pack(units, SINGLE_GSM, MULTI_GSM))
    # UCS-2 counts UTF-16 code units: characters beyond the BMP (emoji) take two.
    units = [2 if ord(ch) > 0xFFFF else 1 for ch in body]
    return SmsShape(len(body), "UCS-2", _pack(units, SINGLE_UCS2, MULTI_UCS2))


def estimate_cost(body: str, recipients: int, price_per_segment: Decimal) -> Decimal:
    """Estimate the cost of sending ``body`` to ``recipients`` numbers."""
    return Decimal(analyse(body).segments * recipients) * Decimal(price_per_segment)
