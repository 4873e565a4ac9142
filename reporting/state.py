"""The report's input state: a version that every committed write the report reads moves on.

Session events notice writes to the ledger, activities, budgets, outcomes, actions, overrides,
narratives and the register's profile fields, whether through the unit of work or a bulk
statement, and bump one row just before the commit, so the row is locked only for the instant
between that UPDATE and the COMMIT. A computed report is stored against the version it saw.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import ORMExecuteState, Session

from app.extensions import db
from app.models import (
    Action,
    Activity,
    Area,
    Budget,
    Cost,
    Customer,
    OutcomeLog,
    Participation,
    StaffTime,
    VocabularySynonym,
    VocabularyValue,
)
from reporting.models import RatingOverride, ReportNarrative, ReportState

WATCHED = (
    Participation,
    StaffTime,
    Cost,
    Activity,
    Budget,
    OutcomeLog,
    Action,
    RatingOverride,
    ReportNarrative,
    # The report lists profile values in the landlord's order and groups synonyms under their value.
    VocabularyValue,
    VocabularySynonym,
)
WATCHED_TABLES = frozenset(m.__tablename__ for m in (*WATCHED, Customer, Area))
CUSTOMER_FIELDS = ("age_band", "gender", "ethnicity", "disability", "tenure", "area_id", "erased_at")
FLAG = "reporting.changed"


def _touches_report(obj: Any, *, dirty: bool) -> bool:
    if isinstance(obj, WATCHED):
        return True
    if isinstance(obj, Customer | Area):
        if not dirty:
            return True
        names = CUSTOMER_FIELDS if isinstance(obj, Customer) else ("name", "position")
        state = inspect(obj)
        return any(state.attrs[name].history.has_changes() for name in names)
    return False


def _pending_changes(session: Session) -> bool:
    return any(_touches_report(o, dirty=False) for o in (*session.new, *session.deleted)) or any(
        _touches_report(o, dirty=True) for o in session.dirty
    )


def _after_flush(session: Session, _context: Any) -> None:
    if not session.info.get(FLAG) and _pending_changes(session):
        session.info[FLAG] = True


def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in WATCHED_TABLES:
            state.session.info[FLAG] = True


def _before_commit(session: Session) -> None:
    session.flush()  # the commit's own flush would come after this hook and go unseen
    if session.info.pop(FLAG, False):
        bump(session)
        session.info.pop(FLAG, None)


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(FLAG, None)


def bump(session: Session) -> None:
    """Move the state on by one inside the session's transaction."""
    moved = session.execute(
        update(ReportState).where(ReportState.id == 1).values(version=ReportState.version + 1),
        execution_options={"synchronize_session": False},
    )
    if moved.rowcount:  # type: ignore[attr-defined]
        return
    try:
        with session.begin_nested():
            session.add(ReportState(id=1, version=1))
    except IntegrityError:  # another transaction made the row first
        session.execute(
            update(ReportState).where(ReportState.id == 1).values(version=ReportState.version + 1),
            execution_options={"synchronize_session": False},
        )


def current_version() -> int:
    """Return the committed state's version (0 before the first write)."""
    return int(db.session.scalar(select(ReportState.version).where(ReportState.id == 1)) or 0)


def watch() -> None:
    """Listen to every session of the app's kind (once per process)."""
    target = db.session.session_factory.class_
    if event.contains(target, "before_commit", _before_commit):
        return
    event.listen(target, "after_flush", _after_flush)
    event.listen(target, "do_orm_execute", _on_execute)
    event.listen(target, "before_commit", _before_commit)
    event.listen(target, "after_rollback", _forget)
    event.listen(target, "after_commit", _forget)
