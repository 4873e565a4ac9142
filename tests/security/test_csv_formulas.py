"""Spreadsheet formula probes in free text are defused in every CSV and XLSX export."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from app.models import StaffUser
from tests.conftest import signed_in
from tests.security.world import FORMULA_PROBES, build_world

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PERIOD = {"from": "2011-04-01", "to": "2012-03-31"}


def csv_cells(client: FlaskClient, path: str, **query: str) -> list[str]:
    response = client.get(path, query_string=query)
    assert response.status_code == 200, path
    if response.mimetype == "application/zip":  # the report: one CSV file per section
        archive = zipfile.ZipFile(io.BytesIO(response.data))
        texts = [archive.read(name).decode("utf-8-sig") for name in archive.namelist()]
    else:
        assert response.mimetype == "text/csv"
        texts = [response.data.decode("utf-8-sig")]
    return [cell for text in texts for row in csv.reader(io.StringIO(text)) for cell in row]


def xlsx_cells(client: FlaskClient, path: str, **query: str) -> list[tuple[object, str]]:
    response = client.get(path, query_string=query)
    assert response.status_code == 200, path
    book = load_workbook(io.BytesIO(response.data))
    return [(cell.value, cell.data_type) for sheet in book for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("probe", FORMULA_PROBES)
def test_every_csv_export_defuses_formulas(
    app: Flask, make_user: Callable[..., StaffUser], probe: str
) -> None:
    world = build_world(probe)
    client = signed_in(app, make_user("manager"))
    exports = {
        "report": csv_cells(client, "/reports/download/csv", **PERIOD),
        "text survey": csv_cells(client, f"/consultations/{world.consultation.id}/export.csv"),
        "web survey": csv_cells(client, f"/consultations/{world.email_consultation.id}/export.csv"),
    }
    for name, cells in exports.items():
        live = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
        assert live == [], f"{name}: cells a spreadsheet would run: {live}"
        assert "'" + probe in cells or any(c.startswith("'" + probe) for c in cells), f"{name}: probe missing"


@pytest.mark.parametrize("probe", FORMULA_PROBES[:1])
def test_every_xlsx_export_stores_formulas_as_text(
    app: Flask, make_user: Callable[..., StaffUser], probe: str
) -> None:
    world = build_world(probe)
    client = signed_in(app, make_user("manager"))
    for path, query in (
        ("/reports/download/xlsx", PERIOD),
        (f"/consultations/{world.consultation.id}/export.xlsx", {}),
    ):
        cells = xlsx_cells(client, path, **query)
        assert [v for v, kind in cells if kind == "f"] == [], path
        assert any(isinstance(v, str) and probe in v for v, _ in cells), path
