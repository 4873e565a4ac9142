"""Contact details, one contract everywhere: phones in E.164 and what kind of line, emails normalised.

``normalise_*`` return None for a blank value and raise ContactError for one that cannot be used;
``*_or_none`` are for matching what a visitor typed, where an unusable value simply matches nobody.
"""

from __future__ import annotations

# phonenumbers and email_validator load on the first number or address checked, not at start-up.

REGION = "GB"
PHONE_TYPES = ("mobile", "landline", "other")
_LABELS = {"mobile": "mobile", "landline": "landline (never texted)", "other": "not a mobile (never texted)"}


class ContactError(ValueError):
    """A phone number or email address cannot be used; the message says why in plain words."""


def normalise_phone(raw: str | None, region: str = REGION) -> str | None:
    """Return ``raw`` as an E.164 number, None when blank; raise ContactError when invalid."""
    import phonenumbers

    text = (raw or "").strip()
    if not text:
        return None
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ContactError(f"“{text}” is not a phone number.") from exc
    # Most numbers are British: checking GB first skips the slower search over every region.
    if not (phonenumbers.is_valid_number_for_region(parsed, region) or phonenumbers.is_valid_number(parsed)):
        raise ContactError(f"“{text}” is not a valid phone number; check the digits (UK mobiles start 07).")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_or_none(raw: str | None) -> str | None:
    """Return ``raw`` as an E.164 number, or None when it is blank or not a valid number."""
    try:
        return normalise_phone(raw)
    except ContactError:
        return None


def display_phone(e164: str | None) -> str:
    """Show an E.164 number the way people in the UK write it (07911 123456)."""
    import phonenumbers

    if not e164:
        return ""
    try:
        parsed = phonenumbers.parse(e164, REGION)
    except phonenumbers.NumberParseException:
        return e164
    if parsed.country_code == 44:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_type(e164: str | None) -> str | None:
    """Return "mobile", "landline" or "other" for a stored E.164 number; None when there is none."""
    import phonenumbers

    if not e164:
        return None
    try:
        number = phonenumbers.parse(e164, REGION)
    except phonenumbers.NumberParseException:
        return "other"
    kind = phonenumbers.number_type(number)
    if kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return "mobile"
    # A UK landline turns a text into a voice call; other types (VoIP, freephone, pager) cannot take SMS reliably.
    return "landline" if kind == phonenumbers.PhoneNumberType.FIXED_LINE else "other"


def phone_type_label(kind: str | None) -> str:
    """Name a phone type for staff pages."""
    return _LABELS.get(kind or "", "")


def normalise_email(raw: str | None) -> str | None:
    """Return ``raw`` as a normalised email address, None when blank; raise ContactError when invalid."""
    from email_validator import EmailNotValidError, validate_email

    text = (raw or "").strip()
    if not text:
        return None
    try:
        normalised = validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ContactError(f"“{text}” is not an email address: {exc}") from exc
    # The domain is case-insensitive and the local part is in practice; lower-case both for matching.
    return normalised.lower()


def email_or_none(raw: str | None) -> str | None:
    """Return a normalised email address, or None when it is blank or not one."""
    try:
        return normalise_email(raw)
    except ContactError:
        return None
