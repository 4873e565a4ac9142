"""Answer a live SMS conversation in a few prepared statements: every read first, the writes last.

This is the path nearly every reply to a survey takes, so its statements are built once and run
with bound values on the session's connection, and the consultation's questions come from the
per-process script (``scripts.py``). The conversation's row is moved on by a conditional UPDATE
(``WHERE lock_version = :read``) as the first write: a second reply from the same customer that
read the same state finds nothing to update, and the caller answers it again under the row lock
(``engine.lock``), so two replies never answer the same question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row, bindparam, cast, exists, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import ledger
from app.extensions import db
from app.models import Customer, Participation
from app.periods import local_date
from app.prepared import Prepared
from consultations.surveys.models import Answer, Invitation, Question, Response
from consultations.surveys.parsing import Parsed
from consultations.surveys.qtypes import parse_answer
from consultations.surveys.routing import next_asked
from consultations.surveys.scripts import Script, ScriptQuestion, script_for
from consultations.surveys.texts import GAVE_UP
from consultations.tsm.tenure_routing import not_asked_of
from messaging.handlers import Batch, InboundReply

_inv, _resp, _ans = Invitation.__table__, Response.__table__, Answer.__table__
_at = _inv.c.last_sent_at.type
_number = _ans.c.number.type

_GIVEN = Prepared(
    select(Question.key, Answer.value, Answer.skipped)
    .join(Answer, Answer.question_id == Question.id)
    .where(Answer.response_id == bindparam("response"))
)
_TENURE = Prepared(select(Customer.tenure).where(Customer.id == bindparam("customer")))


def _move() -> Any:
    """Build the conditional UPDATE that moves the conversation on (a fresh statement each call)."""
    return (
        update(_inv)
        .where(
            _inv.c.id == bindparam("invitation"),
            _inv.c.lock_version == bindparam("read_version"),
            _inv.c.status == bindparam("read_status"),
        )
        .values(
            status=bindparam("to_status"),
            position=bindparam("to_position"),
            attempts=bindparam("to_attempts"),
            reprompts=_inv.c.reprompts + bindparam("reprompted"),
            last_sent_at=bindparam("now", type_=_at),
            answered_at=func.coalesce(_inv.c.answered_at, bindparam("answered", type_=_at)),
            completed_at=func.coalesce(bindparam("completed", type_=_at), _inv.c.completed_at),
            lock_version=_inv.c.lock_version + 1,
        )
    )


# The first write: moves the conversation on only if nobody else did since it was read.
_MOVE = Prepared(_move())
_NEW_RESPONSE = Prepared(
    _resp.insert()
    .values(
        consultation_id=bindparam("consultation"),
        invitation_id=bindparam("invitation"),
        customer_id=bindparam("customer"),
        channel="sms",
        status=bindparam("to_status"),
        started_at=bindparam("now", type_=_at),
        completed_at=bindparam("completed", type_=_at),
    )
    .returning(_resp.c.id)
)
_SET_RESPONSE = Prepared(
    update(_resp)
    .where(_resp.c.id == bindparam("response"), _resp.c.status != "completed")
    .values(status=bindparam("to_status"), completed_at=bindparam("completed", type_=_at))
)


@lru_cache(maxsize=4)
def _answer_statement(dialect: str) -> Prepared:
    """Build, once per dialect, the insert that stores (or replaces) the answer to one question."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(_ans).values(
        response_id=bindparam("response"),
        question_id=bindparam("question"),
        value=bindparam("value"),
        number=bindparam("number", type_=_number),
        option_index=bindparam("option"),
        skipped=bindparam("skipped"),
        raw=bindparam("raw"),
        created_at=bindparam("now", type_=_at),
    )
    # Answering a question again replaces the stored answer: one answer per question and response.
    replaced = {
        name: statement.excluded[name]
        for name in ("value", "number", "option_index", "skipped", "raw", "created_at")
    }
    return Prepared(
        statement.on_conflict_do_update(index_elements=["response_id", "question_id"], set_=replaced)
    )


