"""The closed "Derwent Life readership" consultation: texts and emails, answers, re-prompts, opt-outs."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from consultations.demo.common import Clock, Person, Phone, local_text, minutes_later
from consultations.surveys.closing import close
from consultations.surveys.definitions import import_definition
from consultations.surveys.launch import launch
from consultations.surveys.models import Consultation, Invitation
from consultations.surveys.qtypes import parse_answer
from consultations.surveys.responses import complete, record_answer, response_for
from consultations.surveys.timeouts import expire_quiet
from consultations.surveys.webform import submit_invitation

INVITED = 420
COMPLETED = 300
# Conversations texted in through the inbound path; the rest of the texted answers are recorded directly.
TEXTED_IN = 36
READS_SHARE = 0.83  # what the newsletter's own report found
COMMENTS = (
    "Love the recipes page",
    "More news about repairs in my area please",
    "Could it come by email instead of post?",
    "The puzzles are the first thing I read",
    "Bigger print would help me",
    "Good to hear what other residents are doing",
    "Too many pages about things that don't affect me",
    "Please put the bin collection dates in",
    "Nice to see the estate improvements",
    "I only read it when something catches my eye",
)
YES_WORDS, NO_WORDS = ("1", "Yes", "yes", "Y", "yes!"), ("2", "No", "no", "n", "Nope")
SCORE_WORDS = {
    1: ("1", "one"),
    2: ("2",),
    3: ("3", "3 out of 5"),
    4: ("4", "4 stars", "four"),
    5: ("5", "5!", "five"),
}
SKIPS = ("skip", "none", "n/a", "SKIP")


def definition(closes: datetime) -> dict[str, object]:
    """Return the consultation's definition, as ``consultations import`` reads one."""
    return {
        "slug": "derwent-life-readership",
        "title": "Derwent Life readership",
        "activity": "Derwent Life newsletter",
        "channels": ["sms", "email"],
        # Email where the customer also agreed to it, else a text: everyone asked had agreed to texts.
        "channel_preference": ["email", "sms"],
        "intro": "Hi {first_name}, 3 quick questions about Derwent Life, our newsletter.",
        "thanks": "Thank you! Your answers help shape the next edition of Derwent Life.",
        "closes_at": local_text(closes),
        "minutes_per_response": 2,
        "questions": [
            {"key": "reads", "text": "Do you read Derwent Life?", "type": "choice", "options": ["Yes", "No"]},
            {"key": "score", "text": "How useful is it, 1 to 5?", "type": "scale", "min": 1, "max": 5},
            {"key": "comments", "text": "Anything to add?", "type": "text", "required": False},
        ],
    }


@dataclass(frozen=True)
class Answers:
    """One respondent's answers."""

    reads: bool
    score: int
    comment: str


def _answer_sets(rng: random.Random, count: int) -> list[Answers]:
    """Exactly 83% readers; readers find it useful, the rest mostly do not; a quarter leave a comment."""
    readers = round(count * READS_SHARE)
    result = []
    for n in range(count):
        reads = n < readers
        weights = (3, 7, 20, 40, 30) if reads else (40, 30, 25, 5, 0)
        score = rng.choices(range(1, 6), weights=weights)[0]
        comment = rng.choice(COMMENTS) if rng.random() < 0.25 else ""
        result.append(Answers(reads, score, comment))
    rng.shuffle(result)
    return result


