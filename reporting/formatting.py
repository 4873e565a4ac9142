"""Figures written the way the printed impact report writes them."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CHANNEL_LABELS = {
    "sms": "text",
    "email": "email",
    "web": "web",
    "event": "at events",
    "online": "online",
    "phone": "phone",
    "post": "post",
    "in person": "in person",
}
RATING_LABELS = {"good": "Good", "average": "Average", "poor": "Poor", None: "Not rated"}
FIELD_LABELS = {
    "age_band": "Age band",
    "gender": "Gender",
    "ethnicity": "Ethnicity",
    "disability": "Disability",
    "tenure": "Tenure",
    "area": "Area",
}


def money_words(value: Decimal | None) -> str:
    """Write £5,190 for whole pounds, £648.06 with pence, 23p under a pound."""
    if value is None:
        return "—"
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount < 0:
        return "-" + money_words(-amount)
    if 0 < amount < 1:
        return f"{int(amount * 100)}p"
    if amount == amount.to_integral_value():
        return f"£{int(amount):,}"
    return f"£{amount:,.2f}"


def hours_words(value: Decimal) -> str:
    """Write hours with thousands separators and at most two decimals."""
    rounded = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return f"{int(rounded):,}"
    return f"{rounded.normalize():,f}"


def channel_name(channel: str) -> str:
    """Return the reader's word for a channel."""
    return CHANNEL_LABELS.get(channel, channel)


def customers_words(total: int, by_channel: dict[str, int]) -> str:
    """Write 2,613 (2,483 text / 130 email) when more than one channel was used."""
    if len(by_channel) < 2:
        return f"{total:,}"
    split = " / ".join(
        f"{count:,} {channel_name(channel)}"
        for channel, count in sorted(by_channel.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return f"{total:,} ({split})"


def channels_note(total: int, by_channel: dict[str, int]) -> str:
    """Say how a customer in several channels is counted, when the channel figures add up to more."""
    if len(by_channel) < 2 or sum(by_channel.values()) <= total:
        return ""
    overlap = sum(by_channel.values()) - total
    return (
        f"The channels add up to more than {total:,} because {overlap:,} took part through more than one: "
        "each customer counts once in the total and once in every channel they used."
    )


def period_words(date_from: date, date_to: date) -> str:
    """Write a period as 1 April 2011 to 31 March 2012."""
    return f"{date_from.day} {date_from:%B %Y} to {date_to.day} {date_to:%B %Y}"


def cost_words(
    total: Decimal, per_customer: Decimal | None, per_property: Decimal | None, homes: int | None
) -> str:
    """Write "Total cost £5,190 / £8.67 per customer involved, £1.03 per property affected (based on 5,000 homes)"."""
    customer = (
        f"{money_words(per_customer)} per customer involved"
        if per_customer is not None
        else "no customers involved"
    )
    if per_property is not None and homes:
        homes_part = f"{money_words(per_property)} per property affected (based on {homes:,} homes)"
    else:
        homes_part = "homes affected not recorded"
    return f"Total cost {money_words(total)} / {customer}, {homes_part}"