@lru_cache(maxsize=8)
def _pg_writes(response: str, answered: bool) -> Prepared:
    """Build, once per shape, PostgreSQL's one statement for all of a reply's writes.

    ``response`` is "new" (the first answer inserts the response), "set" (its status changes) or
    "kept". Every write hangs off the conversation's move, so when another reply moved it first
    the statement writes nothing and returns no row. One round trip instead of three.
    """
    # Built afresh: a statement already run by Prepared has its columns worked out, and a copy
    # made from it by returning() would keep the old (empty) ones.
    moved = _move().returning(_inv.c.id).cte("moved")
    ctes: list[Any] = [moved]
    status, completed = (
        bindparam("response_status", type_=_resp.c.status.type),
        bindparam("completed", type_=_at),
    )
    if response == "new":
        columns = [
            "consultation_id",
            "invitation_id",
            "customer_id",
            "channel",
            "status",
            "started_at",
            "completed_at",
        ]
        values = [
            bindparam("consultation", type_=_resp.c.consultation_id.type),
            moved.c.id,
            bindparam("customer", type_=_resp.c.customer_id.type),
            literal("sms", type_=_resp.c.channel.type),
            status,
            bindparam("now", type_=_at),
            completed,
        ]
        resp = pg_insert(_resp).from_select(columns, select(*values).select_from(moved)).returning(_resp.c.id)
        source = resp.cte("resp")
        ctes.append(source)
        response_id: Any = source.c.id
    else:
        source, response_id = moved, bindparam("response", type_=_ans.c.response_id.type)
        if response == "set":
            # A response that is already complete stays complete, whatever this reply says.
            changed = (
                update(_resp)
                .where(_resp.c.id == response_id, _resp.c.status != "completed", exists(select(moved.c.id)))
                .values(status=status, completed_at=completed)
            )
            ctes.append(changed.cte("changed"))
    if answered:
        given = {
            "response_id": response_id,
            "question_id": bindparam("question", type_=_ans.c.question_id.type),
            "value": bindparam("value", type_=_ans.c.value.type),
            # Cast: a missing number would otherwise reach PostgreSQL as text.
            "number": cast(bindparam("number", type_=_number), _number),
            "option_index": bindparam("option", type_=_ans.c.option_index.type),
            "skipped": cast(bindparam("skipped", type_=_ans.c.skipped.type), _ans.c.skipped.type),
            "raw": bindparam("raw", type_=_ans.c.raw.type),
            "created_at": bindparam("now", type_=_at),
        }
        answer = pg_insert(_ans).from_select(list(given), select(*given.values()).select_from(source))
        replaced = {
            name: answer.excluded[name]
            for name in ("value", "number", "option_index", "skipped", "raw", "created_at")
        }
        answer = answer.on_conflict_do_update(index_elements=["response_id", "question_id"], set_=replaced)
        ctes.append(answer.cte("answer"))
    return Prepared(select(source.c.id).select_from(source).add_cte(*ctes))


@dataclass(frozen=True)
class Step:
    """What one reply decided before anything is written."""

    status: str
    position: int
    attempts: int
    reprompted: int = 0
    reply: str | None = None
    parsed: Parsed | None = None
    question: ScriptQuestion | None = None
    response_status: str | None = None


def _answers_so_far(row: Row[Any], question: ScriptQuestion, parsed: Parsed) -> dict[str, str | None]:
    """Return the answers by key, this one included (read only when routing needs them)."""
    given: dict[str, str | None] = {}
    if row.response_id is not None:
        connection = db.session.connection()
        for key, value, skipped in _GIVEN.run(connection, {"response": row.response_id}):
            given[key] = None if skipped else value
    given[question.key] = None if parsed.skipped else parsed.value
    return given


def _decide(row: Row[Any], script: Script, body: str) -> Step | None:
    """Read the reply against the pending question; None when the conversation is past its end."""
    questions = script.questions
    if row.position >= len(questions):
        return None
    question = questions[row.position]
    parsed = parse_answer(question, body)
    if not parsed.ok:
        # The same rule as engine.advance: one re-prompt, then a required question ends it.
        if row.attempts == 0:
            return Step(row.status, row.position, 1, 1, question.reprompt)
        if question.required:
            return Step("ended", row.position, row.attempts + 1, reply=GAVE_UP, response_status="incomplete")
        parsed = Parsed(ok=True, skipped=True)
    # Only a survey with ask_if rules needs the earlier answers, so the others skip that read.
    answers = _answers_so_far(row, question, parsed) if script.routed else {}
    skip: frozenset[str] = frozenset()
    # TSM measures for renters only are not asked of shared owners: the tenure decides.
    if script.tsm and row.customer_id is not None:
        tenure = _TENURE.run(db.session.connection(), {"customer": row.customer_id}).scalar()
        skip = not_asked_of(script, SimpleNamespace(tenure=tenure))
    position = next_asked(questions, row.position + 1, answers, skip)
    done = position >= len(questions)
    status = "completed" if done else "started"
    reply = script.thanks if done else questions[position].sms
    return Step(status, position, 0, reply=reply, parsed=parsed, question=question, response_status=status)


def _move_params(row: Row[Any], step: Step, now: datetime) -> dict[str, Any]:
    """The conversation's move: from the state it was read in to the one the step decided."""
    return {
        "invitation": row.id,
        "read_version": row.lock_version,
        "read_status": row.status,
        "to_status": step.status,
        "to_position": step.position,
        "to_attempts": step.attempts,
        "reprompted": step.reprompted,
        "now": now,
        "answered": now if step.parsed is not None else None,
        "completed": now if step.status == "completed" else None,
    }


