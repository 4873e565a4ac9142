"""A customer's page: consents and opt-outs with dates, and their texts and emails, newest first, paged."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Customer, StaffUser, utcnow
from messaging.api import InboundMessage, OutboundMessage, Suppression

BASE = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _customer(**fields: object) -> Customer:
    person = Customer(ref="DL1", first_name="Joan", last_name="Evans", phone="+447911123456",
                      email="joan@example.org", sms_consent=True, email_consent=True,
                      created_at=BASE, updated_at=BASE, **fields)  # fmt: skip
    db.session.add(person)
    db.session.commit()
    return person


def _out(person: Customer, n: int, channel: str = "sms", **fields: object) -> OutboundMessage:
    to = person.phone if channel == "sms" else person.email
    message = OutboundMessage(channel=channel, to_address=to, body=f"outgoing {n}", customer_id=person.id,
                              status="delivered", created_at=BASE + timedelta(hours=n), **fields)  # fmt: skip
    db.session.add(message)
    return message


def _in(person: Customer, n: int, body: str | None = None) -> None:
    db.session.add(InboundMessage(message_sid=f"SM{n:032d}", from_number=person.phone or "",
                                  body=body or f"incoming {n}", customer_id=person.id,
                                  received_at=BASE + timedelta(hours=n), handled_by="survey"))  # fmt: skip


def _bodies(html: str) -> list[str]:
    return re.findall(r"(?:outgoing|incoming) \d+", html)


def test_texts_and_emails_both_ways_newest_first(staff_client: FlaskClient) -> None:
    person = _customer()
    other = Customer(ref="DL2", phone="+447911654321")
    db.session.add(other)
    db.session.flush()
    _out(person, 1)
    _in(person, 2)
    _out(person, 3, channel="email", subject="Your views on repairs")
    _out(other, 4)  # someone else's text never shows
    db.session.commit()
    html = staff_client.get(f"/customers/{person.id}").get_data(as_text=True)
    section = html[html.index('id="messages-title"') :]
    assert _bodies(section) == ["outgoing 3", "incoming 2", "outgoing 1"]
    assert "Your views on repairs" in section and "Received" in section and "Email" in section
    assert "1–3 of 3" in section


def test_messages_are_paged_twenty_at_a_time(staff_client: FlaskClient) -> None:
    person = _customer()
    for n in range(25):
        _out(person, n)
    db.session.commit()
    first = staff_client.get(f"/customers/{person.id}").get_data(as_text=True)
    assert _bodies(first)[0] == "outgoing 24" and len(_bodies(first)) == 20
    assert "1–20 of 25" in first and "Older messages" in first
    second = staff_client.get(f"/customers/{person.id}?messages=2").get_data(as_text=True)
    assert _bodies(second) == [f"outgoing {n}" for n in range(4, -1, -1)]
    assert "Newer messages" in second
    # Nonsense or a page past the end shows what exists.
    assert "21–25 of 25" in staff_client.get(f"/customers/{person.id}?messages=99").get_data(as_text=True)
    assert "1–20 of 25" in staff_client.get(f"/customers/{person.id}?messages=x").get_data(as_text=True)


def test_opt_outs_and_suppressions_show_with_dates(staff_client: FlaskClient) -> None:
    person = _customer(sms_opted_out_at=datetime(2026, 4, 5, 9, 30, tzinfo=UTC))
    db.session.add(Suppression(channel="sms", address=person.phone, reason="STOP",
                               created_at=datetime(2026, 4, 5, 9, 30, tzinfo=UTC)))  # fmt: skip
    db.session.commit()
    html = staff_client.get(f"/customers/{person.id}").get_data(as_text=True)
    assert "Opted out</span> on 05 Apr 2026 10:30" in html  # shown in UK time (BST)
    assert "texts since 05 Apr 2026 10:30 (STOP)" in html
    assert "Consent as recorded on 02 Mar 2026" in html


def test_a_consent_change_by_staff_shows_its_date(app: Flask, staff_client: FlaskClient) -> None:
    person = _customer()
    form = {"ref": "DL1", "first_name": "Joan", "last_name": "Evans", "phone": "07911 123456",
            "email": "joan@example.org", "sms_consent": "y"}  # fmt: skip
    assert staff_client.post(f"/customers/{person.id}/edit", data=form).status_code == 303
    html = staff_client.get(f"/customers/{person.id}").get_data(as_text=True)
    today = utcnow().astimezone().strftime("%d %b %Y")
    email_dd = html[html.index("<dt>Emails</dt>") :]
    assert "Consent last changed" in email_dd[: email_dd.index("</dd>")]
    sms_dd = html[html.index("<dt>Texts</dt>") :]
    assert "Consent as recorded on" in sms_dd[: sms_dd.index("</dd>")]  # the text consent did not change
    assert today[-4:] in email_dd


def test_message_text_is_escaped(staff_client: FlaskClient) -> None:
    person = _customer()
    _in(person, 1, body="<img src=x onerror=alert(1)>")
    _out(person, 2, channel="email", subject="<b>bold</b>")
    db.session.commit()
    html = staff_client.get(f"/customers/{person.id}").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_a_customer_with_no_messages_says_so(staff_client: FlaskClient) -> None:
    person = _customer()
    assert "No texts or emails to or from this customer yet." in staff_client.get(
        f"/customers/{person.id}"
    ).get_data(as_text=True)


def test_staff_reset_emails_never_show_on_a_customer_page(
    staff_client: FlaskClient, make_user: object
) -> None:
    person = _customer()
    db.session.add(StaffUser(email="joan@example.org", role="staff"))
    _out(person, 1)
    db.session.add(OutboundMessage(channel="email", to_address="joan@example.org", body="reset link",
                                   status="delivered", purpose="staff-account", created_at=BASE))  # fmt: skip
    db.session.commit()
    html = staff_client.get(f"/customers/{person.id}").get_data(as_text=True)
    assert "reset link" not in html
    assert db.session.scalar(select(OutboundMessage.id).where(OutboundMessage.body == "reset link"))


def test_a_reply_sent_at_the_same_instant_shows_above_the_text_it_answers(staff_client: FlaskClient) -> None:
    person = _customer()
    _in(person, 1, body="incoming 1")
    _out(person, 1)  # the reply, stamped with the same time
    db.session.commit()
    html = staff_client.get(f"/customers/{person.id}").get_data(as_text=True)
    assert _bodies(html) == ["outgoing 1", "incoming 1"]
