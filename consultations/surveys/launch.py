"""Launch and schedule consultations: the audience is fixed and invited in one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from app.extensions import db
from app.models.audit import record
from app.tokens import new_token
from consultations.audiences import AudienceSpec, Recipient, plan_audience
from consultations.surveys.invitation_email import FIRST_NAME, EmailTemplate
from consultations.surveys.links import survey_link
from consultations.surveys.models import DRAFT, INVITED, OPEN, SCHEDULED, Consultation, Invitation
from consultations.surveys.texts import opening_sms
from messaging.api import NewMessage, enqueue_many, unsubscribe_url


class SurveyError(ValueError):
    """A request about a consultation cannot be carried out; the message says why."""


@dataclass
class LaunchResult:
    """What a launch did: nothing when it had already happened."""

    launched: bool
    by_channel: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    suppressed: int = 0

    @property
    def invited(self) -> int:
        """Return the number of invitations written."""
        return sum(self.by_channel.values())


def check_launchable(consultation: Consultation) -> None:
    """Refuse a consultation that cannot go out yet, saying what is missing."""
    if not consultation.questions:
        raise SurveyError("Add at least one question before launching.")
    if not consultation.channels:
        raise SurveyError("Choose at least one channel (SMS or email) before launching.")
    if "sms" in consultation.channels:
        from consultations.surveys.sms_limits import conversation_problems

        problems = conversation_problems(consultation)
        if problems:
            raise SurveyError(" ".join(problems))


def _insert_invitations(
    consultation: Consultation, recipients: list[Recipient], now: datetime
) -> Iterator[tuple[int, Recipient, str | None]]:
    """Bulk-insert the invitations; yield each id with its recipient and (for email) its token."""
    tokens: list[str | None] = []
    rows: list[dict[str, Any]] = []
    for r in recipients:
        # Only an email carries a personal link (stored as its digest); a text is matched by number.
        token, digest = new_token() if r.channel == "email" else (None, None)
        tokens.append(token)
        rows.append(
            {
                "consultation_id": consultation.id,
                "customer_id": r.customer_id,
                "channel": r.channel,
                "address": r.address,
                "token_hash": digest,
                "status": INVITED,
                "position": 0,
                "attempts": 0,
                "reprompts": 0,
                "reminders_sent": 0,
                "last_sent_at": now,
                "is_test": False,
                "lock_version": 0,
                "created_at": now,
            }
        )
    if not rows:
        return
    # A plain executemany, then one query for the ids: ORM bulk INSERT ... RETURNING in parameter
    # order costs quadratic time at this size. Each customer has one invitation per consultation.
    db.session.execute(insert(Invitation.__table__), rows)
    ids = dict(
        db.session.execute(
            select(Invitation.customer_id, Invitation.id).where(
                Invitation.consultation_id == consultation.id, Invitation.is_test.is_(False)
            )
        ).all()
    )
    for recipient, token in zip(recipients, tokens, strict=True):
        yield ids[recipient.customer_id], recipient, token


def launch(consultation: Consultation, *, now: datetime, actor: Any = None) -> LaunchResult:
    """Fix the audience and queue every invitation; a second call does nothing (flush only)."""
    check_launchable(consultation)
    # The status change is the claim: of a click and the scheduler launching at once, only one
    # moves it from draft or scheduled, so nobody is invited twice.
    claimed = db.session.execute(
        update(Consultation)
        .where(Consultation.id == consultation.id, Consultation.status.in_((DRAFT, SCHEDULED)))
        .values(status=OPEN, launched_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return LaunchResult(launched=False)
    db.session.refresh(consultation)
    spec = AudienceSpec.from_json(consultation.audience)
    plan = plan_audience(
        spec,
        consultation.channels,
        consultation.channel_preference or consultation.channels,
        now=now,
        # Its own (test) invitations do not make anyone "recently contacted".
        own=consultation.id,
    )
    sms: list[NewMessage] = []
    email: list[NewMessage] = []
    template = EmailTemplate(consultation) if "email" in plan.by_channel else None
    # Each text and email is rendered once with placeholders and filled in per person, so a large
    # audience costs string replacements, not a template render per customer.
    opening = opening_sms(consultation, FIRST_NAME)
    common = {"activity_id": consultation.activity_id, "topic": consultation.topic, "purpose": "invitation"}
    for invitation_id, r, token in _insert_invitations(consultation, plan.recipients, now):
        ref = f"invitation:{invitation_id}"
        if r.channel == "sms":
            sms.append(
                NewMessage(
                    to=r.address,
                    body=opening.replace(FIRST_NAME, r.first_name.strip() or "there"),
                    customer_id=r.customer_id,
                    ref=ref,
                    **common,
                )
            )
        else:
            assert template is not None and token is not None
            mail = template.fill(r.first_name, survey_link(token), unsubscribe_url(r.address))
            email.append(
                NewMessage(
                    to=r.address,
                    body=mail.text,
                    html=mail.html,
                    subject=mail.subject,
                    customer_id=r.customer_id,
                    ref=ref,
                    list_unsubscribe=True,
                    **common,
                )
            )
    # The outbox drops suppressed addresses (STOP, unsubscribes) itself; staff see how many.
    suppressed = 0
    for channel, messages in (("sms", sms), ("email", email)):
        if messages:
            suppressed += enqueue_many(channel, messages, now=now).suppressed
    consultation.invited_count = len(plan.recipients)
    consultation.skipped = dict(plan.skipped)
    if plan.sample is not None:
        consultation.sample_record = plan.sample.record()
    # Otherwise any draw made before launch (the TSM page samples the register) stays on record.
    record(
        "consultation.launch",
        actor=actor,
        target_type="consultation",
        target_id=consultation.id,
        now=now,
        detail={
            "slug": consultation.slug,
            "invited": plan.by_channel,
            "skipped": plan.skipped,
            "sample": consultation.sample_record,
        },
    )
    db.session.flush()
    return LaunchResult(
        launched=True, by_channel=plan.by_channel, skipped=plan.skipped, suppressed=suppressed
    )


def schedule(
    consultation: Consultation, at: datetime, *, now: datetime, actor: Any = None
) -> LaunchResult | None:
    """Schedule a launch for ``at`` (or launch now when that time has passed)."""
    check_launchable(consultation)
    if consultation.status not in (DRAFT, SCHEDULED):
        raise SurveyError(f"{consultation.title} is already {consultation.status}.")
    # A time already passed means now, rather than waiting for the next sweep of the clock.
    if at <= now:
        return launch(consultation, now=now, actor=actor)
    if consultation.closes_at and consultation.closes_at <= at:
        raise SurveyError("The launch time must be before the closing time.")
    consultation.status = SCHEDULED
    consultation.opens_at = at
    record(
        "consultation.schedule",
        actor=actor,
        target_type="consultation",
        target_id=consultation.id,
        now=now,
        detail={"slug": consultation.slug, "opens_at": at.isoformat()},
    )
    db.session.flush()
    return None


def unschedule(consultation: Consultation, *, now: datetime, actor: Any = None) -> bool:
    """Put a scheduled consultation back to draft."""
    # Conditional like launch: if the scheduler launched it a moment ago, it stays launched.
    changed = db.session.execute(
        update(Consultation)
        .where(Consultation.id == consultation.id, Consultation.status == SCHEDULED)
        .values(status=DRAFT)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        db.session.refresh(consultation)
        record(
            "consultation.unschedule",
            actor=actor,
            target_type="consultation",
            target_id=consultation.id,
            now=now,
        )
    return bool(changed)
