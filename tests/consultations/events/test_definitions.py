"""Event definitions from JSON: the import command, updates by slug, and clear errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Activity
from consultations.events.models import Event

BGT = {
    "slug": "big-get-together-2030", "title": "The Big Get Together", "activity": "The Big Get together",
    "starts_at": "2030-09-17T11:00:00", "ends_at": "2030-09-17T15:00:00", "venue": "Derby Assembly Rooms",
    "online_url": "https://example.org/live", "capacity": 150, "waitlist": True, "sms_keyword": "bgt",
}  # fmt: skip


def write(tmp_path, data, name="event.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return str(path)


def test_import_creates_then_updates_by_slug(app, runner, tmp_path):
    result = runner.invoke(args=["events", "import", write(tmp_path, BGT)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "big-get-together-2030"
    event = db.session.scalar(select(Event))
    # Naive times are UK local: 11:00 BST is 10:00 UTC.
    assert event.starts_at == datetime(2030, 9, 17, 10, 0, tzinfo=UTC)
    assert event.sms_keyword == "BGT" and event.capacity == 150 and event.reminder_minutes == 24 * 60
    assert event.activity.name == "The Big Get together" and event.length_hours == 4

    again = runner.invoke(
        args=["events", "import", write(tmp_path, {**BGT, "capacity": 200, "reminder_hours": 2.5})]
    )
    assert again.exit_code == 0, again.output
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count()).select_from(Event)) == 1
    assert db.session.scalar(select(Event)).capacity == 200
    assert db.session.scalar(select(Event)).reminder_minutes == 150
    assert db.session.scalar(select(db.func.count()).select_from(Activity)) == 1


def test_import_lists_every_mistake_and_writes_nothing(app, runner, tmp_path):
    bad = {**BGT, "ends_at": "2030-09-17T10:00:00", "capacity": "lots", "sms_keyword": "STOP", "colour": "red",
           "online_url": "ftp://x", "slug": "Big Event!"}  # fmt: skip
    result = runner.invoke(args=["events", "import", write(tmp_path, bad)])
    assert result.exit_code != 0
    for expected in ("The event must end after it starts.", "Enter the number of places as a whole number",
                     "a word texts already use", "unknown field(s): colour",
                     "Enter the online link as a web address", "The web address (slug) may use only"):  # fmt: skip
        assert expected in result.output, expected
    assert db.session.scalar(select(Event)) is None
    assert db.session.scalar(select(Activity)) is None


def test_import_rejects_bad_json_and_a_taken_keyword(app, runner, tmp_path):
    assert "not valid JSON" in runner.invoke(args=["events", "import", write(tmp_path, "{nope")]).output
    runner.invoke(args=["events", "import", write(tmp_path, BGT)])
    other = {**BGT, "slug": "another"}
    result = runner.invoke(args=["events", "import", write(tmp_path, other, "other.json")])
    assert (
        result.exit_code != 0
        and "The event big-get-together-2030 already uses the keyword BGT" in result.output
    )


def test_capacity_cannot_drop_below_booked_places(app, runner, tmp_path):
    runner.invoke(args=["events", "import", write(tmp_path, {**BGT, "capacity": 3})])
    db.session.execute(db.update(Event).values(places_taken=3))
    db.session.commit()
    result = runner.invoke(args=["events", "import", write(tmp_path, {**BGT, "capacity": 2})])
    assert result.exit_code != 0 and "3 places are already booked" in result.output
