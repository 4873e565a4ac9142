"""The renderers: CSV (formula-safe), XLSX, PDF, standalone HTML, all from the report object."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal

from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.exports import render
from reporting.exports.csv_export import safe_cell
from reporting.report import ImpactReport
from tests.reporting.conftest import Ledger, make_report


def _csv_files(report: ImpactReport) -> dict[str, list[dict[str, str]]]:
    archive = zipfile.ZipFile(io.BytesIO(render(report, "csv").content))
    return {
        name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
        for name in archive.namelist()
    }


def _csv_rows(report: ImpactReport) -> list[dict[str, str]]:
    return [row for rows in _csv_files(report).values() for row in rows]


def test_csv_is_a_zip_with_one_row_per_activity_and_a_file_per_section(ledger: Ledger) -> None:
    files = _csv_files(make_report())
    assert set(files) == {
        "activities.csv", "summary.csv", "outcomes.csv", "actions.csv", "profile.csv", "narrative.csv"
    }  # fmt: skip
    activities = {r["name"]: r for r in files["activities.csv"]}
    assert list(activities) == [a.name for a in make_report().activities]
    assert activities["Reading Panel"]["cost_per_customer"] == "0.13"
    assert activities["Text survey"]["customers_involved"] == "3"
    assert activities["Big Get Together"]["customers_online"] == "42"
    assert activities["Text survey"]["customers_online"] == "0"
    assert activities["Text survey"]["rating_basis"] == "rule"
    summary = {r["figure"]: r["value"] for r in files["summary.csv"]}
    assert summary["underspend"] == "2089.75" and summary["period_from"] == "2011-04-01"
    profile = {(r["field"], r["value"]): r for r in files["profile.csv"]}
    assert profile[("gender", "Male")]["participants"] == "<5"
    assert [r["state"] for r in files["outcomes.csv"]] == ["resolved", "in progress"]
    assert {r["section"] for r in files["narrative.csv"]} >= {"introduction", "priorities", "closing"}


def test_csv_cells_cannot_run_as_formulas(ledger: Ledger) -> None:
    ledger.activities["Text survey"].aim = "@SUM(A1:A2)"
    ledger.activities["Text survey"].method = "+1"
    from app.extensions import db

    db.session.commit()
    rows = _csv_rows(make_report())
    values = [v for r in rows for v in r.values()]
    assert "'=cmd|' /C calc'!A0" in values  # an outcome's where/who
    assert "'@SUM(A1:A2)" in values and "'+1" in values
    assert not any(v.startswith(("=", "+", "@", "\t", "\r")) for v in values)
    assert [safe_cell(x) for x in ("-5", "\tx", "\rx", "ok", None, 3)] == [
        "'-5",
        "'\tx",
        "'\rx",
        "ok",
        "",
        "3",
    ]


def test_xlsx_opens_with_a_sheet_per_section_and_numbers_as_numbers(ledger: Ledger) -> None:
    book = load_workbook(io.BytesIO(render(make_report(), "xlsx").content))
    assert book.sheetnames == [
        "Summary",
        "Activities",
        "By channel",
        "Outcomes",
        "Actions",
        "Profile",
        "Narrative",
        "Warnings",
    ]
    activities = book["Activities"]
    header = [c.value for c in activities[1]]
    rows = {
        row[0]: dict(zip(header, row, strict=True))
        for row in activities.iter_rows(min_row=2, values_only=True)
    }
    panel = rows["Reading Panel"]
    assert panel["Customers involved"] == 2
    assert Decimal(str(panel["Total cost"])) == Decimal("0.25")
    assert Decimal(str(panel["Cost per customer"])) == Decimal("0.13")
    assert rows["Challenge Hour"]["Cost per customer"] is None
    assert Decimal(str(rows["Text survey"]["Customer hours"])) == Decimal("0.1332")
    money_cell = activities.cell(row=2, column=header.index("Total cost") + 1)
    assert money_cell.number_format == "£#,##0.00"
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Customers participated"] == 6
    assert Decimal(str(summary["Underspend"])) == Decimal("2089.75")
    outcomes = book["Outcomes"]
    # text that looks like a formula stays text
    assert outcomes.cell(row=3, column=1).data_type == "s"
    assert outcomes.cell(row=3, column=1).value == "=cmd|' /C calc'!A0"


def test_pdf_is_a4_with_page_numbers_and_the_figures(ledger: Ledger) -> None:
    content = render(make_report(), "pdf").content
    reader = PdfReader(io.BytesIO(content))
    pages = len(reader.pages)
    assert pages >= 3
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Reading Panel" in text and "13p per customer involved" in text
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert "You said, we did" in text
    assert "under spend of £2,089.75" in text


def test_standalone_html_has_inline_styles_and_charts(ledger: Ledger) -> None:
    html = render(make_report(), "html").content.decode()
    assert html.startswith("<!doctype html>") and "<style>" in html and "<svg" in html
    assert 'href="/static' not in html  # nothing to fetch
    assert "Override this rating" not in html


def test_every_renderer_works_from_a_report_rebuilt_from_json(ledger: Ledger) -> None:
    report = make_report()
    rebuilt = ImpactReport.from_json(json.loads(render(report, "json").content))
    for fmt in ("json", "csv", "html"):
        assert render(rebuilt, fmt).content == render(report, fmt).content, fmt
    assert len(PdfReader(io.BytesIO(render(rebuilt, "pdf").content)).pages) >= 3
