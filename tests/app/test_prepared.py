"""Prepared statements run on the session's cursor as SQLAlchemy would run them, on either database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import bindparam, event, exc, select, update

from app.extensions import db
from app.models import Area, Customer
from app.models.base import utcnow
from app.prepared import Prepared
from messaging.models import InboundMessage, OutboundMessage

AT = datetime(2026, 12, 2, 9, 30, 15, 123456, tzinfo=UTC)
_inbound = InboundMessage.__table__
STORE = Prepared(
    _inbound.insert()
    .values(
        message_sid=bindparam("sid"),
        from_number=bindparam("sender"),
        to_number="+447000000001",
        body=bindparam("text"),
        received_at=bindparam("at", type_=_inbound.c.received_at.type),
    )
    .returning(_inbound.c.id)
)
READ = Prepared(
    select(_inbound.c.id, _inbound.c.to_number, _inbound.c.received_at, _inbound.c.body.label("said"))
    .where(_inbound.c.from_number == bindparam("sender"))
    .order_by(_inbound.c.id)
    .limit(5)
)
MARK = Prepared(
    update(_inbound).where(_inbound.c.from_number == bindparam("sender")).values(handled_by="staff")
)


def store(sid: str, sender: str = "+447911123456") -> int:
    return STORE.run(
        db.session.connection(), {"sid": sid, "sender": sender, "text": "Hello", "at": AT}
    ).scalar_one()


def test_values_go_in_and_come_back_as_sqlalchemy_gives_them(app: Flask) -> None:
    first, second = store("SM1"), store("SM2")
    rows = READ.run(db.session.connection(), {"sender": "+447911123456"}).all()
    # The literal in the statement, the typed time (UTC, to the microsecond) and the label all hold.
    assert [(row.id, row.to_number, row.received_at, row.said) for row in rows] == [
        (first, "+447000000001", AT, "Hello"),
        (second, "+447000000001", AT, "Hello"),
    ]
    db.session.commit()
    # What the ORM reads back is the same as what the statement wrote.
    stored = db.session.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()
    assert [(m.message_sid, m.received_at, m.handled_by) for m in stored] == [
        ("SM1", AT, None),
        ("SM2", AT, None),
    ]


def test_rowcount_and_the_session_transaction(app: Flask) -> None:
    store("SM1"), store("SM2"), store("SM3", sender="+447911999999")
    assert MARK.run(db.session.connection(), {"sender": "+447911123456"}).rowcount == 2
    db.session.rollback()
    # It ran in the session's transaction, so rolling back undoes it.
    assert db.session.scalar(select(InboundMessage.id).limit(1)) is None


def test_listeners_see_every_statement(app: Flask) -> None:
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement.split()[0])

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        store("SM1")
        READ.run(db.session.connection(), {"sender": "+447911123456"})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert seen == ["INSERT", "SELECT"]


def test_a_driver_error_arrives_as_sqlalchemys_and_the_session_recovers(app: Flask) -> None:
    store("SM1")
    db.session.commit()
    with pytest.raises(exc.IntegrityError):
        store("SM1")
    db.session.rollback()
    assert store("SM2") > 0
    db.session.commit()
    assert db.session.scalar(select(InboundMessage.message_sid).order_by(InboundMessage.id.desc())) == "SM2"


def test_an_in_list_is_refused_when_first_run(app: Flask) -> None:
    listed = Prepared(
        select(OutboundMessage.id).where(OutboundMessage.id.in_(bindparam("ids", expanding=True)))
    )
    with pytest.raises(ValueError, match="IN list"):
        listed.run(db.session.connection(), {"ids": [1, 2]})


def test_column_defaults_booleans_and_a_foreign_key(app: Flask) -> None:
    area = Area(name="North", homes=10)
    db.session.add(area)
    db.session.flush()
    customers = Customer.__table__
    add = Prepared(
        customers.insert()
        .values(
            ref=bindparam("ref"),
            first_name="Pat",
            last_name="Test",
            area_id=bindparam("area"),
            sms_consent=True,
        )
        .returning(customers.c.id, customers.c.sms_consent, customers.c.email_consent, customers.c.created_at)
    )
    before = utcnow()
    row = add.run(db.session.connection(), {"ref": "C1", "area": area.id}).one()
    # The constant given, the column's own default (False) and its Python default (the time now).
    assert (row.sms_consent, row.email_consent) == (True, False)
    assert before <= row.created_at <= utcnow()
    with pytest.raises(exc.IntegrityError):
        add.run(db.session.connection(), {"ref": "C2", "area": area.id + 1000})
