"""Sweepers: scheduled launches, closing times, reminders and quiet conversations (each commits)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import or_, select, update

from app.extensions import db
from app.models import Customer
from app.tokens import new_token
from consultations.surveys.closing import close
from consultations.surveys.invitation_email import EmailTemplate
from consultations.surveys.launch import launch
from consultations.surveys.links import survey_link
from consultations.surveys.models import INVITED, OPEN, SCHEDULED, Consultation, Invitation, InvitationLink
from consultations.surveys.texts import reminder_sms
from consultations.surveys.timeouts import expire_quiet
from messaging.api import NewMessage, channels, enqueue, unsubscribe_url
from messaging.scheduler import register_sweeper

REMINDER_BATCH = 2000


def launch_due(now: datetime) -> int:
    """Launch scheduled consultations whose opening time has come."""
    due = db.session.scalars(
        select(Consultation.id).where(Consultation.status == SCHEDULED, Consultation.opens_at <= now)
    ).all()
    done = 0
    for consultation_id in due:
        consultation = db.session.get(Consultation, consultation_id)
        # launch() claims the row with UPDATE ... WHERE status='scheduled'; a second runner gets 0 rows.
        if consultation is not None and launch(consultation, now=now).launched:
            done += 1
        db.session.commit()
    return done


def close_due(now: datetime) -> int:
    """Close open consultations whose closing time has passed."""
    due = db.session.scalars(
        select(Consultation.id).where(Consultation.status == OPEN, Consultation.closes_at <= now)
    ).all()
    done = 0
    for consultation_id in due:
        consultation = db.session.get(Consultation, consultation_id)
        if consultation is not None and close(consultation, now=now):
            done += 1
        db.session.commit()
    return done


def _claim_reminder(invitation: Invitation) -> bool:
    """Count the reminder against the invitation unless another runner already did."""
    return (
        db.session.execute(
            update(Invitation)
            .where(
                Invitation.id == invitation.id,
                Invitation.status == INVITED,
                Invitation.reminders_sent == invitation.reminders_sent,
            )
            .values(reminders_sent=Invitation.reminders_sent + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def _remind(
    consultation: Consultation, invitation: Invitation, template: EmailTemplate | None, now: datetime
) -> bool:
    """Queue one reminder; False when the address is suppressed."""
    customer = invitation.customer
    first_name = customer.first_name if customer else ""
    common = {
        "customer_id": invitation.customer_id,
        "activity_id": consultation.activity_id,
        "topic": consultation.topic,
        "ref": f"invitation:{invitation.id}",
        "purpose": "reminder",
    }
    if invitation.channel == "sms":
        body = reminder_sms(consultation, consultation.questions[invitation.position], first_name)
        sent = enqueue("sms", NewMessage(to=invitation.address, body=body, **common), now=now)
    else:
        assert template is not None
        token, digest = new_token()
        db.session.add(InvitationLink(invitation_id=invitation.id, token_hash=digest, created_at=now))
        mail = template.fill(first_name, survey_link(token), unsubscribe_url(invitation.address))
        sent = enqueue(
            "email",
            NewMessage(
                to=invitation.address,
                body=mail.text,
                html=mail.html,
                subject=mail.subject,
                list_unsubscribe=True,
                **common,
            ),
            now=now,
        )
    if sent is not None:
        db.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id)
            .values(last_sent_at=now)
            .execution_options(synchronize_session=False)
        )
    return sent is not None


def send_reminders(now: datetime) -> int:
    """Remind people who have not answered, after the set hours and at most the set number of times."""
    sent = 0
    consultations = db.session.scalars(
        select(Consultation).where(
            Consultation.status == OPEN,
            Consultation.reminder_after_hours.is_not(None),
            Consultation.max_reminders > 0,
        )
    ).all()
    for consultation in consultations:
        cutoff = now - timedelta(hours=float(consultation.reminder_after_hours or 0))
        invitations = db.session.scalars(
            select(Invitation)
            .outerjoin(Customer, Customer.id == Invitation.customer_id)
            .where(
                Invitation.consultation_id == consultation.id,
                Invitation.status == INVITED,
                Invitation.is_test.is_(False),
                Invitation.reminders_sent < consultation.max_reminders,
                Invitation.last_sent_at <= cutoff,
                # Never remind someone who has since opted out of the channel.
                *(or_(Invitation.channel != c.name, c.opted_out_column().is_(None)) for c in channels()),
            )
            .order_by(Invitation.id)
            .limit(REMINDER_BATCH)
        ).all()
        template = (
            EmailTemplate(consultation, reminder=True)
            if any(i.channel == "email" for i in invitations)
            else None
        )
        for invitation in invitations:
            if _claim_reminder(invitation) and _remind(consultation, invitation, template, now):
                sent += 1
        db.session.commit()
    return sent


def expire_conversations(now: datetime) -> int:
    """Mark SMS conversations that went quiet as expired, without texting anyone."""
    done = expire_quiet(now)
    db.session.commit()
    return done


def init_app(app: Flask) -> None:
    """Register the consultation sweepers with the scheduler clock."""
    register_sweeper(app, "consultations.launch", launch_due, seconds=30)
    register_sweeper(app, "consultations.close", close_due, seconds=30)
    register_sweeper(app, "consultations.remind", send_reminders, seconds=60)
    register_sweeper(app, "consultations.expire", expire_conversations, seconds=60)
