"""Excel workbooks and UK dates, through the same import path as CSV files."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from app.extensions import db
from app.imports import ImportRejected, import_file
from app.models import Customer, Participation

NOW = datetime(2011, 6, 1, 9, 0, tzinfo=UTC)


def workbook(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_command_imports_an_xlsx_register_with_excel_cells(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "register.xlsx",
        [
            ["Ref", "First Name", "Phone", "SMS consent", "Email consent"],
            ["DH001", "Jane", "07911 123456", True, "no"],
            [None, None, None, None, None],  # a blank row Excel leaves is skipped
            ["DH002", "Bob", 447930123456, "yes", False],
        ],
    )
    result = runner.invoke(args=["import", "customers", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "register.xlsx: 2 rows — 2 added, 0 updated, 0 unchanged\n"
    db.session.remove()
    jane, bob = db.session.execute(db.select(Customer).order_by(Customer.ref)).scalars()
    assert (jane.phone, jane.sms_consent, jane.email_consent) == ("+447911123456", True, False)
    assert (bob.phone, bob.sms_consent) == ("+447930123456", True)


def test_participation_with_excel_date_cells_and_uk_dates(app: Flask, tmp_path: Path) -> None:
    workbook(tmp_path / "a.xlsx", [["name", "category"], ["Scrutiny panel", "scrutiny"]])
    import_file("activities", tmp_path / "a.xlsx", now=NOW)
    path = workbook(
        tmp_path / "participation.xlsx",
        [
            ["activity", "customer_ref", "date", "channel", "hours", "headcount"],
            ["Scrutiny panel", None, datetime(2011, 2, 3), "event", 1.5, 3],
            ["Scrutiny panel", None, "03/02/2011", "event", 0.25, 1],
            ["Scrutiny panel", None, date(2011, 5, 4), "online", None, None],
        ],
    )
    assert import_file("participation", path, now=NOW).added == 3
    db.session.commit()
    found = db.session.execute(db.select(Participation).order_by(Participation.id)).scalars().all()
    assert [(p.date, p.hours, p.headcount) for p in found] == [
        (date(2011, 2, 3), Decimal("1.5"), 3),
        (date(2011, 2, 3), Decimal("0.25"), 1),
        (date(2011, 5, 4), Decimal(0), 1),
    ]


def test_impossible_date_names_row_and_column_and_imports_nothing(app: Flask, tmp_path: Path) -> None:
    workbook(tmp_path / "a.xlsx", [["name", "category"], ["Forum", "forum"]])
    import_file("activities", tmp_path / "a.xlsx", now=NOW)
    path = workbook(
        tmp_path / "p.xlsx",
        [
            ["activity", "customer_ref", "date", "channel", "hours", "headcount"],
            ["Forum", None, "30/01/2011", "event", 1, 1],
            ["Forum", None, "31/02/2011", "event", 1, 1],
            ["Forum", None, datetime(2011, 2, 3, 14, 30), "event", 1, 1],
        ],
    )
    with pytest.raises(ImportRejected) as info:
        import_file("participation", path, now=NOW)
    assert info.value.errors == [
        'p.xlsx row 3, date: "31/02/2011" is not a real date',
        'p.xlsx row 4, date: "2011-02-03 14:30:00" is not a date written YYYY-MM-DD or DD/MM/YYYY '
        "(e.g. 2011-09-17 or 17/09/2011)",
    ]
    db.session.rollback()
    assert db.session.execute(db.select(Participation)).first() is None


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "areas.xlsx"
    path.write_text("area,homes\nDerby,5\n")
    with pytest.raises(ImportRejected) as info:
        import_file("areas", path, now=NOW)
    (message,) = info.value.errors
    assert message.startswith("areas.xlsx cannot be read as an Excel workbook")


def test_imported_landlines_are_kept_with_their_type_and_postcodes_tidied(app: Flask, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "c.xlsx",
        [
            ["ref", "phone", "sms_consent", "postcode", "language"],
            ["L1", "01332 123456", "yes", "de1 2ab", "Polish"],
            ["L2", "07911 123456", "yes", "DE221AA", None],
        ],
    )
    import_file("customers", path, now=NOW)
    db.session.commit()
    land, mobile = db.session.execute(db.select(Customer).order_by(Customer.ref)).scalars()
    assert (land.phone, land.phone_type, land.postcode, land.language) == (
        "+441332123456",
        "landline",
        "DE1 2AB",
        "Polish",
    )
    assert (mobile.phone_type, mobile.postcode) == ("mobile", "DE22 1AA")
    # A second import of the same file changes nothing.
    assert import_file("customers", path, now=NOW).unchanged == 2


def test_a_bad_postcode_names_row_and_column(app: Flask, tmp_path: Path) -> None:
    path = workbook(tmp_path / "c.xlsx", [["ref", "postcode"], ["L1", "Derby"]])
    with pytest.raises(ImportRejected) as info:
        import_file("customers", path, now=NOW)
    assert info.value.errors == [
        'c.xlsx row 2, postcode: "Derby" is not a UK postcode (write it like DE1 2AB)'
    ]
