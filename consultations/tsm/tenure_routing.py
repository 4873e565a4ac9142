"""Routing by tenure: low-cost home ownership tenants are not asked the rental-only measures.

A personal link or a text knows its customer; the open web link and staff entry use the matched
customer's tenure when there is one, and otherwise ask the person whether they rent or own part.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from consultations.tsm.populations import tenures
from consultations.tsm.template import LCRA_ONLY, is_tsm

TENURE_FIELD = "tsm_tenure"
RENT, SHARED = "rent", "shared"
TENURE_CHOICES = (
    (RENT, "I rent my home"),
    (SHARED, "I own part of my home through shared ownership"),
)
TENURE_MISSING = "Tell us whether you rent your home or own part of it through shared ownership."


@dataclass(frozen=True)
class TenureQuestion:
    """The form's tenure question and the measures it routes past for shared owners."""

    field: str
    choices: tuple[tuple[str, str], ...]
    skipped_for: tuple[str, ...]
    skipped_when: tuple[str, ...] = (SHARED,)
    words: str = "Not asked of shared owners."


def _lcho(tenure: str) -> bool:
    return tenure.strip().casefold() in {t.casefold() for t in tenures()["LCHO"]}


def not_asked_of(consultation: Any, customer: Any) -> frozenset[str]:
    """Return the question keys a customer is not asked: TP02–TP04 for LCHO tenants of a TSM survey."""
    tenure = getattr(customer, "tenure", None)
    if not tenure or not is_tsm(consultation.questions):
        return frozenset()
    # Technical Requirements: TP02–TP04 are collected from low-cost rental tenants only.
    return frozenset(LCRA_ONLY) if _lcho(tenure) else frozenset()


def tenure_question(consultation: Any) -> TenureQuestion | None:
    """Return the tenure question an open form asks, or None when the survey needs none."""
    if not is_tsm(consultation.questions) or not tenures()["LCHO"]:
        return None
    return TenureQuestion(TENURE_FIELD, TENURE_CHOICES, LCRA_ONLY)


def open_form_skip(
    consultation: Any, customer: Any, form: Mapping[str, str]
) -> tuple[frozenset[str], str | None]:
    """Return the keys not asked on an open form, and the error when the tenure is needed but missing.

    A matched customer whose tenure is on the register decides by that; anyone else by their answer.
    """
    if tenure_question(consultation) is None:
        return frozenset(), None
    if customer is not None and getattr(customer, "tenure", None):
        return not_asked_of(consultation, customer), None
    answer = (form.get(TENURE_FIELD) or "").strip()
    if answer not in (RENT, SHARED):
        return frozenset(), TENURE_MISSING
    return (frozenset(LCRA_ONLY) if answer == SHARED else frozenset()), None
