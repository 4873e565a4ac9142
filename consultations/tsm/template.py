"""The tenant perception survey as a consultation definition: TP01–TP12 and the routing questions.

The wording, order, filters and response scales follow the Regulator of Social Housing's
Tenant Satisfaction Measures: Technical Requirements (Part A, the tenant perception measures
TP01–TP12) and Tenant Satisfaction Measures: Tenant Survey Requirements (Part B), restated in
the TSM Direction given on 1 October 2026 ("Draft TSM Direction (accessible version)", published
9 December 2025, https://www.gov.uk/government/publications/tsm-direction/draft-tsm-direction-accessible-version;
the earlier "Annex 5: Tenant Satisfaction Measures - Tenant survey requirements",
https://www.gov.uk/government/consultations/consultation-on-the-introduction-of-tenant-satisfaction-measures/outcome/annex-5-tenant-satisfaction-measures-tenant-survey-requirements-accessible).
Those pages name the two Parts and their purpose; the question texts below were checked against
the benchmarking definitions that quote the Technical Requirements word for word (Acuity,
https://www.arap.co.uk/performanceindicator/overall-satisfaction/ for TP01, its five answers and
no "don't know" or "not applicable"; .../overall-repairs-service/ and .../time-taken-for-repairs/
for the repairs filter, TP02 and TP03, collected from low-cost rental tenants) and a landlord's
published survey (Wandle, TP01 and TP02 "[your landlord]"). Not confirmed from a readable copy of
the regulator's text: TP04–TP12 word for word, TP08's agreement labels, TP04 being for renters
only, and which measures may offer "don't know". Questions must be asked exactly as
written, with "[landlord]" replaced by the landlord's name; landlords may add their own
questions after these. TP08 is the agreement scale; TP02 and TP03 are asked only of tenants
who had a repair in the last 12 months, TP09 only of those who complained, TP10 only of those
with communal areas.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app

DEFAULT_LANDLORD = "your landlord"
MEASURES = tuple(f"TP{n:02d}" for n in range(1, 13))
ROUTING_KEYS = ("repair_12m", "complaint_12m", "communal")
# Measures reported for low-cost rental tenants only (Technical Requirements: TP02–TP04 are
# not collected from low-cost home ownership tenants).
LCRA_ONLY = ("TP02", "TP03", "TP04")
DONT_KNOW = ["Don't know"]

# (key, wording, type, answers offered beyond the scale that are never counted, ask_if)
_QUESTIONS: tuple[tuple[str, str, str, list[str], dict[str, Any] | None], ...] = (
    (
        "TP01",
        "Taking everything into account, how satisfied or dissatisfied are you with the service "
        "provided by [landlord]?",
        "satisfaction",
        [],  # TP01 must not offer "don't know" or "not applicable".
        None,
    ),
    (
        "repair_12m",
        "Has [landlord] carried out a repair to your home in the last 12 months?",
        "choice",
        [],
        None,
    ),
    (
        "TP02",
        "How satisfied or dissatisfied are you with the overall repairs service from [landlord] "
        "over the last 12 months?",
        "satisfaction",
        [],
        {"key": "repair_12m", "in": ["Yes"]},
    ),
    (
        "TP03",
        "How satisfied or dissatisfied are you with the time taken to complete your most recent "
        "repair after you reported it?",
        "satisfaction",
        [],
        {"key": "repair_12m", "in": ["Yes"]},
    ),
    (
        "TP04",
        "How satisfied or dissatisfied are you that [landlord] provides a home that is well maintained?",
        "satisfaction",
        [],
        None,
    ),
    (
        "TP05",
        "Thinking about the condition of the property or building you live in, how satisfied or "
        "dissatisfied are you that [landlord] provides a home that is safe?",
        "satisfaction",
        DONT_KNOW,
        None,
    ),
    (
        "TP06",
        "How satisfied or dissatisfied are you that [landlord] listens to your views and acts upon them?",
        "satisfaction",
        DONT_KNOW,
        None,
    ),
    (
        "TP07",
        "How satisfied or dissatisfied are you that [landlord] keeps you informed about things that "
        "matter to you?",
        "satisfaction",
        DONT_KNOW,
        None,
    ),
    (
        "TP08",
        "To what extent do you agree or disagree with the following: \u201c[landlord] treats me fairly "
        "and with respect\u201d?",
        "agreement",
        DONT_KNOW,
        None,
    ),
    ("complaint_12m", "Have you made a complaint to [landlord] in the last 12 months?", "choice", [], None),
    (
        "TP09",
        "How satisfied or dissatisfied are you with [landlord]'s approach to complaints handling?",
        "satisfaction",
        [],
        {"key": "complaint_12m", "in": ["Yes"]},
    ),
    (
        "communal",
        "Do you live in a building with communal areas, either inside or outside, that [landlord] is "
        "responsible for maintaining?",
        "choice",
        [],
        None,
    ),
    (
        "TP10",
        "How satisfied or dissatisfied are you that [landlord] keeps these communal areas clean and "
        "well maintained?",
        "satisfaction",
        [],
        {"key": "communal", "in": ["Yes"]},
    ),
    (
        "TP11",
        "How satisfied or dissatisfied are you that [landlord] makes a positive contribution to your "
        "neighbourhood?",
        "satisfaction",
        DONT_KNOW,
        None,
    ),
    (
        "TP12",
        "How satisfied or dissatisfied are you with [landlord]'s approach to handling anti-social behaviour?",
        "satisfaction",
        ["Don't know", "Not applicable"],
        None,
    ),
)


def landlord_name() -> str:
    """Return the landlord's name for the survey's words (LANDLORD_NAME, else ORGANISATION_NAME)."""
    config = current_app.config
    name = config.get("LANDLORD_NAME") or config.get("ORGANISATION_NAME") or DEFAULT_LANDLORD
    return str(name).strip() or DEFAULT_LANDLORD


def _words(text: str, landlord: str) -> str:
    # "[landlord]" opens TP08's quoted statement: a landlord name reads as written there, but
    # "your landlord" must start with a capital.
    text = text.replace("\u201c[landlord]", "\u201c" + landlord[:1].upper() + landlord[1:])
    return text.replace("[landlord]", landlord)


def tsm_questions(landlord: str) -> list[dict[str, Any]]:
    """Return the required questions, in the regulator's order, as definition objects."""
    questions = []
    for key, text, kind, extras, rule in _QUESTIONS:
        question: dict[str, Any] = {
            "key": key,
            "text": _words(text, landlord),
            "type": kind,
            "required": True,
        }
        if kind == "choice":
            question["options"] = ["Yes", "No", "Don't know"] if key == "communal" else ["Yes", "No"]
        if extras:
            question["not_counted"] = list(extras)
        if rule:
            question["ask_if"] = dict(rule)
        questions.append(question)
    return questions


