"""`flask import KIND FILE.csv`: output, exit codes and progress."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner

from app.extensions import db
from app.models import Area, AuditEvent, Customer

CUSTOMERS = (
    "\ufeffRef,First Name,Last Name,Phone,Email,Area,SMS consent\r\n"
    "DH001,Jane,Smith,07911 123456,jane@example.org,Derby,yes\r\n"
    "DH002,Bob,Jones,+44 7930 123456,,Derby,no\r\n"
)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return str(path)


def count(model: type) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def test_import_prints_a_summary_and_commits(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    areas = write(tmp_path, "areas.csv", "area,homes\r\nDerby,1200\r\n")
    assert runner.invoke(args=["import", "areas", areas]).exit_code == 0
    customers = write(tmp_path, "customers.csv", CUSTOMERS)
    result = runner.invoke(args=["import", "customers", customers])
    assert result.exit_code == 0, result.output
    assert result.stdout == "customers.csv: 2 rows — 2 added, 0 updated, 0 unchanged\n"
    db.session.remove()
    assert count(Customer) == 2
    assert count(AuditEvent) == 2

    again = runner.invoke(args=["import", "customers", customers])
    assert again.stdout == "customers.csv: 2 rows — 0 added, 0 updated, 2 unchanged\n"
    assert count(Customer) == 2


def test_bad_file_exits_nonzero_listing_every_problem(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = write(
        tmp_path, "customers.csv", CUSTOMERS.replace("07911 123456", "0770").replace("DH002", "DH001")
    )
    result = runner.invoke(args=["import", "customers", path])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        'customers.csv row 2, phone: "0770" is not a phone number',
        'customers.csv row 2, area: "Derby" is not a known area (import the areas file first)',
        'customers.csv row 3, area: "Derby" is not a known area (import the areas file first)',
        'customers.csv row 3, ref: "DH001" appears twice: rows 2 and 3',
        "customers.csv: nothing imported (4 problem(s) to fix).",
    ]
    assert result.stdout == ""
    assert count(Customer) == 0


def test_duplicate_ref_on_the_command_line(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "customers.csv", "ref,first_name\nDH1,A\nDH2,B\nDH1,C\n")
    result = runner.invoke(args=["import", "customers", path])
    assert result.exit_code == 1
    assert 'customers.csv row 4, ref: "DH1" appears twice: rows 2 and 4' in result.stderr


def test_printout_is_capped_at_200_problems(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "areas.csv", "area,homes\n" + "".join(f"A{n},?\n" for n in range(1, 1501)))
    result = runner.invoke(args=["import", "areas", path])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 202
    assert lines[199] == 'areas.csv row 201, homes: "?" is not a whole number'
    assert lines[200:] == ["… and 1,300 more", "areas.csv: nothing imported (1,500 problem(s) to fix)."]


def test_empty_file_is_an_error_and_header_only_a_no_op(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    empty = runner.invoke(args=["import", "budgets", write(tmp_path, "budgets.csv", "")])
    assert empty.exit_code == 1
    assert empty.stderr.startswith(
        "budgets.csv is empty: the first row must be the header: start_date, end_date, amount"
    )
    header_only = runner.invoke(
        args=["import", "budgets", write(tmp_path, "b.csv", "start_date,end_date,amount\r\n")]
    )
    assert header_only.exit_code == 0
    assert header_only.stdout == "b.csv: header only, no rows — nothing imported\n"


def test_wrong_header_names_the_columns(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        args=["import", "costs", write(tmp_path, "costs.csv", "activity,day,amount,vat\n")]
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        "costs.csv row 1: unknown column(s): day, vat; the columns are: activity, date, amount, description",
        "costs.csv row 1: missing column(s): date; these must be in the header: activity, date, amount",
    ]


def test_unknown_kind_and_missing_file_are_usage_errors(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = write(tmp_path, "x.csv", "area,homes\n")
    assert runner.invoke(args=["import", "people", path]).exit_code == 2
    assert runner.invoke(args=["import", "areas", str(tmp_path / "nope.csv")]).exit_code == 2


def test_big_files_report_progress(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "areas.csv", "area,homes\n" + "".join(f"Area {n},{n}\n" for n in range(20_000)))
    result = runner.invoke(args=["import", "areas", path])
    assert result.exit_code == 0
    assert "areas.csv: 10,000 rows read" in result.stderr.splitlines()
    assert "areas.csv: 20,000 of 20,000 rows added" in result.stderr.splitlines()
    assert result.stdout == "areas.csv: 20,000 rows — 20,000 added, 0 updated, 0 unchanged\n"
    assert count(Area) == 20_000
