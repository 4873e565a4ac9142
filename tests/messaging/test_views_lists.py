"""The simulator, outbox, inbox and outbound list page, search by number or address, and serve their live lists."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient

from app.extensions import db
from messaging.api import NewMessage, enqueue
from messaging.models import DevEmail, InboundMessage
from messaging.search import number_digits
from tests.messaging.conftest import NOON


def _number(n: int) -> str:
    return f"+4479111{n:05d}"


def _texts(count: int) -> None:
    """One outbound text to each of ``count`` numbers, a minute apart, and a reply from every fifth."""
    for n in range(count):
        enqueue("sms", NewMessage(to=_number(n), body=f"Question for {n}"), now=NOON + timedelta(minutes=n))
        if n % 5 == 0:
            db.session.add(InboundMessage(message_sid=f"SM{n}", from_number=_number(n), body=f"Reply {n}",
                                          received_at=NOON + timedelta(minutes=n, seconds=30)))  # fmt: skip
    db.session.commit()


def _phones(page: str) -> list[str]:
    listed = page[page.index('id="phones"') : page.index("</ul>", page.index('id="phones"'))]
    return re.findall(r">(\+44\d+)", listed)


def test_typed_numbers_become_their_e164_digits() -> None:
    assert number_digits("07911 100001") == "447911100001"
    assert number_digits("+44 (0)7911") == "4407911"
    assert number_digits("0044 7911") == "447911"


def test_the_simulator_pages_its_phones_newest_first(staff_client: FlaskClient) -> None:
    _texts(60)
    first = staff_client.get("/messaging/dev/sms").get_data(as_text=True)
    assert _phones(first) == [_number(n) for n in range(59, 34, -1)]
    assert "1–25 of 60" in first and 'rel="next"' in first
    # The newest phone's conversation opens by default.
    assert "Question for 59" in first
    last = staff_client.get("/messaging/dev/sms?page=3").get_data(as_text=True)
    assert _phones(last) == [_number(n) for n in range(9, -1, -1)] and "51–60 of 60" in last
    assert staff_client.get("/messaging/dev/sms?page=99").get_data(as_text=True).count("51–60 of 60") == 1


def test_the_simulator_searches_by_number_as_typed(staff_client: FlaskClient) -> None:
    _texts(30)
    for typed in ("07911 100017", "+447911100017", "100017"):
        page = staff_client.get("/messaging/dev/sms", query_string={"q": typed}).get_data(as_text=True)
        assert _phones(page) == [_number(17)], typed
    none = staff_client.get("/messaging/dev/sms", query_string={"q": "%_"}).get_data(as_text=True)
    assert _phones(none) == [] and "No phone matches" in none


def test_the_simulator_thread_fragment_is_the_conversation_alone(staff_client: FlaskClient) -> None:
    _texts(11)
    page = staff_client.get("/messaging/dev/sms", query_string={"number": _number(10)}).get_data(as_text=True)
    assert 'data-live-url="/messaging/dev/sms?number=%2B447911100010&amp;fragment=thread"' in page
    assert '<script src="/static/live-list.js"></script>' in page
    fragment = staff_client.get(
        "/messaging/dev/sms", query_string={"number": _number(10), "fragment": "thread"}
    )
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and "Question for 10" in text and "Reply 10" in text
    assert text.index("Question for 10") < text.index("Reply 10")  # oldest first
    assert "Question for 9" not in text


def _emails(count: int) -> None:
    for n in range(count):
        db.session.add(DevEmail(to_address=f"person{n}@example.org", subject=f"Survey {n}", raw=f"Subject: Survey {n}\n\nHi",
                                created_at=NOON + timedelta(minutes=n)))  # fmt: skip
    db.session.commit()


def test_the_outbox_pages_and_searches_by_address(staff_client: FlaskClient) -> None:
    _emails(40)
    first = staff_client.get("/messaging/dev/email").get_data(as_text=True)
    assert "person39@example.org" in first and "person15@example.org" in first
    assert "person14@example.org" not in first and "1–25 of 40" in first
    second = staff_client.get("/messaging/dev/email?page=2").get_data(as_text=True)
    assert "person14@example.org" in second and "person15@example.org" not in second
    found = staff_client.get("/messaging/dev/email", query_string={"q": "PERSON7@"}).get_data(as_text=True)
    assert "person7@example.org" in found and "person37@example.org" not in found
    fragment = staff_client.get("/messaging/dev/email", query_string={"q": "person3", "fragment": "list"})
    listed = fragment.get_data(as_text=True)
    assert "<html" not in listed and listed.count("<li>") == 11  # person3 and person30–39


def test_the_inbox_pages_and_searches_by_number(staff_client: FlaskClient) -> None:
    for n in range(60):
        db.session.add(InboundMessage(message_sid=f"SMin{n}", from_number=_number(n), body=f"Help {n}",
                                      received_at=NOON + timedelta(minutes=n)))  # fmt: skip
    db.session.commit()
    first = staff_client.get("/messaging/inbox").get_data(as_text=True)
    assert "Help 59" in first and "Help 10" in first and "Help 9<" not in first and "1–50 of 60" in first
    assert "Help 9<" in staff_client.get("/messaging/inbox?page=2").get_data(as_text=True)
    found = staff_client.get("/messaging/inbox", query_string={"q": "07911 100042"}).get_data(as_text=True)
    assert "Help 42" in found and "Help 41" not in found
    fragment = staff_client.get("/messaging/inbox", query_string={"q": "100042", "fragment": "list"})
    assert "<html" not in fragment.get_data(as_text=True) and "Help 42" in fragment.get_data(as_text=True)


def test_outbound_messages_page_and_search_by_number_or_address(staff_client: FlaskClient) -> None:
    enqueue("email", NewMessage(to="beryl@example.org", body="x", subject="Readership"), now=NOON)
    _texts(55)  # newer, so the email is the oldest and sits on page 2
    first = staff_client.get("/messaging/messages").get_data(as_text=True)
    assert "1–50 of 56" in first and "Readership" not in first
    assert "Readership" in staff_client.get("/messaging/messages?page=2").get_data(as_text=True)
    found = staff_client.get("/messaging/messages", query_string={"q": "beryl@"}).get_data(as_text=True)
    assert "Readership" in found and "Question for" not in found
    found = staff_client.get("/messaging/messages", query_string={"q": "07911100003", "channel": "sms"})
    text = found.get_data(as_text=True)
    assert "Question for 3 <small>" in text and "Question for 4 <small>" not in text and "1–1 of 1" in text
