"""Renderers of the report object: JSON, CSV, XLSX, HTML and PDF."""

from __future__ import annotations

import json
from dataclasses import dataclass

from reporting.report import ImpactReport

FORMATS = ("json", "csv", "xlsx", "pdf", "html")
BINARY_FORMATS = ("xlsx", "pdf")
# "csv" is a zip of one CSV file per section (activities, summary, outcomes, actions, profile, narrative).


@dataclass(frozen=True)
class Rendered:
    """A rendered report and how to serve it."""

    content: bytes
    mimetype: str
    extension: str


def render(report: ImpactReport, fmt: str) -> Rendered:
    """Render ``report`` in one of FORMATS."""
    if fmt == "json":
        text = json.dumps(report.to_json(), indent=2, ensure_ascii=False)
        return Rendered(text.encode("utf-8"), "application/json", "json")
    if fmt == "csv":
        from reporting.exports.csv_export import to_zip

        return Rendered(to_zip(report), "application/zip", "zip")
    if fmt == "xlsx":
        from reporting.exports.xlsx import to_xlsx

        return Rendered(
            to_xlsx(report), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
        )
    if fmt == "html":
        from reporting.exports.html import standalone_html

        return Rendered(standalone_html(report).encode("utf-8"), "text/html; charset=utf-8", "html")
    if fmt == "pdf":
        from reporting.exports.pdf import to_pdf

        return Rendered(to_pdf(report), "application/pdf", "pdf")
    raise ValueError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")


def filename(report: ImpactReport, extension: str) -> str:
    """Return a download name such as impact-report-2011-04-01-to-2012-03-31.pdf."""
    return f"impact-report-{report.date_from.isoformat()}-to-{report.date_to.isoformat()}.{extension}"
