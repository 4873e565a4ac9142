"""The channel registry: one description per channel, used for suppression and opt-outs alike."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Customer
from messaging.api import channel, channels
from messaging.suppression import is_suppressed, lift, normalise, suppress
from tests.messaging.conftest import NOON


def test_each_channel_is_described_once() -> None:
    assert [c.name for c in channels()] == ["sms", "email"]
    sms, email = channel("sms"), channel("email")
    assert (sms.quiet_hours, sms.costed, sms.inbound_route) == (True, True, "/messaging/twilio/sms")
    assert (email.quiet_hours, email.costed, email.inbound_route) == (False, False, None)
    assert sms.opted_out_column() is Customer.sms_opted_out_at
    assert email.consent_column() is Customer.email_consent
    with pytest.raises(ValueError, match="unknown channel 'fax'"):
        channel("fax")


def test_addresses_normalise_as_their_channel_says(app) -> None:
    assert normalise("email", "  Ann@Example.ORG ") == "ann@example.org"
    assert normalise("sms", " +447911123456 ") == "+447911123456"


def test_opt_out_and_back_in_marks_the_customer_through_the_description(app, make_customer) -> None:
    ann = make_customer(phone="+447911123456", email="Ann@Example.org")
    suppress("email", "ann@example.ORG", "unsubscribe", now=NOON, opt_out=True)
    suppress("sms", "+447911123456", "opt-out:STOP", now=NOON, opt_out=True)
    db.session.commit()
    row = db.session.scalars(select(Customer).where(Customer.id == ann.id)).one()
    assert row.email_opted_out_at is not None and row.sms_opted_out_at is not None
    assert is_suppressed("email", "ANN@example.org")
    lift("email", "Ann@example.org", now=NOON)
    db.session.commit()
    db.session.expire_all()
    row = db.session.get(Customer, ann.id)
    assert row.email_opted_out_at is None and row.sms_opted_out_at is not None
