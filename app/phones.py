"""What kind of line a phone number is: only mobiles are ever sent a text."""

from __future__ import annotations

import phonenumbers

PHONE_TYPES = ("mobile", "landline", "other")
_MOBILE = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})
_LABELS = {"mobile": "mobile", "landline": "landline (never texted)", "other": "not a mobile (never texted)"}


def phone_type(e164: str | None) -> str | None:
    """Return "mobile", "landline" or "other" for a stored E.164 number; None when there is none."""
    if not e164:
        return None
    try:
        number = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return "other"
    kind = phonenumbers.number_type(number)
    if kind in _MOBILE:
        return "mobile"
    # A UK landline turns a text into a voice call; other types (VoIP, freephone, pager) cannot take SMS reliably.
    return "landline" if kind == phonenumbers.PhoneNumberType.FIXED_LINE else "other"


def phone_type_label(kind: str | None) -> str:
    """Name a phone type for staff pages."""
    return _LABELS.get(kind or "", "")
