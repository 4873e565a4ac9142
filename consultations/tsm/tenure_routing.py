"""Routing by tenure: low-cost home ownership tenants are not asked the rental-only measures."""

from __future__ import annotations

from typing import Any

from consultations.tsm.populations import tenures
from consultations.tsm.template import LCRA_ONLY, is_tsm


def not_asked_of(consultation: Any, customer: Any) -> frozenset[str]:
    """Return the question keys a customer is not asked: TP02–TP04 for LCHO tenants of a TSM survey."""
    tenure = getattr(customer, "tenure", None)
    if not tenure or not is_tsm(consultation.questions):
        return frozenset()
    # Technical Requirements: TP02–TP04 are collected from low-cost rental tenants only.
    lcho = {t.casefold() for t in tenures()["LCHO"]}
    return frozenset(LCRA_ONLY) if tenure.strip().casefold() in lcho else frozenset()
