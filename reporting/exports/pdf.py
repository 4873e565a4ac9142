"""The report as an A4 PDF, rendered by WeasyPrint from its print layout."""

from __future__ import annotations

import logging

from flask import render_template
from weasyprint import HTML

from reporting.exports.html import context
from reporting.formatting import period_words
from reporting.report import ImpactReport

CSS_ESCAPES = {ch: f"\\{ord(ch):x} " for ch in "\"'&<>\\"}
# WeasyPrint narrates every layout step at INFO; the app logs at INFO, so keep only its warnings.
logging.getLogger("weasyprint").setLevel(logging.WARNING)


def to_pdf(report: ImpactReport) -> bytes:
    """Render the report to A4 PDF bytes from its print layout (print.html; page rules in print.css)."""
    # No base_url: the document is self-contained, so nothing is fetched from disk or network.
    footer = f"{report.organisation} · {period_words(report.date_from, report.date_to)}"
    # A CSS string in the page footer: escape, CSS's way, what could end it or what HTML would escape.
    footer = "".join(CSS_ESCAPES.get(ch, ch) for ch in footer if ch not in "\r\n")
    html = render_template("reporting/print.html", **context(report), footer=footer)
    return HTML(string=html).write_pdf()
