"""Staff and public pages: inbox, outbound list, simulator, outbox, unsubscribe."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Customer
from messaging.api import NewMessage, dispatch_due, enqueue, unsubscribe_url
from messaging.models import InboundMessage, OutboundMessage
from messaging.suppression import is_suppressed
from tests.fakes.twilio_sign import signed_sms_post
from tests.messaging.conftest import NOON

PHONE = "+447911123456"


def test_staff_pages_need_sign_in(client) -> None:
    for path in ("/messaging/inbox", "/messaging/messages", "/messaging/dev/sms", "/messaging/dev/email"):
        assert client.get(path).status_code in (302, 401)


def test_inbox_lists_marks_read_and_replies(staff_client, client, app, make_customer) -> None:
    make_customer(phone=PHONE, first_name="Beryl")
    signed_sms_post(client, app, PHONE, "Who do I call about my boiler?")
    page = staff_client.get("/messaging/inbox").get_data(as_text=True)
    assert "Who do I call about my boiler?" in page and "Beryl Smith (C0001)" in page
    message = db.session.scalars(select(InboundMessage)).one()
    assert staff_client.post(f"/messaging/inbox/{message.id}/read").status_code == 303
    db.session.expire_all()
    assert db.session.get(InboundMessage, message.id).read_at is not None
    assert "Who do I call" not in staff_client.get("/messaging/inbox").get_data(as_text=True)
    assert "Who do I call" in staff_client.get("/messaging/inbox?show=all").get_data(as_text=True)
    response = staff_client.post(
        "/messaging/inbox/reply", data={"to": "07911 123456", "body": "Call 0800 123"}
    )
    assert response.status_code == 303
    reply = db.session.scalars(select(OutboundMessage)).one()
    assert (reply.to_address, reply.body, reply.status) == (PHONE, "Call 0800 123", "queued")
    assert reply.customer_id is not None


def test_inbox_reply_to_bad_number_says_so(staff_client) -> None:
    response = staff_client.post(
        "/messaging/inbox/reply", data={"to": "nonsense", "body": "x"}, follow_redirects=True
    )
    assert "not a phone number" in response.get_data(as_text=True)
    assert db.session.scalar(select(OutboundMessage.id)) is None


def test_messages_page_shows_unknown_clearly(staff_client, app) -> None:
    message = enqueue("sms", NewMessage(to=PHONE, body="Lost in the crash"), now=NOON)
    message.status = "unknown"
    enqueue("email", NewMessage(to="a@example.org", body="x", subject="Fine"), now=NOON)
    db.session.commit()
    page = staff_client.get("/messaging/messages").get_data(as_text=True)
    assert "1 message(s) have an unknown outcome" in page
    filtered = staff_client.get("/messaging/messages?status=unknown").get_data(as_text=True)
    assert "Lost in the crash" in filtered and "Fine" not in filtered


def test_simulator_reply_goes_through_inbound_and_shows_the_answer(staff_client, app, make_customer) -> None:
    make_customer(phone=PHONE)
    enqueue("sms", NewMessage(to=PHONE, body="How useful is it, 1 to 5?"), now=NOON)
    db.session.commit()
    dispatch_due(now=NOON)
    page = staff_client.get("/messaging/dev/sms?number=%2B447911123456").get_data(as_text=True)
    assert "How useful is it, 1 to 5?" in page
    staff_client.post("/messaging/dev/sms/reply", data={"number": PHONE, "body": "HELP"})
    page = staff_client.get("/messaging/dev/sms?number=%2B447911123456").get_data(as_text=True)
    assert app.config["SMS_HELP_TEXT"] in page
    help_reply = db.session.scalars(select(OutboundMessage).where(OutboundMessage.purpose == "reply")).one()
    assert help_reply.status == "delivered"  # dispatched at once
    staff_client.post("/messaging/dev/sms/reply", data={"number": PHONE, "body": "STOP"})
    assert is_suppressed("sms", PHONE)


def test_simulator_start_conversation_from_register(staff_client, make_customer) -> None:
    make_customer(phone="+447911100001", first_name="Cyril")
    page = staff_client.get("/messaging/dev/sms").get_data(as_text=True)
    assert "Cyril Smith" in page
    staff_client.post("/messaging/dev/sms/reply", data={"number": "+447911100001", "body": "Hello?"})
    stored = db.session.scalars(select(InboundMessage)).one()
    assert (stored.from_number, stored.body, stored.handled_by) == ("+447911100001", "Hello?", None)


def test_outbox_shows_email_html_in_sandbox(staff_client, app) -> None:
    enqueue(
        "email",
        NewMessage(
            to="a@example.org",
            body="Plain",
            subject="Readership",
            html="<p>Hi <b>there</b></p>",
            list_unsubscribe=True,
        ),
        now=NOON,
    )
    db.session.commit()
    dispatch_due(now=NOON)
    page = staff_client.get("/messaging/dev/email").get_data(as_text=True)
    assert "Readership" in page and "<iframe sandbox" in page
    assert "&lt;p&gt;Hi &lt;b&gt;there&lt;/b&gt;&lt;/p&gt;" in page  # escaped into srcdoc, never raw
    assert "List-Unsubscribe-Post" in page


def test_dev_pages_are_off_with_real_channels(app, staff_client) -> None:
    app.extensions["involve_channels"] = {"sms": "twilio", "email": "smtp"}
    assert staff_client.get("/messaging/dev/sms").status_code == 404
    assert staff_client.get("/messaging/dev/email").status_code == 404


def test_unsubscribe_confirm_then_post(client, app, make_customer) -> None:
    customer = make_customer(phone=None, email="Ann@Example.org")
    url = unsubscribe_url("Ann@Example.org")
    path = url.removeprefix("http://involve.test")
    page = client.get(path)
    # The page shows the address only masked: a forwarded link tells a stranger little.
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "a•••@example.org" in text and "ann@example.org" not in text
    assert not is_suppressed("email", "ann@example.org")  # GET alone changes nothing
    assert client.post(path).status_code == 200
    assert is_suppressed("email", "ann@example.org")
    assert db.session.get(Customer, customer.id).email_opted_out_at is not None


def test_rfc8058_one_click_post(client, app) -> None:
    path = unsubscribe_url("bob@example.org").removeprefix("http://involve.test")
    response = client.post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert is_suppressed("email", "bob@example.org")
    assert client.post(path).status_code == 200  # twice is fine


def test_garbled_unsubscribe_token_is_a_clear_404(client) -> None:
    for token in ("nonsense", "InAwQGV4YW1wbGUub3JnIg.forged", "%00%ff"):
        response = client.get(f"/u/{token}")
        assert response.status_code == 404
        assert "We do not recognise this link" in response.get_data(as_text=True)
        assert client.post(f"/u/{token}").status_code == 404


def test_home_page_notice_names_dev_channels(staff_client) -> None:
    page = staff_client.get("/").get_data(as_text=True)
    assert "/messaging/dev/sms" in page and "/messaging/dev/email" in page
