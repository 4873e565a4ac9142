"""A manager imports a customers workbook and a participation CSV with UK dates in Chromium."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity, Area, Customer, Participation, StaffUser
from app.models.imports import HeaderMapping
from messaging.scheduler import build_scheduler
from tests.conftest import PASSWORD, LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"IMPORT_SWEEP_SECONDS": 1, "SCHEDULER_MAX_SECONDS": 1}


@pytest.fixture
def clock(app: Flask) -> Iterator[None]:
    """The scheduler's clock in the background, as `make run` runs it, with every sweeper."""
    scheduler = build_scheduler(app, blocking=False)
    scheduler.start()
    yield
    scheduler.shutdown(wait=True)


def sign_in(page: Any, server: LiveServer, user: StaffUser) -> None:
    page.goto(f"{server.url}/imports/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/imports/")


def choose(page: Any, kind: str, path: Path) -> None:
    page.goto(page.url.split("/imports")[0] + "/imports/")
    page.get_by_label("What the file holds").select_option(kind)
    page.get_by_label("File (.csv or .xlsx").set_input_files(str(path))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", name="How the columns were read")).to_be_visible()


def test_a_customers_workbook_with_other_header_names(
    page: Any, live_server: LiveServer, make_user: Callable[..., StaffUser], clock: None, tmp_path: Path
) -> None:
    manager = make_user("manager", email="manager@example.org")
    db.session.add(Area(name="Derby", homes=100))
    db.session.commit()
    book = openpyxl.Workbook()
    for row in [
        ["Tenancy Ref", "First Name", "Last Name", "Mobile", "Area", "SMS consent"],
        ["DH001", "Jane", "Evans", "07911 123456", "Derby", True],
        ["DH002", "Imran", "Khan", 447930123456, "derby", "no"],
    ]:
        book.active.append(row)
    book.save(tmp_path / "register.xlsx")

    sign_in(page, live_server, manager)
    choose(page, "customers", tmp_path / "register.xlsx")
    expect(page.locator("#error-summary")).to_contain_text("unknown column(s): tenancy_ref, mobile")
    expect(page.locator("#first-rows")).to_contain_text("Jane")
    expect(page.locator("#missing")).to_contain_text("ref")
    expect(page.get_by_role("button", name="Import the whole file")).to_have_count(0)

    page.get_by_label("Read Tenancy Ref as").select_option("ref")
    page.locator('tr[data-header="Tenancy Ref"]').get_by_role("button", name="Remember").click()
    expect(
        page.get_by_text("From now on the header tenancy_ref in customers files is read as ref.")
    ).to_be_visible()
    page.get_by_label("Read Mobile as").select_option("phone")
    page.locator('tr[data-header="Mobile"]').get_by_role("button", name="Remember").click()
    expect(page.locator('tr[data-header="Mobile"]')).to_contain_text("phone (remembered)")

    page.get_by_role("button", name="Import the whole file").click()
    # The page refreshes itself until the clock has imported the file.
    expect(page.get_by_text("2 rows: 2 added, 0 updated, 0 unchanged.")).to_be_visible(timeout=30_000)
    db.session.expire_all()
    rows = db.session.execute(
        select(Customer.ref, Customer.phone, Customer.sms_consent).order_by(Customer.ref)
    )
    assert rows.all() == [("DH001", "+447911123456", True), ("DH002", "+447930123456", False)]
    assert db.session.scalar(select(func.count()).select_from(HeaderMapping)) == 2

    # Next time the same names are read without asking.
    choose(page, "customers", tmp_path / "register.xlsx")
    expect(page.locator("#error-summary")).to_have_count(0)
    page.get_by_role("button", name="Import the whole file").click()
    expect(page.get_by_text("2 rows: 0 added, 0 updated, 2 unchanged.")).to_be_visible(timeout=30_000)
    page.get_by_role("link", name="Import history").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody")).to_contain_text("manager@example.org")


def test_participation_with_uk_dates_a_bad_file_then_a_good_one(
    page: Any, live_server: LiveServer, make_user: Callable[..., StaffUser], clock: None, tmp_path: Path
) -> None:
    manager = make_user("manager")
    db.session.add_all(
        [Activity(name="Scrutiny panel", category="scrutiny"), Customer(ref="DH001", first_name="Jane")]
    )
    db.session.commit()
    header = "activity,customer_ref,date,channel,hours,headcount\r\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        header
        + "Scrutiny panel,DH001,03/02/2011,in person,2,1\r\n"
        + "Scrutiny panel,DH999,31/02/2011,in person,2,1\r\n"
        + "Scrutiny pannel,,17/09/2011,event,1,4\r\n",
        encoding="utf-8",
    )
    good = tmp_path / "good.csv"
    good.write_text(
        header + "Scrutiny panel,DH001,03/02/2011,in person,2,1\r\nScrutiny panel,,17/09/2011,event,1,4\r\n",
        encoding="utf-8-sig",
    )

    sign_in(page, live_server, manager)
    choose(page, "participation", bad)
    expect(page.locator("#first-rows")).to_contain_text("31/02/2011")
    page.get_by_role("button", name="Import the whole file").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("The file was not imported", timeout=30_000)
    expect(summary).to_contain_text('bad.csv row 3, customer_ref: "DH999" is not a known customer')
    expect(summary).to_contain_text('bad.csv row 3, date: "31/02/2011" is not a real date')
    expect(summary).to_contain_text('bad.csv row 4, activity: "Scrutiny pannel" is not a known activity')
    expect(summary).to_be_focused()
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 0

    choose(page, "participation", good)
    page.get_by_role("button", name="Import the whole file").click()
    expect(page.get_by_text("2 rows: 2 added, 0 updated, 0 unchanged.")).to_be_visible(timeout=30_000)
    db.session.expire_all()
    stored = db.session.execute(
        select(Participation.date, Participation.headcount).order_by(Participation.date)
    )
    assert stored.all() == [(date(2011, 2, 3), 1), (date(2011, 9, 17), 4)]