def _answer_params(step: Step, body: str) -> dict[str, Any]:
    """The answer's values, or none when the step stores no answer (a re-prompt, giving up)."""
    parsed, question = step.parsed, step.question
    if parsed is None or question is None:
        return {}
    return {
        "question": question.id,
        "value": parsed.value,
        "number": parsed.number,
        "option": parsed.option_index,
        "skipped": parsed.skipped,
        "raw": body[:2000],
    }


def _response_change(row: Row[Any], step: Step) -> str:
    """Whether the response is started ("new"), moved to the step's status ("set") or left ("kept")."""
    if row.response_id is None:
        return "new"
    # A response that is already complete stays complete, whatever this reply says.
    if step.response_status != "started" and row.response_status != "completed":
        return "set"
    return "kept"


def _counts(row: Row[Any], step: Step) -> bool:
    """Participation is counted once, when the response first completes, and never for a test."""
    return step.status == "completed" and not row.is_test and row.response_status != "completed"


def _write(row: Row[Any], script: Script, step: Step, body: str, now: datetime, batch: Batch | None) -> bool:
    """Write what the step decided; False (and nothing written) when another reply moved it first.

    In a batch of texts the clock handles together, the writes whose result is only checked are
    left to the end of the batch, which is undone if the conversation was moved meanwhile.
    """
    connection = db.session.connection()
    if connection.dialect.name == "postgresql" and step.response_status is not None:
        return _write_at_once(connection, row, script, step, body, now, batch)

    def write(statement: Prepared, params: dict[str, Any]) -> int:
        if batch is None:
            return int(statement.run(connection, params).rowcount)
        batch.defer(statement, params)
        return 1

    move = _move_params(row, step, now)
    # Another reply moved the conversation since it was read: write nothing, so it is answered once.
    if write(_MOVE, move) != 1:
        return False
    if step.response_status is None:
        return True
    response_id = row.response_id
    values = {"to_status": step.response_status, "now": now, "completed": move["completed"]}
    change = _response_change(row, step)
    if change == "new":
        new = {"consultation": script.id, "invitation": row.id, "customer": row.customer_id, **values}
        response_id = _NEW_RESPONSE.run(connection, new).scalar_one()
    elif change == "set":
        write(_SET_RESPONSE, {"response": response_id, **values})
    answer = _answer_params(step, body)
    if answer:
        write(_answer_statement(connection.dialect.name), {"response": response_id, "now": now, **answer})
    if _counts(row, step):
        _count(script, response_id, row.customer_id, now)
    return True


def _write_at_once(
    connection: Any, row: Row[Any], script: Script, step: Step, body: str, now: datetime, batch: Batch | None
) -> bool:
    """PostgreSQL: move the conversation, write the response and the answer in one statement."""
    change, answer = _response_change(row, step), _answer_params(step, body)
    counts = _counts(row, step)
    params = {
        **_move_params(row, step, now),
        "response_status": step.response_status,
        "consultation": script.id,
        "customer": row.customer_id,
        "response": row.response_id,
        **answer,
    }
    statement = _pg_writes(change, bool(answer))
    # Left to the end of the batch unless the new response's id is needed now (to count it).
    if batch is not None and not (counts and change == "new"):
        batch.defer(statement, params)
        if counts:
            _count(script, row.response_id, row.customer_id, now)
        return True
    written = statement.run(connection, params).first()
    # Another reply moved the conversation since it was read: nothing was written.
    if written is None:
        return False
    response_id = written.id if change == "new" else row.response_id
    if counts:
        _count(script, response_id, row.customer_id, now)
    return True


def _count(script: Script, response_id: int, customer_id: int | None, now: datetime) -> None:
    """Write the completed response's one participation row through the ledger."""
    values = {
        "activity_id": script.activity_id,
        "customer_id": customer_id,
        "date": local_date(now),
        "channel": "sms",
        "hours": Decimal(script.hours),
        "headcount": 1,
        "source": "survey",
    }
    # Keyed by the response, so a retried transaction cannot count the customer twice.
    ledger.add_once(Participation, f"survey-response:{response_id}", values, now=now)


def answer_live(row: Row[Any], body: str, now: datetime, batch: Batch | None = None) -> InboundReply | None:
    """Apply one reply to the live conversation ``row`` (as ``conversation_for`` read it), its
    writes left to the end of ``batch`` where they can be.

    Returns the claim with the text to send back, or None when another reply moved the
    conversation on since it was read (nothing is written then; the caller answers under the lock).
    """
    script = script_for(row.consultation_id, row.version)
    step = _decide(row, script, body)
    if step is not None and not _write(row, script, step, body, now, batch):
        return None
    test = row.is_test
    return InboundReply(
        handled_by=f"consultation:{script.id}",
        reply=step.reply if step is not None else None,
        topic=f"consultation-test:{script.id}" if test else script.topic,
        activity_id=None if test else script.activity_id,
    )
