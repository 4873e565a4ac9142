"""Staff screens: roles, create and edit, bookings, register by HTTP, staff time and costs, invitations."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Activity, Cost, Customer, Participation, StaffTime
from app.models.base import utcnow
from consultations.events.models import Booking, Event, EventInvitation
from tests.consultations import factories
from tests.consultations.events.conftest import local, outbox


def test_staff_routes_need_a_signed_in_user(app, client, make_event):
    event = make_event()
    for path in ("/events/", "/events/new", f"/events/{event.id}", f"/events/{event.id}/register"):
        assert client.get(path).status_code in (302, 401), path
    assert client.post(f"/events/{event.id}/register/close").status_code in (303, 401)
    assert db.session.scalar(select(Participation)) is None


def test_create_then_edit_an_event(app, staff_client):
    start = utcnow() + timedelta(days=20)
    form = {
        "title": "Tenants' tea", "slug": "tenants-tea", "activity": "Tenants' forum",
        "starts_at": local(start)[:16], "ends_at": local(start + timedelta(hours=2))[:16], "venue": "Hall",
        "capacity": "30", "waitlist": "on", "sms_keyword": "tea", "reminder_hours": "24", "max_places": "4",
    }  # fmt: skip
    unknown = staff_client.post("/events/new", data=form)
    # A typed name that is no activity is an error until staff ask for a new one; nothing is made.
    assert unknown.status_code == 422 and "no activity called “Tenants&#39; forum”" in unknown.get_data(
        as_text=True
    )
    assert db.session.scalar(select(Activity)) is None and db.session.scalar(select(Event)) is None
    form["new_activity"] = "on"
    response = staff_client.post("/events/new", data=form)
    assert response.status_code == 303
    event = db.session.scalar(select(Event).where(Event.slug == "tenants-tea"))
    assert event.sms_keyword == "TEA" and event.waitlist and event.activity.name == "Tenants' forum"
    assert event.activity.category == "event"
    page = staff_client.get(f"/events/{event.id}")
    assert b"Tenants&#39; tea" in page.data and b"JOIN TEA" in page.data
    assert b"Tenants&#39; tea" in staff_client.get("/events/").data

    bad = staff_client.post(
        f"/events/{event.id}/edit", data={**form, "ends_at": form["starts_at"], "capacity": "x"}
    )
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert (
        "The event must end after it starts." in page
        and "Enter the number of places as a whole number" in page
    )
    # Each message sits beside its field as well as in the summary, which links to it.
    assert 'id="e-ends_at-error"' in page and 'aria-describedby="e-ends_at-error"' in page
    assert 'href="#e-capacity"' in page and 'pattern="[a-z0-9][a-z0-9\\-]{0,79}"' in page
    assert 'list="activity-names"' in page
    ok = staff_client.post(f"/events/{event.id}/edit", data={**form, "capacity": "40"})
    assert ok.status_code == 303
    db.session.expire_all()
    assert db.session.get(Event, event.id).capacity == 40


def test_register_over_http_writes_the_ledger(app, staff_client, make_event):
    event = make_event()
    customer = factories.customer(first_name="Ann", last_name="Jones", email="ann@example.org")
    staff_client.post(f"/e/{event.slug}", data={"ref": customer.ref, "check": "Jones"})
    booking = db.session.scalar(select(Booking))
    # The page reads the real clock; the event is in 2030, so booking is open.
    assert booking is not None
    page = staff_client.get(f"/events/{event.id}/register?q=jones")
    assert b"Ann Jones" in page.data and b"Mark here" in page.data
    assert (
        staff_client.post(f"/events/{event.id}/register/{booking.id}", data={"attended": "1"}).status_code
        == 303
    )
    staff_client.post(f"/events/{event.id}/register/walk-in", data={"first_name": "Wal", "last_name": "Kin"})
    # A walk-in who matches the register is offered to staff to pick, not added again.
    factories.customer(first_name="Cy", last_name="Dale", ref="DL0077")
    db.session.commit()
    pick = staff_client.post(
        f"/events/{event.id}/register/walk-in", data={"first_name": "Cy", "last_name": "dale"}
    )
    assert pick.status_code == 200 and "Who is this walk-in?" in pick.get_data(as_text=True)
    assert "DL0077" in pick.get_data(as_text=True)
    chosen = db.session.scalar(select(Customer.id).where(Customer.ref == "DL0077"))
    staff_client.post(
        f"/events/{event.id}/register/walk-in",
        data={"first_name": "Cy", "last_name": "dale", "customer_id": chosen},
    )
    staff_client.post(f"/events/{event.id}/register/online", data={"online_viewers": "12"})
    bad = staff_client.post(
        f"/events/{event.id}/register/online", data={"online_viewers": "lots"}, follow_redirects=True
    )
    assert b"whole number" in bad.data
    early = staff_client.post(f"/events/{event.id}/register/close", follow_redirects=True)
    assert "once it has started" in early.get_data(as_text=True)
    assert db.session.scalar(select(Participation)) is None
    assert "Close the register and record attendance" not in early.get_data(as_text=True)
    event.starts_at = utcnow() - timedelta(hours=1)  # the day comes
    db.session.commit()
    closed = staff_client.post(f"/events/{event.id}/register/close", follow_redirects=True)
    assert b"2 customers, 1 guests and 12 online viewers" in closed.data
    assert db.session.scalar(select(db.func.count()).select_from(Participation)) == 4
    assert (
        db.session.scalar(select(db.func.count()).select_from(Customer).where(Customer.ref.like("WALKIN-%")))
        == 0
    )
    staff_client.post(f"/events/{event.id}/register/reopen")
    staff_client.post(f"/events/{event.id}/register/close")
    assert db.session.scalar(select(db.func.count()).select_from(Participation)) == 4


def test_staff_time_and_costs_from_the_event_page(app, staff_client, make_event):
    event = make_event()
    staff_client.post(f"/events/{event.id}/staff-time", data={"s-hours": "3.5", "s-note": "Setting up"})
    staff_client.post(
        f"/events/{event.id}/costs",
        data={"c-amount": "£120.50", "c-kind": "venue", "c-description": "Hall hire"},
    )
    bad = staff_client.post(
        f"/events/{event.id}/costs", data={"c-amount": "-4", "c-description": "x"}, follow_redirects=True
    )
    assert b"Cost not saved" in bad.data
    [time] = db.session.scalars(select(StaffTime)).all()
    [cost] = db.session.scalars(select(Cost)).all()
    assert time.activity_id == event.activity_id and time.hours == Decimal("3.5") and time.staff_email
    assert time.date == event.starts_at.date()
    assert cost.amount == Decimal("120.50") and cost.kind == "venue" and cost.activity_id == event.activity_id
    assert b"\xc2\xa3120.50 spent" in staff_client.get(f"/events/{event.id}").data


def test_event_ledger_forms_share_the_activity_rules_and_show_errors_by_the_field(
    app, staff_client, make_event
):
    event = make_event()
    page = staff_client.get(f"/events/{event.id}")
    day = event.starts_at.date().isoformat().encode()
    assert b'id="s-date"' in page.data and b'value="' + day + b'"' in page.data
    assert b'<option value="postage">Postage</option>' in page.data  # the activity page's list of kinds

    zero = staff_client.post(f"/events/{event.id}/staff-time", data={"s-hours": "0"})
    assert zero.status_code == 422
    assert b"Staff time not saved" in zero.data and b"Enter the hours spent (more than 0)." in zero.data
    too_late = (event.starts_at + timedelta(days=400)).date().isoformat()
    late = staff_client.post(f"/events/{event.id}/staff-time", data={"s-hours": "1", "s-date": too_late})
    assert late.status_code == 422 and b"The date is in the future." in late.data
    odd = staff_client.post(f"/events/{event.id}/costs", data={"c-amount": "5", "c-kind": "yachts"})
    assert odd.status_code == 422 and b"Not a valid choice" in odd.data
    assert db.session.scalar(select(db.func.count()).select_from(StaffTime)) == 0
    assert db.session.scalar(select(db.func.count()).select_from(Cost)) == 0

    ok = staff_client.post(
        f"/events/{event.id}/costs", data={"c-amount": "1,200", "c-kind": "postage"}, follow_redirects=True
    )
    assert b"Cost of \xc2\xa31,200.00 added." in ok.data
    assert db.session.scalar(select(Cost.kind)) == "postage"


def test_invitations_reach_the_audience_once(app, staff_client, make_event):
    event = make_event()
    derby = factories.area("Derby")
    factories.sms_customer("+447912345631", area_id=derby.id, first_name="Ann")
    factories.email_customer("bob@example.org", area_id=derby.id)
    factories.sms_customer("+447912345632")  # another area
    db.session.commit()
    form = {
        "areas": "Derby",
        "channel_sms": "on",
        "channel_email": "on",
        "consented_only": "on",
        "action": "send",
    }
    preview = staff_client.post(
        f"/events/{event.id}/invite", data={**form, "action": "preview"}, follow_redirects=True
    )
    assert b"2 customers would be invited" in preview.data
    assert outbox(f"event:{event.id}") == []
    sent = staff_client.post(f"/events/{event.id}/invite", data=form, follow_redirects=True)
    assert b"2 invitations queued" in sent.data
    messages = outbox(f"event:{event.id}", purpose="invitation")
    sms = next(m for m in messages if m.channel == "sms")
    assert sms.body.startswith("Hi Ann, you're invited to The Big Get Together") and "JOIN BGT" in sms.body
    email = next(m for m in messages if m.channel == "email")
    assert "/e/big-get-together" in email.body and email.list_unsubscribe
    again = staff_client.post(f"/events/{event.id}/invite", data=form, follow_redirects=True)
    assert b"0 invitations queued; 2 already invited" in again.data
    assert len(outbox(f"event:{event.id}", purpose="invitation")) == 2
    assert db.session.scalar(select(db.func.count()).select_from(EventInvitation)) == 2


def test_the_event_form_offers_existing_activities_and_matches_case(app, staff_client):
    db.session.add(Activity(name="Big Get Together", category="event"))
    db.session.commit()
    page = staff_client.get("/events/new").get_data(as_text=True)
    # The pick-list is wired to the input (not an escaped attribute the browser ignores).
    assert 'list="activity-names"' in page and "&quot;activity-names&quot;" not in page
    assert '<option value="Big Get Together">' in page
    start = utcnow() + timedelta(days=20)
    form = {
        "title": "BGT", "slug": "bgt", "activity": "big get together", "starts_at": local(start)[:16],
        "ends_at": local(start + timedelta(hours=2))[:16], "capacity": "30",
    }  # fmt: skip
    typo = staff_client.post("/events/new", data=form)
    assert typo.status_code == 422 and "did you mean “Big Get Together”?" in typo.get_data(as_text=True)
    assert staff_client.post("/events/new", data={**form, "activity": "Big Get Together"}).status_code == 303
    assert db.session.scalar(select(db.func.count()).select_from(Activity)) == 1


def test_an_invitation_to_an_unlisted_tenure_is_refused_with_the_listed_ones(app, staff_client, make_event):
    event = make_event()
    factories.sms_customer("+447912345641", tenure="Leaseholder")
    db.session.commit()
    form = {"tenures": "Council flat", "channel_sms": "on", "consented_only": "on", "action": "send"}
    refused = staff_client.post(f"/events/{event.id}/invite", data=form, follow_redirects=True)
    assert (
        "&#39;Council flat&#39; is not on the landlord&#39;s list of tenures; use one of: General needs"
        in (refused.get_data(as_text=True))
    )
    assert outbox(f"event:{event.id}", purpose="invitation") == []
    sent = staff_client.post(
        f"/events/{event.id}/invite", data={**form, "tenures": "leasehold"}, follow_redirects=True
    )
    assert b"1 invitations queued" in sent.data
