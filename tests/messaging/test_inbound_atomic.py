"""The inbound text and everything done about it share one transaction; nothing acknowledged is lost."""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, insert, select

from app.extensions import db
from messaging.api import NewMessage, enqueue
from messaging.handlers import EVENT_KEYWORDS, InboundReply, register_inbound_handler
from messaging.inbound import receive_sms
from messaging.models import InboundMessage, OutboundMessage
from messaging.webhooks import WebhookAwareSessions, writer_lock
from tests.conftest import LiveServer
from tests.fakes.twilio_sign import sign, signed_sms_post
from tests.messaging.conftest import NOON

PHONE = "+447911123456"
OTHER = "+447911123457"


@pytest.fixture
def receiver(app: Flask) -> Iterator[Callable[[Callable[..., Any]], None]]:
    """Register a handler for one test (each test has its own app, so it goes with it)."""

    def connect(handler: Callable[..., Any]) -> None:
        register_inbound_handler(app, f"test-{handler.__name__}", handler, EVENT_KEYWORDS)

    yield connect


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_failing_receiver_is_undone_and_the_text_reaches_the_inbox(app, client, receiver) -> None:
    def breaks(text):
        now = text.now
        # Writes first, then fails: the write must not survive.
        enqueue("sms", NewMessage(to=OTHER, body="half-done work"), now=now)
        raise RuntimeError("receiver bug")

    receiver(breaks)
    response = signed_sms_post(client, app, PHONE, "Is the hall free on Friday?", sid="SMbroken")
    assert response.status_code == 200 and b"<Response/>" in response.data
    db.session.expire_all()
    stored = db.session.scalars(select(InboundMessage)).one()
    assert (stored.message_sid, stored.from_number, stored.handled_by) == ("SMbroken", PHONE, None)
    assert count(OutboundMessage) == 0
    # Twilio retrying the same text changes nothing, and the receiver is not asked again.
    assert (
        signed_sms_post(client, app, PHONE, "Is the hall free on Friday?", sid="SMbroken").status_code == 200
    )
    assert count(InboundMessage) == 1


def test_failing_receiver_through_receive_sms_leaves_the_text_unclaimed(app, receiver) -> None:
    def breaks(text):
        raise ValueError("cannot read it")

    receiver(breaks)
    assert receive_sms(PHONE, "+447000000001", "4", "SMdirect", now=NOON) == []
    db.session.commit()
    assert db.session.scalars(select(InboundMessage.handled_by)).one() is None


def test_claim_reply_and_text_commit_together(app, client, receiver) -> None:
    def claims(text):
        message, now = text.message, text.now
        # Stored by the webhook first; the claim, its writes and the reply then commit together.
        assert message.id is not None
        enqueue("sms", NewMessage(to=OTHER, body="note for staff", topic="test"), now=now)
        return InboundReply(handled_by="test-receiver", reply="Got it", topic="test")

    receiver(claims)
    signed_sms_post(client, app, PHONE, "RSVP YY")
    stored = db.session.scalars(select(InboundMessage)).one()
    assert stored.handled_by == "test-receiver"
    bodies = dict(db.session.execute(select(OutboundMessage.body, OutboundMessage.ref)).all())
    assert bodies == {"note for staff": "", "Got it": f"inbound:{stored.id}"}


def test_concurrent_delivery_of_the_same_text_undoes_the_second_handling(app, database_url, receiver) -> None:
    """A delivery stored by another request after this one's lookup: this one's work is rolled back."""
    other = create_engine(database_url)

    def races(text):
        message, now = text.message, text.now
        with other.begin() as conn:
            conn.execute(
                insert(InboundMessage.__table__).values(
                    message_sid=message.message_sid,
                    from_number=PHONE,
                    to_number="",
                    body="4",
                    received_at=now,
                )
            )
        enqueue("sms", NewMessage(to=OTHER, body="must not stay"), now=now)
        return InboundReply(handled_by="test-receiver", reply="must not go")

    receiver(races)
    try:
        assert receive_sms(PHONE, "+447000000001", "4", "SMrace", now=NOON) == []
        db.session.commit()
    finally:
        other.dispose()
    assert count(OutboundMessage) == 0
    assert db.session.scalars(select(InboundMessage.handled_by)).one() is None


