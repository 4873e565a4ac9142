"""The ``flask report`` command."""

from __future__ import annotations

import io
import json
from pathlib import Path

from flask.testing import FlaskCliRunner
from openpyxl import load_workbook

from tests.reporting.conftest import Ledger


def test_json_goes_to_stdout(runner: FlaskCliRunner, ledger: Ledger) -> None:
    result = runner.invoke(args=["report", "--from", "2011-04-01", "--to", "2012-03-31", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["period"] == {"from": "2011-04-01", "to": "2012-03-31"}
    assert data["summary"]["customers_participated"] == 6


def test_binary_formats_need_an_output_file(runner: FlaskCliRunner, ledger: Ledger, tmp_path: Path) -> None:
    refused = runner.invoke(args=["report", "--from", "2011-04-01", "--to", "2012-03-31", "--format", "pdf"])
    assert refused.exit_code != 0 and "--output" in refused.output
    target = tmp_path / "report.xlsx"
    done = runner.invoke(
        args=[
            "report",
            "--from",
            "2011-04-01",
            "--to",
            "2012-03-31",
            "--format",
            "xlsx",
            "--output",
            str(target),
        ]
    )
    assert done.exit_code == 0, done.output
    assert load_workbook(io.BytesIO(target.read_bytes()))["Summary"]["B5"].value == 6
    pdf = tmp_path / "report.pdf"
    runner.invoke(
        args=["report", "--from", "2011-04-01", "--to", "2012-03-31", "--format", "pdf", "--output", str(pdf)]
    )
    assert pdf.read_bytes().startswith(b"%PDF")


def test_csv_and_html_to_stdout(runner: FlaskCliRunner, ledger: Ledger) -> None:
    csv_out = runner.invoke(args=["report", "--from", "2011-04-01", "--to", "2012-03-31", "--format", "csv"])
    assert csv_out.stdout.startswith("name,qualifier,category,")  # the activities table
    html = runner.invoke(args=["report", "--from", "2011-04-01", "--to", "2012-03-31", "--format", "html"])
    assert "Reading Panel" in html.stdout


def test_bad_dates_are_refused_clearly(runner: FlaskCliRunner, ledger: Ledger) -> None:
    bad = runner.invoke(args=["report", "--from", "2011-02-30", "--to", "2012-03-31"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    backwards = runner.invoke(args=["report", "--from", "2012-04-01", "--to", "2012-03-31"])
    assert backwards.exit_code == 2 and "--from must not be after --to" in backwards.output
    unknown = runner.invoke(args=["report", "--from", "2011-04-01", "--to", "2012-03-31", "--format", "doc"])
    assert unknown.exit_code == 2
