"""The SMS conversation: read each reply, re-prompt once, ask the next question, thank at the end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from app.extensions import db
from consultations.surveys.answering import answer_live
from consultations.surveys.conversations import conversation_for, conversation_of
from consultations.surveys.models import LIVE_INVITATION, Consultation, Invitation
from consultations.surveys.parsing import Parsed
from consultations.surveys.qtypes import parse_answer
from consultations.surveys.responses import complete, given_answers, record_answer, response_for
from consultations.surveys.routing import next_asked
from consultations.surveys.texts import CLOSED_REPLY, GAVE_UP, question_sms, reprompt_sms, resume_sms
from consultations.surveys.timeouts import answer_timed_out
from consultations.tsm.tenure_routing import not_asked_of
from messaging.handlers import InboundReply, InboundText


def lock(invitation: Invitation) -> Invitation:
    """Take the conversation's row for this transaction and re-read it.

    The write comes first so a second reply to the same conversation waits for this one to
    commit (row lock on PostgreSQL, the write lock on SQLite) and then sees its outcome.
    """
    db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id)
        .values(lock_version=Invitation.lock_version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(invitation)
    return invitation


@dataclass(frozen=True)
class Turn:
    """What one reply did to a conversation and the text to send back."""

    outcome: str
    reply: str | None = None


def advance(invitation: Invitation, text: str, now: datetime) -> Turn:
    """Apply one reply to the conversation and return the answer to text back."""
    consultation = invitation.consultation
    questions = consultation.questions
    if invitation.position >= len(questions):
        return Turn("finished")
    # Every reply gets a text back, so the conversation window starts again from now.
    invitation.last_sent_at = now
    question = questions[invitation.position]
    parsed = parse_answer(question, text)
    if not parsed.ok:
        invitation.attempts += 1
        # One re-prompt per question; a second miss ends a required question, skips an optional one.
        if invitation.attempts == 1:
            invitation.reprompts += 1
            return Turn("reprompted", reprompt_sms(question))
        if question.required:
            invitation.status = "ended"
            response_for(invitation, now=now).status = "incomplete"
            return Turn("ended", GAVE_UP)
        parsed = Parsed(ok=True, skipped=True)
    response = response_for(invitation, now=now)
    record_answer(response, question, parsed, text, now=now)
    invitation.answered_at = invitation.answered_at or now
    invitation.status = "started"
    invitation.attempts = 0
    # The next question this person is asked: routing passes over those whose ask_if fails.
    skip = not_asked_of(consultation, invitation.customer)
    invitation.position = next_asked(questions, invitation.position + 1, given_answers(response), skip)
    if invitation.position >= len(questions):
        # A test conversation never writes participation: it must not count toward the report.
        complete(response, now=now, counts=not invitation.is_test)
        invitation.status = "completed"
        invitation.completed_at = now
        return Turn("completed", consultation.thanks)
    return Turn("answered", question_sms(questions[invitation.position], invitation.position + 1))


def _claim(consultation: Consultation, invitation: Invitation, reply: str | None) -> InboundReply:
    # A test conversation's texts are filed under their own topic, with no activity to count towards.
    test = invitation.is_test
    return InboundReply(
        handled_by=f"consultation:{consultation.id}",
        reply=reply,
        topic=f"consultation-test:{consultation.id}" if test else consultation.topic,
        activity_id=None if test else consultation.activity_id,
    )


def on_sms_received(text: InboundText) -> InboundReply | None:
    """Claim a text that answers one of the sender's open conversations."""
    now = text.now
    found = conversation_of(text)
    if found is not None and found.kind == "live" and found.row is not None:
        claim = answer_live(found.row, text.body, now, text.batch)
        if claim is not None:
            return claim
        # Another reply moved the conversation on since it was read: answer under the row lock.
        found = conversation_for(text.sender, now)
    if found is None:
        return None
    invitation = db.session.get(Invitation, found.invitation_id)
    if invitation is None:
        return None
    if found.kind == "timed-out":
        # A late reply to a conversation that went quiet hears, once, that the survey timed out.
        return answer_timed_out(invitation, text.sender)
    if found.kind == "closed":
        # Closing cut the conversation short: the sender hears so instead of their text going unanswered.
        consultation = invitation.consultation
        return InboundReply(
            handled_by=f"consultation:{consultation.id}",
            reply=CLOSED_REPLY,
            topic=consultation.topic,
            activity_id=consultation.activity_id,
        )
    lock(invitation)
    consultation = invitation.consultation
    if invitation.status not in LIVE_INVITATION or not (consultation.status == "open" or invitation.is_test):
        # A reply that raced the closing or a parallel last answer: say so rather than stay silent.
        return _claim(consultation, invitation, CLOSED_REPLY if consultation.status == "closed" else None)
    turn = advance(invitation, text.body, now)
    db.session.flush()
    return _claim(consultation, invitation, turn.reply)


def after_interruption(text: InboundText, claim: InboundReply) -> InboundReply | None:
    """After a keyword took a text mid-conversation, ask the pending question again.

    The keyword's text was never an answer, so the conversation stays where it was and the
    customer's next reply answers the question sent here. After STOP nothing is sent (the
    number is suppressed); START later resumes the survey with the same question.
    """
    if claim.handled_by == "keyword:stop":
        return None
    found = conversation_for(text.sender, text.now)
    if found is None or found.kind != "live":
        return None
    invitation = lock(db.session.get(Invitation, found.invitation_id))
    consultation = invitation.consultation
    questions = consultation.questions
    live = invitation.status in LIVE_INVITATION and (consultation.status == "open" or invitation.is_test)
    if not live or invitation.position >= len(questions):
        return None
    invitation.last_sent_at = text.now
    number = invitation.position + 1 if len(questions) > 1 else None
    reask = resume_sms(consultation, questions[invitation.position], number)
    db.session.flush()
    return _claim(consultation, invitation, reask)
