"""The SMS conversation engine, driven through messaging's inbound path."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Participation
from consultations.surveys.closing import close
from consultations.surveys.launch import launch
from consultations.surveys.models import Invitation, Response
from consultations.surveys.texts import CLOSED_REPLY, CLOSING, GAVE_UP
from consultations.surveys.trials import start_test_conversation
from tests.consultations import factories as f
from tests.consultations.helpers import NOW, make_consultation, sent_to, text_in

PHONE = "+447911123401"
OTHER = "+447911123402"


def launched(app: Flask, **overrides: object):  # type: ignore[no-untyped-def]
    f.sms_customer(PHONE, first_name="Ann")
    consultation = make_consultation(channels=["sms"], **overrides)
    launch(consultation, now=NOW)
    db.session.commit()
    return consultation


def test_whole_conversation_with_lenient_answers_reprompt_and_skip(app: Flask) -> None:
    consultation = launched(app)
    opening = sent_to(PHONE)[0]
    assert opening.body.startswith("Hi Ann, 3 quick questions")
    assert "Q1: Do you read Derwent Life?\nReply 1 for Yes, 2 for No" in opening.body
    assert opening.topic == consultation.topic and opening.purpose == "invitation"

    assert text_in(PHONE, "Yeah!", now=NOW + timedelta(minutes=5)) == [
        "Q2: How useful is it, 1 to 5?\nReply a number from 1 to 5"
    ]
    reprompt = text_in(PHONE, "pretty good", now=NOW + timedelta(minutes=6))
    assert reprompt == ["Sorry, we didn't understand that. Please reply a number from 1 to 5."]
    assert text_in(PHONE, "4 stars", now=NOW + timedelta(minutes=7))[0].startswith("Q3: Anything to add?")
    assert text_in(PHONE, "skip", now=NOW + timedelta(minutes=8)) == ["Thank you!"]

    invitation = db.session.scalars(select(Invitation)).one()
    assert (invitation.status, invitation.reprompts) == ("completed", 1)
    response = db.session.scalars(select(Response)).one()
    assert response.status == "completed" and response.channel == "sms"
    got = {a.question.key: (a.value, a.skipped) for a in response.answers}
    assert got == {"reads": ("Yes", False), "score": ("4", False), "comments": ("", True)}
    ledger = db.session.scalars(select(Participation)).one()
    assert ledger.source_key == f"survey-response:{response.id}"
    assert ledger.channel == "sms" and ledger.hours == Decimal("0.0333")
    assert ledger.activity_id == consultation.activity_id and str(ledger.date) == "2011-06-01"

    # A later text is not an answer: it goes to the staff inbox.
    assert text_in(PHONE, "thanks x", now=NOW + timedelta(minutes=9)) == []


def test_second_unreadable_reply_skips_optional_and_ends_required(app: Flask) -> None:
    launched(app)
    text_in(PHONE, "1")
    text_in(PHONE, "5")
    text_in(PHONE, "")  # an empty text cannot be read: re-prompt
    assert text_in(PHONE, "   ") == ["Thank you!"]  # second failure on an optional question: skipped

    f.sms_customer(OTHER)
    consultation = make_consultation(slug="second", channels=["sms"], audience={"customer_refs": []})
    launch(consultation, now=NOW + timedelta(hours=1))
    db.session.commit()
    later = NOW + timedelta(hours=2)
    text_in(OTHER, "banana", now=later)
    assert text_in(OTHER, "apple", now=later) == [GAVE_UP]
    ended = db.session.scalar(
        select(Invitation).where(Invitation.address == OTHER, Invitation.consultation_id == consultation.id)
    )
    assert ended.status == "ended"
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 1


def test_stop_mid_way_ends_texts_and_repeated_webhook_counts_once(app: Flask) -> None:
    launched(app)
    text_in(PHONE, "1", sid="SMrepeat")
    assert text_in(PHONE, "1", sid="SMrepeat") == []  # Twilio retried the same webhook
    invitation = db.session.scalars(select(Invitation)).one()
    assert invitation.position == 1
    assert text_in(PHONE, "STOP") == []
    assert text_in(PHONE, "3") == []  # suppressed: the engine answers but nothing may be sent
    assert [m.purpose for m in sent_to(PHONE)] == ["invitation", "reply"]


def test_replies_go_to_the_most_recent_open_conversation(app: Flask) -> None:
    first = launched(app)
    second = make_consultation(slug="repairs", title="Repairs", channels=["sms"])
    launch(second, now=NOW + timedelta(hours=1))
    db.session.commit()
    text_in(PHONE, "2", now=NOW + timedelta(hours=2))
    by_consultation = {i.consultation_id: i.position for i in db.session.scalars(select(Invitation))}
    assert by_consultation == {first.id: 0, second.id: 1}


def test_closing_ends_conversations_politely_and_later_replies_hear_it_closed(app: Flask) -> None:
    consultation = launched(app)
    text_in(PHONE, "1")
    assert close(consultation, now=NOW + timedelta(hours=1))
    db.session.commit()
    assert sent_to(PHONE)[-1].body == CLOSING
    assert text_in(PHONE, "4", now=NOW + timedelta(hours=2)) == [CLOSED_REPLY]
    # Someone with no conversation in it gets nothing from surveys: the text reaches the inbox.
    assert text_in(OTHER, "4", now=NOW + timedelta(hours=2)) == []
    # Long after closing, a text is ordinary inbox mail again.
    assert text_in(PHONE, "hello", now=NOW + timedelta(days=30)) == []
    assert close(consultation, now=NOW + timedelta(hours=3)) is False


def test_conversations_expire(app: Flask) -> None:
    launched(app)
    assert text_in(PHONE, "1", now=NOW + timedelta(days=8)) == []


def test_trial_conversation_is_not_counted(app: Flask) -> None:
    consultation = make_consultation(channels=["sms"])
    start_test_conversation(consultation, OTHER, now=NOW)
    db.session.commit()
    text_in(OTHER, "1")
    text_in(OTHER, "3")
    assert text_in(OTHER, "no") == ["Thank you!"]
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 0
    assert {m.topic for m in sent_to(OTHER)} == {f"consultation-test:{consultation.id}"}


def test_two_replies_racing_for_one_conversation_lose_nothing(app: Flask) -> None:
    launched(app)
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def reply(body: str, sid: str) -> None:
        with app.app_context():
            try:
                barrier.wait()
                text_in(PHONE, body, sid=sid)
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=reply, args=("1", "SMa")),
        threading.Thread(target=reply, args=("2", "SMb")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    db.session.expire_all()
    invitation = db.session.scalars(select(Invitation)).one()
    # One reply answered question 1; the other was read as the answer to question 2.
    assert invitation.position == 2
    response = db.session.scalars(select(Response)).one()
    assert {a.value for a in response.answers} in ({"Yes", "2"}, {"No", "1"})


def test_a_trial_after_launch_is_in_no_figure_chart_or_export_and_is_listed_apart(app: Flask) -> None:
    from consultations.surveys import stats
    from consultations.surveys.exports import to_csv

    consultation = launched(app)
    text_in(PHONE, "1", now=NOW + timedelta(minutes=1))
    text_in(PHONE, "4", now=NOW + timedelta(minutes=2))
    text_in(PHONE, "fine", now=NOW + timedelta(minutes=3))
    start_test_conversation(consultation, OTHER, now=NOW + timedelta(minutes=4))
    db.session.commit()
    for body in ("2", "1", "trial"):
        text_in(OTHER, body, now=NOW + timedelta(minutes=5))
    assert db.session.scalar(select(func.count()).select_from(Response)) == 2  # the trial did answer
    sms = stats.channel_figures(consultation)["sms"]
    assert (sms.invited, sms.answered, sms.completed, sms.rate) == (1, 1, 1, Decimal("100.0"))
    reads = stats.question_figures(consultation)[0]
    assert reads.bars == [("Yes", 1), ("No", 0)]  # the trial answered "No"
    assert "trial" not in to_csv(consultation) and len(to_csv(consultation).splitlines()) == 2
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 1
    (trial,) = stats.trials(consultation)
    assert (trial.address, trial.status, trial.answers) == (OTHER, "completed", 3)
