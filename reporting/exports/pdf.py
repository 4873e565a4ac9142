"""The report as an A4 PDF, rendered by WeasyPrint from the standalone HTML."""

from __future__ import annotations

import logging

from weasyprint import HTML

from reporting.exports.html import standalone_html
from reporting.report import ImpactReport

# WeasyPrint narrates every layout step at INFO; the app logs at INFO, so keep only its warnings.
logging.getLogger("weasyprint").setLevel(logging.WARNING)


def to_pdf(report: ImpactReport) -> bytes:
    """Render the report to PDF bytes; page numbers come from the @page rules in report.css."""
    # No base_url: the document is self-contained, so nothing is fetched from disk or network.
    return HTML(string=standalone_html(report)).write_pdf()