def test_many_concurrent_deliveries_store_each_text_once(app: Flask) -> None:
    """Threads post texts (each twice) to a live server: every one is stored once, none fails."""
    texts = [(f"SMc{i:04d}", f"+4479111{i % 7:05d}", f"text {i}") for i in range(60)]
    deliveries = texts + texts
    statuses: list[int] = []
    lock = threading.Lock()

    def post(port: int, batch: list[tuple[str, str, str]]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for sid, sender, body in batch:
            params = {"MessageSid": sid, "From": sender, "To": "+447000000001", "Body": body}
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": sign(app, "/messaging/twilio/sms", params),
            }
            conn.request("POST", "/messaging/twilio/sms", urllib.parse.urlencode(params), headers)
            response = conn.getresponse()
            response.read()
            with lock:
                statuses.append(response.status)
        conn.close()

    with LiveServer(app) as server:
        threads = [threading.Thread(target=post, args=(server.port, deliveries[i::8])) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    assert statuses == [200] * len(deliveries)
    sids = db.session.scalars(select(InboundMessage.message_sid)).all()
    assert sorted(sids) == sorted(sid for sid, _, _ in texts)


def test_webhooks_open_no_session_but_pages_do(app: Flask) -> None:
    interface = app.session_interface
    assert isinstance(interface, WebhookAwareSessions)
    with app.test_request_context("/messaging/twilio/sms", method="POST"):
        from flask import request

        assert interface.open_session(app, request) is None
    with app.test_request_context("/auth/login"):
        from flask import request

        assert interface.open_session(app, request) is not None


def test_webhook_lock_only_on_sqlite(app: Flask) -> None:
    lock = app.extensions["involve_webhook_lock"]
    if db.engine.dialect.name == "sqlite":
        assert lock is not None and not lock.locked()
    else:
        assert lock is None


def test_webhook_lock_is_taken_at_the_first_write_and_held_to_the_end(app: Flask) -> None:
    if db.engine.dialect.name != "sqlite":
        assert writer_lock(app).__class__.__name__ == "nullcontext"
        return
    lock = app.extensions["involve_webhook_lock"]
    with writer_lock(app):
        db.session.execute(select(InboundMessage.id)).all()
        # Reads run outside SQLite's write transaction: other webhooks may write meanwhile.
        assert not lock.locked()
        db.session.add(InboundMessage(message_sid="SMlock1", from_number="+447700900001", body="hi"))
        db.session.flush()
        assert lock.locked()
        db.session.execute(select(InboundMessage.id)).all()
        assert lock.locked()
        db.session.commit()
    assert not lock.locked()
    # A thread outside a webhook's scope never takes it (the in-process clock, staff pages).
    db.session.add(InboundMessage(message_sid="SMlock2", from_number="+447700900001", body="hi"))
    db.session.commit()
    assert not lock.locked()


def test_webhook_lock_is_released_when_the_handling_fails(app: Flask) -> None:
    if db.engine.dialect.name != "sqlite":
        return
    lock = app.extensions["involve_webhook_lock"]
    with pytest.raises(RuntimeError), writer_lock(app):
        db.session.add(InboundMessage(message_sid="SMlock3", from_number="+447700900001", body="hi"))
        db.session.flush()
        raise RuntimeError("handler failed")
    db.session.rollback()
    assert not lock.locked()


def test_webhook_lock_waits_for_another_process_holding_it(app: Flask) -> None:
    if db.engine.dialect.name != "sqlite":
        return
    # Another gunicorn worker, as far as the lock can tell: a process holding the lock file.
    path = f"{db.engine.url.database}.writer"
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_FOR_A_WHILE, path], stdout=subprocess.PIPE, text=True
    ) as holder:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with writer_lock(app):
            db.session.add(InboundMessage(message_sid="SMlock4", from_number="+447700900001", body="hi"))
            db.session.flush()
            wrote_at = time.time()
            db.session.commit()
        # The write could start only once the other process let go.
        assert float(holder.stdout.readline()) <= wrote_at
    assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 1


HOLD_FOR_A_WHILE = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(0.5)
print(time.time(), flush=True)
fcntl.flock(fd, fcntl.LOCK_UN)
"""
