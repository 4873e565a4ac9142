"""A TSM survey imported from the template, and a register of tenants to answer it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from app.extensions import db
from app.models import Area, Customer
from consultations.surveys.models import Consultation

TENURES = ("General needs", "Affordable rent", "Shared ownership", "Leaseholder")


@pytest.fixture
def app_config(twilio_config: dict[str, Any]) -> dict[str, Any]:
    return dict(twilio_config, LANDLORD_NAME="Derwent Living")


@pytest.fixture
def tsm_survey(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> Callable[..., Consultation]:
    """Write the template with `flask tsm template`, import it with `flask consultations import`."""

    def make(**changes: Any) -> Consultation:
        path = tmp_path / "tsm.json"
        out = runner.invoke(args=["tsm", "template", "--output", str(path)])
        assert out.exit_code == 0, out.output
        definition = json.loads(path.read_text(encoding="utf-8"))
        definition.update(changes)
        path.write_text(json.dumps(definition), encoding="utf-8")
        out = runner.invoke(args=["consultations", "import", str(path)])
        assert out.exit_code == 0, out.output
        return db.session.scalar(select(Consultation).where(Consultation.slug == out.output.strip()))

    return make


@pytest.fixture
def register(app: Flask) -> Callable[[int], list[Customer]]:
    """Add ``n`` tenants spread over tenures, two areas and three age bands (refs T00001…)."""

    def make(n: int) -> list[Customer]:
        areas = [Area(name="Derby", homes=500), Area(name="Belper", homes=300)]
        db.session.add_all(areas)
        db.session.flush()
        rows = [
            Customer(
                ref=f"T{i:05d}",
                first_name=f"Tenant{i}",
                last_name="Smith",
                tenure=TENURES[i % 7 % 4] if i % 7 < 4 else "General needs",
                area_id=areas[i % 2].id,
                age_band=("25-44", "45-64", "65+")[i % 3],
            )
            for i in range(1, n + 1)
        ]
        db.session.add_all(rows)
        db.session.commit()
        return rows

    return make
