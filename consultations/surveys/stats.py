"""Live figures for a consultation: reach per channel, answers so far, quiet conversations, who answered."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.models import Area, Customer
from app.models.people import PROFILE_FIELDS
from app.suppression import NOT_RECORDED, SUPPRESS_UNDER
from app.vocabulary.lists import Vocabulary, load_all
from consultations.surveys.models import (
    RESPONSE_CHANNELS,
    Answer,
    Consultation,
    Invitation,
    Question,
    Response,
    real_responses,
)
from consultations.surveys.qtypes import kind
from messaging.api import OutboundMessage, Suppression

DELIVERED = ("delivered",)
FAILED = ("undelivered", "failed", "suppressed")


@dataclass
class ChannelFigures:
    """Reach and response on one channel."""

    invited: int = 0
    messages: dict[str, int] = field(default_factory=dict)
    answered: int = 0
    completed: int = 0

    @property
    def delivered(self) -> int:
        """Return messages the provider confirmed (emails count once sent)."""
        return sum(n for status, n in self.messages.items() if status in DELIVERED)

    @property
    def rate(self) -> Decimal | None:
        """Return completed responses as a share of invitations."""
        if not self.invited:
            return None
        return (Decimal(self.completed) / Decimal(self.invited) * 100).quantize(Decimal("0.1"))


@dataclass
class QuestionFigures:
    """How one question was answered."""

    question: Question
    bars: list[tuple[str, int]] = field(default_factory=list)
    skipped: int = 0
    # Completed responses that were routed past this question (its ask_if did not hold).
    not_asked: int = 0
    texts: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def channel_figures(consultation: Consultation) -> dict[str, ChannelFigures]:
    """Return invited, message statuses, answered and completed per channel."""
    figures: dict[str, ChannelFigures] = defaultdict(ChannelFigures)
    for channel, n in db.session.execute(
        select(Invitation.channel, func.count())
        .where(Invitation.consultation_id == consultation.id, Invitation.is_test.is_(False))
        .group_by(Invitation.channel)
    ):
        figures[channel].invited = n
    for channel, status, n in db.session.execute(
        select(OutboundMessage.channel, OutboundMessage.status, func.count())
        .where(OutboundMessage.topic == consultation.topic, OutboundMessage.purpose == "invitation")
        .group_by(OutboundMessage.channel, OutboundMessage.status)
    ):
        figures[channel].messages[status] = n
    for channel, status, n in db.session.execute(
        select(Response.channel, Response.status, func.count(func.distinct(Response.id)))
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.consultation_id == consultation.id, real_responses())
        .group_by(Response.channel, Response.status)
    ):
        figures[channel].answered += n
        if status == "completed":
            figures[channel].completed += n
    order = [c for c in RESPONSE_CHANNELS if c in figures]
    return {c: figures[c] for c in order}


def reprompts(consultation: Consultation) -> int:
    """Return how many unreadable replies were met with a re-prompt."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(Invitation.reprompts), 0)).where(
            Invitation.consultation_id == consultation.id, Invitation.is_test.is_(False)
        )
    )
    return int(total or 0)


def conversation_counts(consultation: Consultation) -> dict[str, int]:
    """Return invitations per status (invited, started, completed, ended, expired, closed)."""
    rows = db.session.execute(
        select(Invitation.status, func.count())
        .where(Invitation.consultation_id == consultation.id, Invitation.is_test.is_(False))
        .group_by(Invitation.status)
    )
    return {status: n for status, n in rows}


def opt_outs(consultation: Consultation, now: datetime) -> int:
    """Return invited addresses that opted out while the consultation ran."""
    if consultation.launched_at is None:
        return 0
    end = consultation.closed_at or now
    same_address = or_(
        and_(Invitation.channel == "sms", Suppression.address == Invitation.address),
        and_(Invitation.channel == "email", Suppression.address == func.lower(Invitation.address)),
    )
    return int(
        db.session.scalar(
            select(func.count(func.distinct(Invitation.id)))
            .join(Suppression, and_(Suppression.channel == Invitation.channel, same_address))
            .where(
                Invitation.consultation_id == consultation.id,
                Invitation.is_test.is_(False),
                Suppression.created_at >= consultation.launched_at,
                Suppression.created_at <= end,
            )
        )
        or 0
    )


def _number_text(value: Decimal | None) -> str:
    if value is None:
        return "—"
    value = Decimal(value).quantize(Decimal("0.01"))
    return f"{value.normalize():f}"