def tsm_definition(*, landlord: str, today: date, slug: str | None = None) -> dict[str, Any]:
    """Return the whole survey as a consultation definition for the year starting ``today``'s April."""
    year = today.year if today.month >= 4 else today.year - 1
    label = f"{year}/{str(year + 1)[-2:]}"
    minutes = 10
    return {
        "slug": slug or f"tsm-{year}-{str(year + 1)[-2:]}",
        "title": f"Tenant satisfaction survey {label}",
        "activity": f"Tenant Satisfaction Measures survey {label}",
        "channels": ["sms", "email"],
        "audience": {},
        "intro": (
            f"Hi {{first_name}}, {landlord} would like your views. This is our tenant satisfaction "
            f"survey: it takes about {minutes} minutes, and your answers are used for the Tenant "
            "Satisfaction Measures we publish and report to the Regulator of Social Housing."
        ),
        "thanks": "Thank you for taking part in our tenant satisfaction survey.",
        "minutes_per_response": minutes,
        "web_link": True,
        "questions": tsm_questions(landlord),
    }


def is_tsm(questions: list[Any]) -> bool:
    """Return True when a consultation's questions include all twelve measures."""
    return set(MEASURES) <= {q.key for q in questions}


def own_questions_out_of_place(keys: list[Any]) -> list[str]:
    """Return the landlord's own questions placed before TP12 in a TSM survey (none when not TSM)."""
    if not set(MEASURES) <= set(keys):
        return []
    # Part B: the required questions come first; a landlord's own may only follow them.
    last = max(keys.index(k) for k in MEASURES)
    required = {*MEASURES, *ROUTING_KEYS}
    return [str(k) for k in keys[:last] if k not in required]
