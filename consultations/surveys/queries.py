"""The reads the survey screens need: lists, counts and the figures of one consultation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity
from consultations.audiences import AudiencePlan, AudienceSpec, count_audience
from consultations.surveys import stats
from consultations.surveys.models import LIVE_INVITATION, Consultation, Invitation
from messaging.api import progress_by_topic


def consultations_newest_first() -> list[Consultation]:
    """Return every consultation, the newest first."""
    return list(db.session.scalars(select(Consultation).order_by(Consultation.created_at.desc())))


def activity_names() -> list[str]:
    """Return the names of the activities a consultation may count towards, in order."""
    return list(db.session.scalars(select(Activity.name).order_by(Activity.name)))


def consultation_by_slug(slug: str) -> Consultation | None:
    """Return the consultation at this web address, if any."""
    return db.session.scalar(select(Consultation).where(Consultation.slug == slug))


def open_link_query(slug: str) -> Any:
    """Return the select of the consultation answerable on the open web link at ``slug``."""
    return select(Consultation).where(Consultation.slug == slug, Consultation.web_link.is_(True))


def live_invitations(consultation: Consultation) -> int:
    """Count the real invitations still mid-way, which closing would end."""
    return int(
        db.session.scalar(
            select(func.count()).where(
                Invitation.consultation_id == consultation.id,
                Invitation.is_test.is_(False),
                Invitation.status.in_(LIVE_INVITATION),
            )
        )
        or 0
    )


def audience_counts(consultation: Consultation, spec: AudienceSpec, *, now: datetime | None) -> AudiencePlan:
    """Count whom ``spec`` reaches on each of the consultation's channels."""
    return count_audience(
        spec,
        consultation.channels,
        consultation.channel_preference or consultation.channels,
        now=now,
        own=consultation.id,
    )


@dataclass(frozen=True)
class Figures:
    """Everything the consultation's page shows about how it is going."""

    channels: Any
    reprompts: Any
    opt_outs: Any
    conversations: Any
    web_link: Any
    questions: Any
    profile: Any
    trials: Any
    progress: Any

    def context(self) -> dict[str, Any]:
        """Return the figures as template variables."""
        return dict(self.__dict__)


def figures(consultation: Consultation, *, now: datetime) -> Figures:
    """Gather the consultation's figures (the profile and sending progress only once launched)."""
    launched = consultation.launched
    return Figures(
        channels=stats.channel_figures(consultation),
        reprompts=stats.reprompts(consultation),
        opt_outs=stats.opt_outs(consultation, now),
        conversations=stats.conversation_counts(consultation),
        web_link=stats.web_link_counts(consultation) if consultation.web_link else None,
        questions=stats.question_figures(consultation),
        profile=stats.profile(consultation) if launched else {},
        trials=stats.trials(consultation),
        progress=progress_by_topic(consultation.topic) if launched else None,
    )
