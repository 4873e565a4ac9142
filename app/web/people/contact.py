"""Contact details as the register stores them: phones in E.164, emails normalised."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email


class ContactError(ValueError):
    """A phone number or email address cannot be used."""


def normalise_phone(raw: str | None, region: str = "GB") -> str | None:
    """Return ``raw`` as an E.164 number, None when blank; raise ContactError when invalid."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ContactError(f"“{text}” is not a phone number.") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ContactError(f"“{text}” is not a valid phone number; check the digits (UK mobiles start 07).")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    """Show an E.164 number the way people in the UK write it (07911 123456)."""
    if not e164:
        return ""
    try:
        parsed = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return e164
    if parsed.country_code == 44:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalise_email(raw: str | None) -> str | None:
    """Return ``raw`` as a normalised email address, None when blank; raise ContactError when invalid."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        normalised = validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ContactError(f"“{text}” is not an email address: {exc}") from exc
    # The domain is case-insensitive and the local part is in practice; lower-case both for matching.
    return normalised.lower()