def question_figures(consultation: Consultation, texts_limit: int = 50) -> list[QuestionFigures]:
    """Return answer distributions for choices and scales, summaries for numbers and recent free text."""
    result = []
    completed_or_started = and_(Response.consultation_id == consultation.id, real_responses())
    for question in consultation.questions:
        figures = QuestionFigures(question)
        base = (
            select(Answer)
            .join(Response, Response.id == Answer.response_id)
            .where(completed_or_started, Answer.question_id == question.id)
        )
        figures.skipped = (
            db.session.scalar(
                select(func.count()).select_from(base.where(Answer.skipped.is_(True)).subquery())
            )
            or 0
        )
        answered = base.where(Answer.skipped.is_(False)).subquery()
        shape = kind(question).figures
        if question.ask_if:
            figures.not_asked = _not_asked(consultation, question)
        if shape == "options":
            counts = dict(
                db.session.execute(
                    select(answered.c.option_index, func.count()).group_by(answered.c.option_index)
                ).all()
            )
            figures.bars = [
                (label, counts.get(i, 0)) for i, label in enumerate(kind(question).labels(question))
            ]
        elif shape == "scale":
            counts = {
                int(k): v
                for k, v in db.session.execute(
                    select(answered.c.number, func.count()).group_by(answered.c.number)
                )
                if k is not None
            }
            low, high = question.min_value or 0, question.max_value or 0
            figures.bars = [(str(v), counts.get(v, 0)) for v in range(low, high + 1)]
        if shape in ("scale", "numbers"):
            row = db.session.execute(
                select(
                    func.count(answered.c.number),
                    func.avg(answered.c.number),
                    func.min(answered.c.number),
                    func.max(answered.c.number),
                )
            ).one()
            figures.summary = {
                "count": row[0],
                "mean": _number_text(row[1]),
                "min": _number_text(row[2]),
                "max": _number_text(row[3]),
            }
        if shape == "texts":
            figures.texts = list(
                db.session.scalars(
                    select(answered.c.value).order_by(answered.c.created_at.desc()).limit(texts_limit)
                )
            )
            figures.summary = {"count": db.session.scalar(select(func.count()).select_from(answered)) or 0}
        result.append(figures)
    return result


def _not_asked(consultation: Consultation, question: Question) -> int:
    """Count completed responses with no answer to a routed question: routing passed them by."""
    has_answer = select(Answer.id).where(Answer.response_id == Response.id, Answer.question_id == question.id)
    return int(
        db.session.scalar(
            select(func.count()).where(
                Response.consultation_id == consultation.id,
                Response.status == "completed",
                ~has_answer.exists(),
            )
        )
        or 0
    )


def _profile_counts(customer_ids: Any, lists: dict[str, Vocabulary]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for name in PROFILE_FIELDS:
        column = Area.name if name == "area" else getattr(Customer, name)
        query = select(func.coalesce(column, NOT_RECORDED), func.count()).select_from(Customer)
        if name == "area":
            query = query.outerjoin(Area, Area.id == Customer.area_id)
        rows = db.session.execute(query.where(Customer.id.in_(customer_ids)).group_by(column))
        counts[name] = {}
        for value, n in rows:
            # Spellings of one listed value count as one group.
            label = (
                NOT_RECORDED if value == NOT_RECORDED else (lists[name].canonical(str(value)) or str(value))
            )
            counts[name][label] = counts[name].get(label, 0) + int(n)
    return counts


@dataclass(frozen=True)
class ProfileRow:
    """Respondents and audience with one value of a profile field; a count under 5 is None (shown "<5")."""

    value: str
    respondents: int | None
    audience: int | None

    @property
    def rate(self) -> Decimal | None:
        """Return respondents as a share of the audience, only when neither count is suppressed."""
        if self.respondents is None or not self.audience:
            return None
        return (Decimal(self.respondents) / Decimal(self.audience) * 100).quantize(Decimal("0.1"))


def _cells(counts: dict[str, int], values: list[str]) -> dict[str, int | None]:
    # Staff-only, live figures: a handful of people in a cell could be told apart, so hide it (primary only).
    return {v: n if (n := counts.get(v, 0)) >= SUPPRESS_UNDER else None for v in values}


def profile(consultation: Consultation) -> dict[str, list[ProfileRow]]:
    """Return, per profile field, respondents against the audience so staff see who is missing."""
    audience_ids = select(Invitation.customer_id).where(
        Invitation.consultation_id == consultation.id, Invitation.is_test.is_(False)
    )
    respondent_ids = select(Response.customer_id).where(
        Response.consultation_id == consultation.id,
        Response.status == "completed",
        Response.customer_id.is_not(None),
        real_responses(),
    )
    lists = load_all()
    audience = _profile_counts(audience_ids, lists)
    respondents = _profile_counts(respondent_ids, lists)
    table = {}
    for name in PROFILE_FIELDS:
        rank = lists[name].rank
        values = sorted(
            set(audience[name]) | set(respondents[name]), key=lambda v: rank(None if v == NOT_RECORDED else v)
        )
        took_part, invited = _cells(respondents[name], values), _cells(audience[name], values)
        table[name] = [ProfileRow(v, took_part[v], invited[v]) for v in values]
    return table


def web_link_counts(consultation: Consultation) -> dict[str, int]:
    """Count completed open web link answers: matched to a register customer, and anonymous."""
    rows = db.session.execute(
        select(Response.customer_id.is_(None), func.count())
        .where(
            Response.consultation_id == consultation.id,
            Response.channel == "web",
            Response.invitation_id.is_(None),
            Response.status == "completed",
        )
        .group_by(Response.customer_id.is_(None))
    ).all()
    counts = {"matched": 0, "anonymous": 0}
    for anonymous, n in rows:
        counts["anonymous" if anonymous else "matched"] += int(n)
    return counts


@dataclass(frozen=True)
class TrialRow:
    """One trial conversation, listed apart from the results."""

    address: str
    status: str
    started_at: datetime
    answers: int


def trials(consultation: Consultation, limit: int = 50) -> list[TrialRow]:
    """Return the latest trial conversations with how many answers each gave (none count anywhere)."""
    answers = (
        select(func.count(Answer.id))
        .join(Response, Response.id == Answer.response_id)
        .where(Response.invitation_id == Invitation.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Invitation.address, Invitation.status, Invitation.created_at, answers)
        .where(Invitation.consultation_id == consultation.id, Invitation.is_test.is_(True))
        .order_by(Invitation.id.desc())
        .limit(limit)
    )
    return [TrialRow(address, status, started, int(n or 0)) for address, status, started, n in rows]
