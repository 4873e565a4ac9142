"""5,000 signed replies from 500 customers at 32 connections against gunicorn on the run's database.

Each customer is in a 10-question SMS consultation and answers every question in order, on one of
32 keep-alive connections that interleave many conversations. Afterwards Twilio "retries" 500 of
the webhooks. Nothing may be lost, stored twice, answered out of order or answered with a 5xx.
"""

from __future__ import annotations

import collections
import http.client
import random
import threading
import time
from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy import func, insert, select

from app.extensions import db
from app.models import Customer, Participation
from app.models.base import utcnow
from consultations.surveys.definitions import import_definition
from consultations.surveys.launch import launch
from consultations.surveys.models import Answer, Consultation, Invitation, Question, Response
from messaging.models import InboundMessage, OutboundMessage
from tests.reliability.conftest import Processes, Texter, wait_until

pytestmark = pytest.mark.slow

CUSTOMERS = 500
QUESTIONS = 10
CONNECTIONS = 32
RETRIES = 500


def phone(i: int) -> str:
    return f"+4479111{i:05d}"


def answer(i: int, k: int) -> str:
    """The reply customer ``i`` gives to question ``k``: unique, so order and owner can be checked."""
    return str(i * QUESTIONS + k)


def set_up() -> Consultation:
    now = utcnow()
    rows = [
        {
            "ref": f"L{i:05d}",
            "first_name": f"Load{i}",
            "last_name": "Test",
            "phone": phone(i),
            "sms_consent": True,
            "email_consent": False,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(CUSTOMERS)
    ]
    db.session.execute(insert(Customer), rows)
    questions = [
        {"key": f"q{k}", "text": f"Question {k + 1}: a number?", "type": "number", "min": 0, "max": 100000}
        for k in range(QUESTIONS)
    ]
    consultation, _ = import_definition(
        {
            "slug": "load-test",
            "title": "Load test",
            "activity": "Load test survey",
            "channels": ["sms"],
            "audience": {"consented_only": True},
            "intro": "Hi {first_name}, ten questions.",
            "thanks": "Thank you!",
            "questions": questions,
        }
    )
    db.session.commit()
    assert launch(consultation, now=now).invited == CUSTOMERS
    db.session.commit()
    return consultation


def fire(
    texter: Texter, plan: list[list[tuple[str, str, str]]]
) -> tuple[collections.Counter[int], list[str]]:
    """Send each connection's list of texts in order; return the HTTP statuses and any errors."""
    statuses: collections.Counter[int] = collections.Counter()
    errors: list[str] = []
    lock = threading.Lock()

    def worker(texts: list[tuple[str, str, str]]) -> None:
        conn = texter.connect()
        for from_, body, sid in texts:
            try:
                status = texter.post(conn, from_, body, sid)
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(f"{sid}: {exc!r}")
                conn.close()
                conn = texter.connect()
                continue
            with lock:
                statuses[status] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(texts,)) for texts in plan]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, errors


