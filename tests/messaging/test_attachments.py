"""Email attachments: checked when queued, kept on the outbox row, sent by flask-mail, shown in the outbox."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from app.extensions import db
from messaging.api import Attachment, NewMessage, dispatch_due, enqueue, enqueue_many
from messaging.attachments import MAX_TOTAL_BYTES
from messaging.models import DevEmail, OutboundMessage
from tests.messaging.conftest import NOON

PDF = Attachment("Agenda – June.pdf", "application/pdf", bytes(range(256)) * 4)
ICS = Attachment(
    "fair.ics", "text/calendar; method=PUBLISH; charset=UTF-8", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
)


def email(*attachments: Attachment, to: str = "ann@example.org") -> NewMessage:
    return NewMessage(to=to, body="See attached.", subject="Papers", attachments=attachments)


class TestThroughSmtp:
    @pytest.fixture
    def app_config(self, smtp_config: dict[str, Any]) -> dict[str, Any]:
        return smtp_config

    def test_files_arrive_byte_for_byte_beside_text_and_html(self, app, smtp_server) -> None:
        message = NewMessage(
            to="ann@example.org", body="Plain", html="<p>Rich</p>", subject="Papers", attachments=(PDF, ICS)
        )
        enqueue("email", message, now=NOON)
        db.session.commit()
        assert dispatch_due(now=NOON).sent == 1
        [received] = smtp_server.messages
        assert received.get_body(("plain",)).get_content().strip() == "Plain"
        assert received.get_body(("html",)).get_content().strip() == "<p>Rich</p>"
        parts = list(received.iter_attachments())
        assert [p.get_filename() for p in parts] == ["Agenda – June.pdf", "fair.ics"]
        assert [p.get_content_type() for p in parts] == ["application/pdf", "text/calendar"]
        assert parts[0].get_payload(decode=True) == PDF.data
        assert parts[1].get_payload(decode=True) == ICS.data
        assert parts[1].get_param("method") == "PUBLISH"

    def test_bulk_queue_keeps_each_rows_files(self, app, smtp_server) -> None:
        result = enqueue_many("email", [email(ICS, to="a@example.org"), email(to="b@example.org")], now=NOON)
        db.session.commit()
        assert result.queued == 2 and dispatch_due(now=NOON).sent == 2
        files = {m["To"]: [p.get_filename() for p in m.iter_attachments()] for m in smtp_server.messages}
        assert files == {"a@example.org": ["fair.ics"], "b@example.org": []}


@pytest.mark.parametrize(
    ("channel", "attachment", "words"),
    [
        ("sms", ICS, "only emails"),
        ("email", Attachment("../etc/passwd", "text/plain", b"x"), "filename"),
        ("email", Attachment("", "text/plain", b"x"), "filename"),
        ("email", Attachment("a.txt", "text/plain\r\nBcc: evil@example.org", b"x"), "content type"),
        ("email", Attachment("a.txt", "plain", b"x"), "content type"),
        ("email", Attachment("a.txt", "text/plain", "not bytes"), "bytes"),  # type: ignore[arg-type]
        ("email", Attachment("big.bin", "application/octet-stream", b"0" * (MAX_TOTAL_BYTES + 1)), "limit"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_queued(app, channel, attachment, words) -> None:
    to = "+447911123456" if channel == "sms" else "ann@example.org"
    with pytest.raises(ValueError, match=words):
        enqueue(channel, NewMessage(to=to, body="x", attachments=(attachment,)), now=NOON)
    with pytest.raises(ValueError, match=words):
        enqueue_many(channel, [NewMessage(to=to, body="x", attachments=(attachment,))], now=NOON)
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == 0


def test_outbox_page_lists_and_serves_attachments(app, staff_client) -> None:
    enqueue("email", email(PDF, ICS), now=NOON)
    db.session.commit()
    dispatch_due(now=NOON)
    kept = db.session.scalars(select(DevEmail)).one()
    page = staff_client.get(f"/messaging/dev/email?id={kept.id}").get_data(as_text=True)
    assert "Agenda – June.pdf" in page and "application/pdf" in page and "1,024 bytes" in page
    assert "fair.ics" in page and "text/calendar" in page

    response = staff_client.get(f"/messaging/dev/email/{kept.id}/attachments/0")
    assert response.status_code == 200 and response.data == PDF.data
    assert response.headers["Content-Disposition"].startswith('attachment; filename="Agenda _ June.pdf"')
    assert "filename*=UTF-8''Agenda%20%E2%80%93%20June.pdf" in response.headers["Content-Disposition"]
    assert staff_client.get(f"/messaging/dev/email/{kept.id}/attachments/1").data == ICS.data
    assert staff_client.get(f"/messaging/dev/email/{kept.id}/attachments/2").status_code == 404
    assert staff_client.get(f"/messaging/dev/email/{kept.id + 1}/attachments/0").status_code == 404


def test_attachment_download_needs_sign_in(app, client) -> None:
    enqueue("email", email(PDF), now=NOON)
    db.session.commit()
    dispatch_due(now=NOON)
    kept = db.session.scalars(select(DevEmail)).one()
    assert client.get(f"/messaging/dev/email/{kept.id}/attachments/0").status_code in (302, 401)
