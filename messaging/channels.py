"""The channel registry: one description per channel, so no other code branches on a channel's name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func

from app.models import Customer


def _trimmed(address: str) -> str:
    return (address or "").strip()


def _lower(address: str) -> str:
    return (address or "").strip().lower()


@dataclass(frozen=True)
class Channel:
    """How messaging reaches people on one channel and what its rules are."""

    name: str
    label: str
    # Key of the transport in app.extensions["involve_transports"] (Twilio/simulator, SMTP/outbox).
    transport: str
    # Customer columns: the address, the consent flag and when they opted out.
    contact: str
    consent: str
    opted_out: str
    normalise: Callable[[str], str]
    # True when the address is compared case-blind (the SQL side lower-cases the column too).
    case_blind: bool
    quiet_hours: bool
    # Priced per segment with SMS_PRICE_PER_SEGMENT; an uncosted channel costs nothing to send.
    costed: bool
    # The webhook that replies on this channel arrive at (None: replies come by web link).
    inbound_route: str | None

    def contact_column(self) -> Any:
        """Return the Customer column holding this channel's address."""
        return getattr(Customer, self.contact)

    def consent_column(self) -> Any:
        """Return the Customer column saying they agreed to be contacted this way."""
        return getattr(Customer, self.consent)

    def opted_out_column(self) -> Any:
        """Return the Customer column holding when they opted out of this channel."""
        return getattr(Customer, self.opted_out)

    def address_sql(self) -> Any:
        """Return the customer's address as the suppression list stores it, in SQL."""
        column = self.contact_column()
        return func.lower(column) if self.case_blind else column


SMS = Channel(
    name="sms",
    label="Text (SMS)",
    transport="sms",
    contact="phone",
    consent="sms_consent",
    opted_out="sms_opted_out_at",
    normalise=_trimmed,
    case_blind=False,
    quiet_hours=True,
    costed=True,
    inbound_route="/messaging/twilio/sms",
)
EMAIL = Channel(
    name="email",
    label="Email",
    transport="email",
    contact="email",
    consent="email_consent",
    opted_out="email_opted_out_at",
    normalise=_lower,
    case_blind=True,
    quiet_hours=False,
    costed=False,
    inbound_route=None,
)
REGISTRY: dict[str, Channel] = {c.name: c for c in (SMS, EMAIL)}


def channel(name: str) -> Channel:
    """Return the description of channel ``name``; an unknown name is a plain error."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown channel {name!r}; known: {', '.join(REGISTRY)}") from None


def channels() -> list[Channel]:
    """Return every channel, in the order they were described."""
    return list(REGISTRY.values())
