"""The web form: check submitted answers and store them as a completed response."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Customer
from app.tokens import hash_token
from consultations.events.matching import verified_customer
from consultations.surveys.engine import lock
from consultations.surveys.models import (
    COMPLETED,
    STARTED,
    Consultation,
    Invitation,
    InvitationLink,
    Question,
    Response,
)
from consultations.surveys.parsing import Parsed
from consultations.surveys.qtypes import kind
from consultations.surveys.responses import complete, record_answer, response_for
from consultations.surveys.routing import asked, describe
from consultations.tsm.tenure_routing import TENURE_FIELD, not_asked_of, open_form_skip

# The same answer for an unknown reference and a known one with the wrong detail.
NO_MATCH = (
    "We could not match that customer reference to the surname or postcode you gave. "
    "Check both, or leave the reference blank to answer anonymously."
)


def field_name(question: Question) -> str:
    """Return the form field name of a question."""
    return f"q_{question.key}"


@dataclass
class FormOutcome:
    """A checked form: answers by question id, or errors by field name; values to show again."""

    answers: dict[int, Parsed] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    response: Response | None = None
    # A reference was typed that did not match (counted against the address's limit).
    lookup_failed: bool = False
    # The matched customer has answered already: nothing was stored.
    already: bool = False

    @property
    def ok(self) -> bool:
        """Return True when every answer was accepted."""
        return not self.errors


def _one(question: Question, raw: str) -> Parsed | str:
    """Read one field; return the answer or the message to show beside it."""
    raw = raw.strip()
    if not raw:
        return kind(question).missing_message() if question.required else Parsed(ok=True, skipped=True)
    return kind(question).read_field(question, raw)


def check_form(questions: list[Question], form: Mapping[str, str], skip: Collection[str] = ()) -> FormOutcome:
    """Check every asked answer on the form, collecting all the errors at once.

    A question routed past by an earlier answer is not asked: whatever its field holds is
    ignored and no answer is stored, so it reads "not asked" rather than skipped.
    """
    outcome = FormOutcome()
    given: dict[str, str | None] = {}
    for question in questions:
        name = field_name(question)
        raw = form.get(name, "") or ""
        outcome.values[name] = raw
        if question.key in skip or not asked(question, given):
            continue
        result = _one(question, raw)
        if isinstance(result, str):
            outcome.errors[name] = result
            given[question.key] = None
        else:
            outcome.answers[question.id] = result
            given[question.key] = None if result.skipped else result.value
    return outcome


def _store(response: Response, questions: list[Question], outcome: FormOutcome, now: datetime) -> None:
    for question in questions:
        parsed = outcome.answers.get(question.id)
        if parsed is not None:
            record_answer(response, question, parsed, outcome.values.get(field_name(question), ""), now=now)
    complete(response, now=now)
    outcome.response = response


def invitation_for_token(token: str) -> Invitation | None:
    """Return the invitation a personal link belongs to (first link or a reminder's)."""
    digest = hash_token(token)
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == digest))
    if invitation is None:
        invitation = db.session.scalar(
            select(Invitation)
            .join(InvitationLink, InvitationLink.invitation_id == Invitation.id)
            .where(InvitationLink.token_hash == digest)
        )
    return invitation


def submit_invitation(
    invitation: Invitation, form: Mapping[str, str], *, now: datetime
) -> FormOutcome | None:
    """Store an emailed invitation's answers once; None when it was answered already (flush only)."""
    lock(invitation)
    if invitation.status == COMPLETED:
        return None
    consultation = invitation.consultation
    outcome = check_form(consultation.questions, form, not_asked_of(consultation, invitation.customer))
    if not outcome.ok:
        return outcome
    response = response_for(invitation, now=now)
    _store(response, consultation.questions, outcome, now)
    invitation.status = COMPLETED
    invitation.answered_at = invitation.answered_at or now
    invitation.completed_at = now
    return outcome


def find_customer(ref: str) -> Customer | None:
    """Return the customer with this reference (ignoring case and spaces), if on the register."""
    ref = ref.strip()
    if not ref:
        return None
    return db.session.scalar(
        select(Customer).where(db.func.upper(Customer.ref) == ref.upper(), Customer.erased_at.is_(None))
    )


def already_answered(consultation: Consultation, customer: Customer) -> bool:
    """True when the customer has a completed response to this consultation, by any channel."""
    return (
        db.session.scalar(
            select(Response.id)
            .where(
                Response.consultation_id == consultation.id,
                Response.customer_id == customer.id,
                Response.status == COMPLETED,
            )
            .limit(1)
        )
        is not None
    )


def _respondent(
    outcome: FormOutcome, consultation: Consultation, ref: str, check: str, staff: bool
) -> Customer | None:
    """Find who is answering: staff may name a customer by reference; the public needs a second detail."""
    if not ref.strip():
        return None
    if staff:
        customer = find_customer(ref)
        if customer is None:
            outcome.errors["customer_ref"] = (
                "We could not find that customer reference. Check it, or leave it blank."
            )
        return customer
    customer = verified_customer(ref, check=check)
    if customer is None:
        outcome.errors["customer_ref"] = NO_MATCH
        outcome.lookup_failed = True
    elif already_answered(consultation, customer):
        outcome.already = True
    return customer


def submit_open(
    consultation: Consultation,
    form: Mapping[str, str],
    *,
    channel: str,
    now: datetime,
    customer_ref: str = "",
    customer_check: str = "",
    entered_by: Any = None,
) -> FormOutcome:
    """Store answers from the open web link or typed in by staff from paper or a phone call.

    A web answer counts for a register customer only when their reference and a second detail
    (surname or postcode) match, once per customer; otherwise it is an anonymous headcount.
    """
    customer_ref, customer_check = customer_ref[:40], customer_check[:80]
    found = FormOutcome()
    customer = _respondent(found, consultation, customer_ref, customer_check, entered_by is not None)
    # Who is answering decides which measures they are asked (shared owners: not TP02–TP04).
    skip, tenure_error = open_form_skip(consultation, customer, form)
    outcome = check_form(consultation.questions, form, skip)
    outcome.errors = {
        **found.errors,
        **({TENURE_FIELD: tenure_error} if tenure_error else {}),
        **outcome.errors,
    }
    outcome.lookup_failed, outcome.already = found.lookup_failed, found.already
    outcome.values.update(customer_ref=customer_ref, customer_check=customer_check)
    outcome.values[TENURE_FIELD] = (form.get(TENURE_FIELD) or "")[:10]
    if not outcome.ok or outcome.already:
        return outcome
    response = Response(
        consultation_id=consultation.id,
        customer_id=customer.id if customer else None,
        channel=channel,
        status=STARTED,
        started_at=now,
        entered_by_id=getattr(entered_by, "id", None),
    )
    db.session.add(response)
    db.session.flush()
    _store(response, consultation.questions, outcome, now)
    return outcome


@dataclass(frozen=True)
class FormRoute:
    """How the page shows a routed question: the field it depends on, the values that ask it, words."""

    field: str
    values: list[str]
    words: str


def form_route(question: Question, questions: list[Question]) -> FormRoute | None:
    """Return the routing of one question as the form shows it (None when always asked)."""
    rule = question.ask_if
    parent = next((q for q in questions if rule and q.key == rule["key"]), None)
    if not rule or parent is None:
        return None
    values = kind(parent).field_values(parent, list(rule["in"]))
    return FormRoute(field_name(parent), values, describe(rule, questions))
