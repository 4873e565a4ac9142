"""Reading CSV files as Excel writes them: encodings, quoting, headers, empty files."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from app.extensions import db
from app.imports import ImportRejected, ImportResult, import_file, import_rows
from app.models import Activity, Area, AuditEvent, Customer

NOW = datetime(2011, 6, 1, 9, 0, tzinfo=UTC)


def load(kind: str, text: str) -> ImportResult:
    result = import_rows(kind, f"{kind}.csv", io.StringIO(text, newline=""), now=NOW)
    db.session.commit()
    return result


def problems(kind: str, text: str) -> list[str]:
    with pytest.raises(ImportRejected) as info:
        import_rows(kind, f"{kind}.csv", io.StringIO(text, newline=""), now=NOW)
    db.session.rollback()
    return info.value.errors


def areas() -> dict[str, int]:
    return {a.name: a.homes for a in db.session.execute(db.select(Area)).scalars()}


def test_excel_file_with_bom_crlf_and_quoting(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "areas.csv"
    path.write_bytes(
        b'\xef\xbb\xbfArea,Homes\r\n"Derby, City","1,200"\r\n"The ""Old"" Town",300\r\nErewash,5\r\n'
    )
    result = import_file("areas", path, now=NOW)
    db.session.commit()
    assert (result.rows, result.added) == (3, 3)
    assert areas() == {"Derby, City": 1200, 'The "Old" Town': 300, "Erewash": 5}


def test_file_without_bom_and_a_stream_that_kept_it(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "areas.csv"
    path.write_text("area,homes\nDerby,10\n", encoding="utf-8")
    assert import_file("areas", path, now=NOW).added == 1
    # A stream opened as plain utf-8 still carries the BOM as a character.
    assert load("areas", "\ufeffarea,homes\r\nErewash,4\r\n").added == 1
    assert areas() == {"Derby": 10, "Erewash": 4}


def test_quoted_line_breaks_keep_spreadsheet_row_numbers(app: Flask) -> None:
    text = 'name,aim,category\r\nPanel,"Line one\r\nLine two",panel\r\nForum,Talk,chat\r\n'
    assert problems("activities", text) == [
        'activities.csv row 3, category: "chat" is not one of: '
        + ("consultation, forum, panel, scrutiny, training, event, newsletter, mystery shopping, other")
    ]
    load("activities", text.replace("chat", "forum"))
    aim = db.session.execute(db.select(Activity.aim).filter_by(name="Panel")).scalar_one()
    assert aim == "Line one\r\nLine two"


def test_header_names_ignore_case_spaces_and_hyphens(app: Flask) -> None:
    load("areas", "area,homes\nDerby,1\n")
    result = load("customers", " REF ,First Name,last-name,Sms Consent,AREA\nC1,Jane,Smith,Yes,derby\n")
    customer = db.session.execute(db.select(Customer)).scalar_one()
    assert result.added == 1
    assert (customer.first_name, customer.last_name, customer.sms_consent) == ("Jane", "Smith", True)
    assert customer.area is not None and customer.area.name == "Derby"


def test_missing_unknown_and_repeated_columns_are_named(app: Flask) -> None:
    assert problems("areas", "homes\n5\n") == [
        "areas.csv row 1: missing column(s): area; these must be in the header: area, homes"
    ]
    assert problems("areas", "area,homes,notes,Colour\nDerby,5,x,y\n") == [
        "areas.csv row 1: unknown column(s): notes, colour; the columns are: area, homes"
    ]
    assert problems("areas", "area,Area,homes\n") == [
        "areas.csv row 1: column area appears twice (columns 1 and 2)"
    ]
    assert areas() == {}


def test_empty_file_is_an_error(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes(b"")
    with pytest.raises(ImportRejected) as info:
        import_file("customers", path, now=NOW)
    assert info.value.errors == [
        "customers.csv is empty: the first row must be the header: ref, first_name, last_name, phone, "
        "email, area, tenure, age_band, gender, ethnicity, disability, sms_consent, email_consent, "
        "postcode, language"
    ]
    assert problems("areas", "\r\n,\r\n")[0].startswith("areas.csv is empty")


def test_header_only_file_imports_nothing_without_error(app: Flask) -> None:
    result = load("customers", "\ufeffref,first_name\r\n,\r\n")
    assert (result.rows, result.added, result.updated, result.unchanged) == (0, 0, 0, 0)
    assert result.summary() == "customers.csv: header only, no rows — nothing imported"
    assert db.session.execute(db.select(AuditEvent)).first() is None


@pytest.mark.parametrize(
    "data",
    [
        "area,homes\r\nCafé Quarter,5\r\n".encode("cp1252"),
        "area,homes\r\nDerby,5\r\n".encode("utf-16"),
    ],
    ids=["windows-1252", "utf-16"],
)
def test_file_that_is_not_utf8_gets_a_save_as_hint(app: Flask, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "areas.csv"
    path.write_bytes(data)
    with pytest.raises(ImportRejected) as info:
        import_file("areas", path, now=NOW)
    (message,) = info.value.errors
    assert message.startswith("areas.csv: is not UTF-8 text")
    assert '"CSV UTF-8 (Comma delimited) (*.csv)"' in message
    assert areas() == {}


def test_semicolon_separated_file_is_explained(app: Flask) -> None:
    (message,) = problems("areas", "area;homes\nDerby;5\n")
    assert "not separated by commas" in message


def test_blank_lines_are_skipped_but_still_numbered(app: Flask) -> None:
    assert problems("areas", "area,homes\r\nDerby,1\r\n,\r\n\r\nErewash,x\r\n") == [
        'areas.csv row 5, homes: "x" is not a whole number'
    ]
    assert load("areas", "area,homes\r\nDerby,1\r\n,\r\n\r\nErewash,2\r\n").rows == 2


def test_values_beyond_the_header_are_errors_and_short_rows_are_blank(app: Flask) -> None:
    assert problems("areas", "area,homes\nDerby,1,extra\nErewash\n") == [
        "areas.csv row 2: has a value in column 3, which has no header",
        "areas.csv row 3, homes: a value is required",
    ]
    # Excel's trailing empty columns are harmless.
    assert load("areas", "area,homes,,\nDerby,1,,\n").added == 1


def test_every_problem_is_listed_and_the_printout_is_capped(app: Flask) -> None:
    text = "area,homes\n" + "".join(f"A{n},many\n" for n in range(250))
    with pytest.raises(ImportRejected) as info:
        import_rows("areas", "areas.csv", io.StringIO(text), now=NOW)
    assert info.value.total == 250
    lines = info.value.lines(200)
    assert len(lines) == 201
    assert lines[0] == 'areas.csv row 2, homes: "many" is not a whole number'
    assert lines[-1] == "… and 50 more"


def test_unknown_kind_is_refused(app: Flask) -> None:
    with pytest.raises(ValueError, match="unknown import kind 'people'"):
        import_rows("people", "people.csv", io.StringIO("ref\n"), now=NOW)
