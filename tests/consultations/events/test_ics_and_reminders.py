"""The calendar invite and the reminder sweeper."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from app.extensions import db
from consultations.events.jobs import send_reminders
from consultations.events.models import Booking
from consultations.events.services import BookingRequest, book, cancel
from messaging.scheduler import run_sweepers_once
from tests.consultations.events.conftest import NOW, outbox


def test_calendar_download_parses_back(app, client, make_event):
    event = make_event(
        slug="summer-fair", starts_at="2030-07-05T11:00:00", ends_at="2030-07-05T15:00:00",
        online_url="https://example.org/live", description="Stalls & music",
    )  # fmt: skip
    response = client.get("/e/summer-fair/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    [entry] = list(calendar.walk("VEVENT"))
    # 11:00 in London in July is 10:00 UTC.
    assert entry.decoded("dtstart") == datetime(2030, 7, 5, 10, 0, tzinfo=UTC)
    assert entry.decoded("dtend") == datetime(2030, 7, 5, 14, 0, tzinfo=UTC)
    assert str(entry["summary"]) == "The Big Get Together"
    assert str(entry["location"]) == "Derby Assembly Rooms"
    assert str(entry["uid"]) == f"event-{event.id}@involve.test"
    assert "Stalls & music" in str(entry["description"]) and "https://example.org/live" in str(
        entry["description"]
    )


def test_unknown_event_calendar_is_404(app, client):
    assert client.get("/e/nothing-here/calendar.ics").status_code == 404


def _book(event, email, now):
    return book(event, BookingRequest(customer=None, name="A", email=email), now=now)


def test_reminders_go_once_to_booked_people_only(app, make_event):
    event = make_event(days=3, reminder_hours=24)
    kept = _book(event, "kept@example.org", NOW)
    gone = _book(event, "gone@example.org", NOW)
    db.session.commit()
    cancel(gone.booking, now=NOW)
    db.session.commit()

    assert send_reminders(NOW + timedelta(days=1)) == 0  # too early
    due = event.starts_at - timedelta(hours=23)
    assert send_reminders(due) == 1
    assert send_reminders(due + timedelta(minutes=1)) == 0  # a rerun sends nothing again
    reminders = outbox(f"event:{event.id}", purpose="reminder")
    assert [m.to_address for m in reminders] == ["kept@example.org"]
    assert reminders[0].subject == "Reminder: The Big Get Together"
    assert db.session.get(Booking, kept.booking.id).reminder_sent_at is not None


def test_late_bookers_and_past_events_get_no_reminder(app, make_event):
    event = make_event(days=3, reminder_hours=24)
    late = event.starts_at - timedelta(hours=2)
    _book(event, "late@example.org", late)
    db.session.commit()
    assert send_reminders(late + timedelta(minutes=5)) == 0
    assert send_reminders(event.starts_at + timedelta(hours=1)) == 0
    assert outbox(purpose="reminder") == []


def test_reminder_sweeper_is_registered_with_the_clock(app, make_event):
    event = make_event(days=2, reminder_hours=48)
    _book(event, "a@example.org", NOW)
    db.session.commit()
    done = run_sweepers_once(app, now=NOW + timedelta(hours=1))
    assert done["event-reminders"] == 1
    assert run_sweepers_once(app, now=NOW + timedelta(hours=2))["event-reminders"] == 0