class Readership:
    """Writes the readership consultation's story through the surveys services."""

    def __init__(self, rng: random.Random, clock: Clock, phone: Phone) -> None:
        self.rng, self.clock, self.phone = rng, clock, phone
        self.launched = clock.ago(75, 10)
        self.closes = clock.ago(54, 17)

    def load(self, people: list[Person]) -> Consultation:
        """Import, launch, answer, expire the quiet, and close the consultation."""
        rng = self.rng
        audience = rng.sample([p for p in people if p.textable], INVITED)
        data = definition(self.closes)
        data["audience"] = {"customer_refs": sorted(p.ref for p in audience), "consented_only": True}
        consultation, _ = import_definition(data)
        launch(consultation, now=self.launched)
        invitations = list(
            db.session.scalars(
                select(Invitation)
                .where(Invitation.consultation_id == consultation.id)
                .order_by(Invitation.id)
            )
        )
        sms = [i for i in invitations if i.channel == "sms"]
        email = [i for i in invitations if i.channel == "email"]
        rng.shuffle(sms)
        rng.shuffle(email)
        email_done = min(len(email), round(len(email) * 0.6))
        sms_done = min(COMPLETED - email_done, len(sms) - 20)
        answers = _answer_sets(rng, email_done + sms_done)
        for invitation, given in zip(email[:email_done], answers[:email_done], strict=True):
            self._by_email(invitation, given)
        done, rest = sms[:sms_done], sms[sms_done:]
        for n, (invitation, given) in enumerate(zip(done, answers[email_done:], strict=True)):
            if n < TEXTED_IN:
                self._by_text(invitation, given, reprompt=n % 3 == 0)
            else:
                self._recorded(invitation, given)
        self._the_rest(rest)
        close(consultation, now=self.closes)
        return consultation

    def _reply_time(self, low_hours: float, high_hours: float) -> datetime:
        hours = self.rng.uniform(low_hours, high_hours)
        return self.clock.squeeze(self.launched + timedelta(hours=hours))

    def _by_email(self, invitation: Invitation, given: Answers) -> None:
        form = {
            "q_reads": "0" if given.reads else "1",
            "q_score": str(given.score),
            "q_comments": given.comment,
        }
        outcome = submit_invitation(invitation, form, now=self._reply_time(0.2, 9 * 24))
        if outcome is None or not outcome.ok:
            raise RuntimeError(f"demo answers refused: {outcome}")

    def _texts(self, given: Answers) -> list[str]:
        rng = self.rng
        return [
            rng.choice(YES_WORDS if given.reads else NO_WORDS),
            rng.choice(SCORE_WORDS[given.score]),
            given.comment or rng.choice(SKIPS),
        ]

    def _by_text(self, invitation: Invitation, given: Answers, *, reprompt: bool) -> None:
        """Text the answers in through the inbound webhook's path and the conversation engine."""
        rng, number = self.rng, invitation.address
        at = self._reply_time(0.05, 6 * 24)
        reads, score, comment = self._texts(given)
        self.phone.text(number, reads, at)
        if reprompt:
            # Someone who answers in words first, then with the number they are asked for.
            at = minutes_later(rng, at, 1, 8)
            self.phone.text(number, rng.choice(("pretty good", "not bad really")), at)
        at = minutes_later(rng, at, 1, 12)
        self.phone.text(number, score, at)
        self.phone.text(number, comment, minutes_later(rng, at, 1, 15))

    def _recorded(self, invitation: Invitation, given: Answers) -> None:
        """Record a text conversation's answers as the engine does, without the texts, to keep loading fast."""
        at = self._reply_time(0.05, 6 * 24)
        response = response_for(invitation, now=at)
        for question, text in zip(invitation.consultation.questions, self._texts(given), strict=True):
            record_answer(response, question, parse_answer(question, text), text, now=at)
            at = minutes_later(self.rng, at, 1, 12)
        complete(response, now=at)
        invitation.status, invitation.position = "completed", len(invitation.consultation.questions)
        invitation.answered_at, invitation.completed_at, invitation.last_sent_at = response.started_at, at, at

    def _the_rest(self, rest: list[Invitation]) -> None:
        """Opt-outs, muddles and conversations that went quiet; the rest never replied."""
        rng = self.rng
        stop, muddled, quiet = rest[:2], rest[2:5], rest[5:14]
        for invitation in stop:
            self.phone.text(invitation.address, rng.choice(("STOP", "Stop")), self._reply_time(0.1, 30))
        for invitation in muddled:
            at = self._reply_time(0.1, 48)
            self.phone.text(invitation.address, "who is this?", at)
            self.phone.text(invitation.address, "??", minutes_later(rng, at, 2, 30))
        last: dict[int, datetime] = {}
        for invitation in quiet:
            at = self._reply_time(2, 72)
            self.phone.text(invitation.address, rng.choice(YES_WORDS), at)
            last[invitation.id] = at
        # The sweeper a fortnight in: quiet conversations expire, and nobody is texted about it.
        expire_quiet(self.clock.squeeze(self.launched + timedelta(days=15)))
        late = quiet[0]
        # One of them answers eight days on and is told, kindly, that the survey timed out.
        self.phone.text(late.address, "4", self.clock.squeeze(last[late.id] + timedelta(days=8)))