def test_5000_replies_from_500_customers_at_32_connections(
    app: Flask, procs: Processes, figures: object
) -> None:
    consultation = set_up()
    web = procs.gunicorn("wsgi:app", workers=4, threads=4)
    # The webhook stores each text; the clock of `flask scheduler` answers them, as in production.
    procs.flask("scheduler")
    texter = Texter(web.port)

    # Connection c carries customers c, c+32, ...; it sends every one's answer k before any answer k+1.
    plan = [
        [
            (phone(i), answer(i, k), f"SMload{i:05d}{k:02d}")
            for k in range(QUESTIONS)
            for i in range(c, CUSTOMERS, CONNECTIONS)
        ]
        for c in range(CONNECTIONS)
    ]
    started = time.perf_counter()
    statuses, errors = fire(texter, plan)
    elapsed = time.perf_counter() - started
    rng = random.Random(7)
    repeats = rng.sample([text for texts in plan for text in texts], RETRIES)
    repeat_statuses, repeat_errors = fire(texter, [repeats[c::CONNECTIONS] for c in range(CONNECTIONS)])

    assert errors == [] and repeat_errors == []
    assert statuses == {200: CUSTOMERS * QUESTIONS} and repeat_statuses == {200: RETRIES}
    wait_until(unhandled_is_zero, 180, "the scheduler to handle every stored text")
    handled_after = time.perf_counter() - started
    check_conversations(consultation)
    figures(  # type: ignore[operator]
        f"{db.engine.dialect.name}: {CUSTOMERS * QUESTIONS} replies in {elapsed:.1f}s "
        f"({CUSTOMERS * QUESTIONS / elapsed:.0f}/s, gunicorn 4 workers x 4 threads, {CONNECTIONS} connections), "
        f"all handled by the scheduler {handled_after:.1f}s after the first; "
        f"0 lost, 0 duplicated, 0 5xx; {RETRIES} repeated webhooks changed nothing"
    )


def unhandled_is_zero() -> bool:
    db.session.rollback()
    return not db.session.scalar(select(func.count()).where(InboundMessage.handled_at.is_(None)))


def check_conversations(consultation: Consultation) -> None:
    db.session.expire_all()
    total = CUSTOMERS * QUESTIONS
    handled = db.session.execute(
        select(
            InboundMessage.handled_by, func.count(), func.count(func.distinct(InboundMessage.message_sid))
        ).group_by(InboundMessage.handled_by)
    ).all()
    assert [tuple(row) for row in handled] == [(f"consultation:{consultation.id}", total, total)]

    invitations = db.session.execute(
        select(Invitation.status, Invitation.position, Invitation.reprompts, func.count()).group_by(
            Invitation.status, Invitation.position, Invitation.reprompts
        )
    ).all()
    assert [tuple(row) for row in invitations] == [("completed", QUESTIONS, 0, CUSTOMERS)]

    # Every answer is the one that customer sent to that question, once, and they arrived in order.
    rows = db.session.execute(
        select(Invitation.address, Question.position, Answer.value, Answer.created_at, Answer.id)
        .join(Response, Response.invitation_id == Invitation.id)
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .order_by(Invitation.address, Question.position)
    ).all()
    assert len(rows) == total
    by_phone: dict[str, list[tuple[int, str, datetime]]] = collections.defaultdict(list)
    for address, position, value, created_at, _id in rows:
        by_phone[address].append((position, value, created_at))
    for i in range(CUSTOMERS):
        answers = by_phone[phone(i)]
        assert [(p, v) for p, v, _ in answers] == [(k, answer(i, k)) for k in range(QUESTIONS)], phone(i)
        times = [t for _, _, t in answers]
        assert times == sorted(times), f"answers of {phone(i)} stored out of order"

    responses = db.session.execute(select(Response.status, func.count()).group_by(Response.status)).all()
    assert [tuple(row) for row in responses] == [("completed", CUSTOMERS)]
    ledger = db.session.execute(
        select(
            func.count(),
            func.count(func.distinct(Participation.source_key)),
            func.count(func.distinct(Participation.customer_id)),
        )
    ).one()
    assert tuple(ledger) == (CUSTOMERS, CUSTOMERS, CUSTOMERS)
    expected_keys = {f"survey-response:{rid}" for rid in db.session.scalars(select(Response.id))}
    assert set(db.session.scalars(select(Participation.source_key))) == expected_keys

    # Each reply got exactly one answer queued: nine next questions and the thanks per customer.
    replies = db.session.execute(
        select(func.count(), func.count(func.distinct(OutboundMessage.ref))).where(
            OutboundMessage.purpose == "reply"
        )
    ).one()
    assert tuple(replies) == (total, total)
    thanks = db.session.scalar(
        select(func.count()).where(OutboundMessage.purpose == "reply", OutboundMessage.body == "Thank you!")
    )
    assert thanks == CUSTOMERS
