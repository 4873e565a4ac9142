"""A small world in which one piece of text lands in every free-text field a person can fill."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Action, Activity, Area, Cost, Customer, OutcomeLog, Participation, StaffTime
from consultations.events.definitions import save_definition
from consultations.events.models import Booking, Event
from consultations.events.register import close_register, set_attended
from consultations.events.services import BookingRequest, book
from consultations.surveys.definitions import import_definition
from consultations.surveys.launch import launch
from consultations.surveys.models import Consultation
from consultations.surveys.webform import submit_open
from messaging.inbound import receive_sms
from messaging.models import OutboundMessage
from reporting.metrics import ReportSettings, build_report

NOW = datetime(2011, 6, 1, 10, 0, tzinfo=UTC)
AFTER_EVENT = datetime(2011, 9, 18, 10, 0, tzinfo=UTC)
PERIOD = (date(2011, 4, 1), date(2012, 3, 31))
PHONE = "+447912345601"
EMAIL = "ann@example.org"
XSS_PROBES = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')
FORMULA_PROBES = ('=HYPERLINK("http://evil.test","x")', "+1", "-1", "@SUM(1+1)")


@dataclass
class World:
    """What was built, for tests to look at."""

    text: str
    customer: Customer
    other: Customer
    panel: Activity
    consultation: Consultation
    email_consultation: Consultation
    event: Event
    guest: Booking
    survey_path: str
    extra: dict[str, Any] = field(default_factory=dict)


def report_json() -> dict[str, Any]:
    """Return the impact report for the world's financial year."""
    settings = ReportSettings.from_config(current_app.config)
    return build_report(*PERIOD, now=AFTER_EVENT, settings=settings).to_json()


def _questions() -> list[dict[str, Any]]:
    return [
        {"key": "reads", "text": "Do you read Derwent Life?", "type": "choice", "options": ["Yes", "No"]},
        {"key": "score", "text": "How useful is it, 1 to 5?", "type": "scale", "min": 1, "max": 5},
        {"key": "comments", "text": "Anything to add?", "type": "text", "required": False},
    ]


def _consultation(slug: str, activity: str, channels: list[str], **extra: Any) -> Consultation:
    data = {
        "slug": slug, "title": "Derwent Life readership", "activity": activity, "channels": channels,
        "audience": {"consented_only": True}, "intro": "Hi {first_name}, 3 quick questions.",
        "closes_at": "2011-06-30T17:00:00", "minutes_per_response": 6, "questions": _questions(), **extra,
    }  # fmt: skip
    consultation, _ = import_definition(data)
    db.session.flush()
    return consultation


def build_world(text: str) -> World:
    """Put ``text`` in names, activity words, outcomes, answers, texts and guest names; commit."""
    derby = Area(name="Derby", homes=3000)
    db.session.add(derby)
    db.session.flush()
    profile = {"area_id": derby.id, "tenure": "Tenant", "age_band": "35-44", "gender": "Female",
               "ethnicity": "White British", "disability": "No"}  # fmt: skip
    person = Customer(ref="DL0001", first_name=text[:80], last_name=text[:80], phone=PHONE, email=EMAIL,
                      sms_consent=True, email_consent=True, **profile)  # fmt: skip
    other = Customer(ref="DL0002", first_name="Bob", last_name="Khan", **profile)
    db.session.add_all([person, other])
    panel = Activity(name=text[:200], category="panel", aim=text, method=text, outcomes=text, evidence=text,
                     homes_affected=3000, target_customers=2, target_cost_per_customer=Decimal("10.00"),
                     start_date=PERIOD[0])  # fmt: skip
    db.session.add(panel)
    db.session.flush()
    for day, who in ((date(2011, 5, 4), person), (date(2011, 6, 8), person), (date(2011, 6, 8), other)):
        db.session.add(Participation(activity_id=panel.id, customer_id=who.id, date=day, channel="in person",
                                     hours=Decimal("2")))  # fmt: skip
    db.session.add(
        Participation(activity_id=panel.id, date=date(2011, 6, 8), channel="in person", headcount=3)
    )
    db.session.add(StaffTime(activity_id=panel.id, date=date(2011, 6, 8), hours=Decimal("3"), note=text))
    db.session.add(
        Cost(activity_id=panel.id, date=date(2011, 6, 8), amount=Decimal("45.50"), description=text)
    )
    db.session.add(OutcomeLog(where_who=text[:200], what=text, outcome=text, raised_on=date(2011, 5, 4),
                              activity_id=panel.id))  # fmt: skip
    db.session.add(Action(aim=text, expected_outcome=text, due_date=date(2030, 3, 31)))

    sms = _consultation("newsletter-sms", f"{text[:150]} (survey)", ["sms"])
    launch(sms, now=NOW)
    db.session.commit()
    for reply in ("1", "4", text):
        receive_sms(PHONE, "+441332000111", reply, f"SM{abs(hash((text, reply))):032d}", now=NOW)
        db.session.commit()
    mail = _consultation("newsletter-web", f"{text[:150]} (web)", ["email"], web_link=True)
    launch(mail, now=NOW)
    db.session.commit()
    invite = db.session.scalar(select(OutboundMessage).where(OutboundMessage.to_address == EMAIL))
    assert invite is not None
    found = re.search(r"/s/[\w-]+", invite.body)
    assert found is not None
    outcome = submit_open(mail, {"q_reads": "0", "q_score": "5", "q_comments": text}, channel="web", now=NOW,
                          customer_ref="dl0001", customer_check=text[:80])  # fmt: skip
    assert outcome.ok, outcome.errors

    event, _ = save_definition(
        {"slug": "big-get-together", "title": "The Big Get Together", "activity": f"{text[:150]} (event)",
         "starts_at": "2011-09-17T11:00:00", "ends_at": "2011-09-17T15:00:00", "venue": "Derby Assembly Rooms",
         "capacity": 20, "waitlist": True, "sms_keyword": "BGT"},
        now=NOW,
    )  # fmt: skip
    mine = book(event, BookingRequest(customer=person, name="", phone=PHONE, email=EMAIL, places=1,
                                      source="web", notify_channel="email"), now=NOW)  # fmt: skip
    theirs = book(event, BookingRequest(customer=None, name=text[:160], phone=None, email="guest@example.net",
                                        places=2, source="web", notify_channel="email"), now=NOW)  # fmt: skip
    db.session.flush()
    guest = db.session.get(Booking, theirs.booking_id) if hasattr(theirs, "booking_id") else None
    bookings = list(
        db.session.scalars(select(Booking).where(Booking.event_id == event.id).order_by(Booking.id))
    )
    guest = guest or bookings[-1]
    for booking in bookings:
        set_attended(booking, True, now=AFTER_EVENT)
    close_register(event, now=AFTER_EVENT)
    db.session.commit()
    assert mine.status == "booked" and guest.status == "booked"
    return World(text, person, other, panel, sms, mail, event, guest, found.group(0))
