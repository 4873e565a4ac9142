"""A stored report's download is drawn once; new figures are drawn afresh."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from flask import current_app
from flask.testing import FlaskClient

from app import ledger as ledger_service
from app.extensions import db
from tests.reporting.conftest import FROM, NOW, TO, Ledger

PERIOD = {"from": FROM.isoformat(), "to": TO.isoformat()}


def test_the_same_figures_are_rendered_once_and_new_figures_again(
    manager_client: FlaskClient, ledger: Ledger
) -> None:
    first = manager_client.get("/reports/download/xlsx", query_string=PERIOD)
    renders = current_app.extensions["report_renders"]
    assert first.status_code == 200 and len(renders) == 1
    (kept,) = renders.values()
    again = manager_client.get("/reports/download/xlsx", query_string=PERIOD)
    assert again.data == first.data == kept.content and len(renders) == 1
    ledger_service.log_participation(
        ledger.activities["Text survey"], refs=[], headcount=7, day=date(2011, 8, 1), channel="post",
        hours_each=Decimal("0.5"), actor=SimpleNamespace(id=None, email="staff@example.org"), now=NOW,
    )  # fmt: skip
    db.session.commit()
    changed = manager_client.get("/reports/download/xlsx", query_string=PERIOD)
    assert changed.status_code == 200 and changed.data != first.data
    assert len(renders) == 2
