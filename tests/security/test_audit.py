"""Staff actions reach the audit log, and admins can read it, filtered and paged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Activity, AuditEvent, StaffUser
from app.models.audit import record
from reporting.models import PublishedReport
from tests.conftest import signed_in
from tests.consultations import factories
from tests.consultations.helpers import make_consultation


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_launch_close_override_publish_export_and_erase_are_audited(
    app: Flask, make_user: Callable[..., StaffUser]
) -> None:
    manager = make_user("manager")
    client = signed_in(app, manager)
    factories.sms_customer("+447912345601")
    consultation = make_consultation(closes_at=None)
    period = {"from": "2011-04-01", "to": "2012-03-31"}
    activity = db.session.scalar(select(Activity))
    assert activity is not None

    assert client.post(f"/consultations/{consultation.id}/launch", data={"confirm": "yes"}).status_code == 303
    assert client.get(f"/consultations/{consultation.id}/export.csv").status_code == 200
    assert client.post(f"/consultations/{consultation.id}/close", data={"confirm": "yes"}).status_code == 303
    override = {**period, "activity_id": activity.id, "rating": "good", "reason": "Panel said so"}
    assert client.post("/reports/override", data=override).status_code == 303
    assert (
        client.post("/reports/publish", data={**period, "title": "2011-12", "confirm": "yes"}).status_code
        == 303
    )
    assert client.get("/reports/download/csv", query_string=period).status_code == 200
    published = db.session.scalar(select(PublishedReport))
    assert published is not None
    assert client.get(f"/reports/published/{published.id}/download/json").status_code == 200
    customer = factories.customer()
    db.session.commit()
    assert client.get(f"/customers/{customer.id}/data.json").status_code == 200
    assert client.post(f"/customers/{customer.id}/erase", data={"confirm": "yes"}).status_code == 303

    assert actions() == [
        "consultation.launch", "consultation.export", "consultation.close", "report.rating_override",
        "report.publish", "report.export", "report.export", "customer.export", "customer.erase",
    ]  # fmt: skip
    events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert {e.actor_email for e in events} == {manager.email}
    assert events[5].detail == {"format": "csv", **period} and events[5].target_type == "report"
    assert (events[6].target_type, events[6].target_id) == ("published_report", str(published.id))


def seed_log(users: list[StaffUser]) -> None:
    start = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    for n in range(120):
        user = users[n % 2]
        record("report.export" if n % 3 else "customer.erase", actor=user, target_type="report",
               detail={"n": n}, now=start + timedelta(hours=6 * n))  # fmt: skip
    # 23:30 UTC on 30 June is already 1 July in London.
    record("consultation.close", actor=users[0], now=datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    db.session.commit()


def rows_on(html: str) -> int:
    return html.count("<tr>") - 1


def test_admins_page_and_filter_the_log(app: Flask, make_user: Callable[..., StaffUser]) -> None:
    ann, bob = make_user("manager", email="ann@derwent.test"), make_user("staff", email="bob@derwent.test")
    seed_log([ann, bob])
    admin = signed_in(app, make_user("admin"))
    first = admin.get("/admin/audit")
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and rows_on(html) == 50 and "1–50 of 121" in html
    last = admin.get("/admin/audit?page=3").get_data(as_text=True)
    assert rows_on(last) == 21 and "101–121 of 121" in last

    erased = admin.get("/admin/audit?action=customer.erase").get_data(as_text=True)
    assert "1–40 of 40" in erased and "report.export</td>" not in erased
    by_bob = admin.get("/admin/audit?actor=BOB@").get_data(as_text=True)
    assert "of 60" in by_bob and "ann@derwent.test" not in by_bob
    july = admin.get("/admin/audit?from=2026-07-01&to=2026-07-01&action=consultation.close")
    assert "1–1 of 1" in july.get_data(as_text=True)
    june = admin.get("/admin/audit?from=2026-06-30&to=2026-06-30&action=consultation.close")
    assert "No audit events match" in june.get_data(as_text=True)
    both = admin.get("/admin/audit?actor=ann&action=report.export&from=2026-06-01&to=2026-06-10")
    assert "of 13" in both.get_data(as_text=True)  # even n from 0 to 38 that are not multiples of 3


def test_a_bad_date_filter_is_explained_not_an_error(admin_client: FlaskClient) -> None:
    response = admin_client.get("/admin/audit?from=31/12/2026&to=2026-01-01")
    assert response.status_code == 400
    assert "The from date must look like 2026-04-30." in response.get_data(as_text=True)
    reversed_range = admin_client.get("/admin/audit?from=2026-02-01&to=2026-01-01")
    assert "must not be after the to date" in reversed_range.get_data(as_text=True)


def test_only_admins_read_the_log(manager_client: FlaskClient) -> None:
    assert manager_client.get("/admin/audit").status_code == 403


def test_command_line_exports_are_audited(app, runner) -> None:
    """`flask report` and `flask consultations export` leave an audit event naming the command line."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import AuditEvent

    result = runner.invoke(args=["report", "--from", "2026-04-01", "--to", "2027-03-31", "--format", "csv"])
    assert result.exit_code == 0, result.output
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.export")).one()
    assert event.actor_email.startswith("command line (")
    assert event.detail == {"format": "csv", "from": "2026-04-01", "to": "2027-03-31"}
