"""The demo's report prints like a report: at most 8 A4 pages, none but the last more than half empty."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from flask import Flask
from PIL import Image
from pypdf import PdfReader

from app.demo import load_demo
from app.extensions import db
from app.models.base import utcnow
from app.periods import financial_year
from reporting.exports import render
from reporting.metrics import ReportSettings, build_report

FOOTER_MM = 16  # the bottom margin holds the page number and period on every page


def _lowest_ink(image: Image.Image) -> float:
    """Return how far down the page (0-1) the lowest printed pixel above the footer is."""
    grey = image.convert("L")
    width, height = grey.size
    pixels = grey.load()
    above_footer = int(height * (1 - FOOTER_MM / 297))
    for y in range(above_footer - 1, -1, -1):
        if any(pixels[x, y] < 200 for x in range(0, width, 2)):
            return y / height
    return 0.0


def test_the_demo_report_fits_8_pages_with_no_half_empty_page_but_the_last(
    app: Flask, tmp_path: Path
) -> None:
    now = utcnow()
    load_demo(now=now, password="demo password 1")
    db.session.commit()
    year = financial_year(now.date())
    report = build_report(year.start, year.end, now=now, settings=ReportSettings.from_config(app.config))
    assert len(report.activities) >= 10
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render(report, "pdf").content)
    reader = PdfReader(pdf)
    pages = len(reader.pages)
    assert 2 <= pages <= 8
    assert all(abs(float(p.mediabox.width) - 595.3) < 1 for p in reader.pages)  # A4
    first = reader.pages[0].extract_text()
    assert "Summary" in first and report.activities[-1].name in first  # the traffic-light table of all
    assert f"Page 1 of {pages}" in first and "1 April" in first  # page number and period in the footer
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm (poppler-utils) is needed to look at the pages"
    subprocess.run([pdftoppm, "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages
    for number, path in enumerate(images[:-1], start=1):
        with Image.open(path) as image:
            assert _lowest_ink(image) > 0.5, f"page {number} is more than half empty"
