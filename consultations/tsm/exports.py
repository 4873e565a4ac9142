"""TSM results out as CSV (formula-safe) and XLSX: measures per population, margins, weights, methodology."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from consultations.surveys.exports import formula_safe
from consultations.tsm.sampling import percent
from consultations.tsm.template import MEASURES

NAMES = {
    "TP01": "Overall satisfaction",
    "TP02": "Satisfaction with repairs",
    "TP03": "Satisfaction with time taken to complete most recent repair",
    "TP04": "Satisfaction that the home is well maintained",
    "TP05": "Satisfaction that the home is safe",
    "TP06": "Satisfaction that the landlord listens to tenant views and acts upon them",
    "TP07": "Satisfaction that the landlord keeps tenants informed about things that matter to them",
    "TP08": "Agreement that the landlord treats tenants fairly and with respect",
    "TP09": "Satisfaction with the landlord's approach to handling complaints",
    "TP10": "Satisfaction that the landlord keeps communal areas clean and well maintained",
    "TP11": "Satisfaction that the landlord makes a positive contribution to neighbourhoods",
    "TP12": "Satisfaction with the landlord's approach to handling anti-social behaviour",
}


def measure_rows(results: dict[str, Any]) -> Iterator[list[Any]]:
    """Yield the header and one row per measure and population (All, LCRA, LCHO)."""
    weighted = results["weighting"]["applied"]
    yield [
        "measure",
        "description",
        "population",
        "base",
        "satisfied",
        "percent",
        *(["weighted_percent"] if weighted else []),
        "small_base",
    ]
    groups = [("All", results["measures"])] + [(n, p["measures"]) for n, p in results["populations"].items()]
    for key in MEASURES:
        for name, measures in groups:
            m = measures[key]
            yield [
                key,
                NAMES[key],
                name,
                m.get("base"),
                m.get("satisfied"),
                m.get("percent"),
                *([m.get("weighted_percent")] if weighted else []),
                "yes" if m.get("small_base") else ("" if m.get("base") is not None else m.get("note", "")),
            ]


def margin_rows(results: dict[str, Any]) -> Iterator[list[Any]]:
    """Yield the header and one row per population: homes, responses, required and achieved margins."""
    yield ["population", "homes", "responses", "required_margin", "minimum_responses", "achieved_margin"]
    for name, p in results["populations"].items():
        yield [
            name,
            p["population"],
            p["responses"],
            percent(p["required_margin"]),
            p["minimum_responses"],
            percent(p["achieved_margin"]),
        ]


def weight_rows(results: dict[str, Any]) -> Iterator[list[Any]]:
    """Yield the weighting cells (empty when unweighted)."""
    weighting = results["weighting"]
    if not weighting["applied"]:
        return
    yield [*weighting["by"], "register", "respondents", "weight"]
    for cell in weighting["cells"]:
        yield [*(cell[f] for f in weighting["by"]), cell["register"], cell["respondents"], cell["weight"]]


def to_csv(results: dict[str, Any]) -> str:
    """Return the results, margins, weights and methodology as one CSV."""
    out = io.StringIO()
    writer = csv.writer(out)
    period = results["period"]
    writer.writerow([formula_safe(v) for v in ["Tenant perception measures", period["from"], period["to"]]])
    for section in (measure_rows(results), margin_rows(results), weight_rows(results)):
        for row in section:
            writer.writerow([formula_safe(v) for v in row])
        writer.writerow([])
    writer.writerow(["methodology", "text"])
    for line in results.get("methodology", []):
        writer.writerow([formula_safe(line["label"]), formula_safe(line["text"])])
    return out.getvalue()


def to_xlsx(results: dict[str, Any]) -> bytes:
    """Return the results as a workbook: Measures, Margins, Weighting and Methodology sheets."""
    from openpyxl import Workbook  # loaded on first use: commands start without it

    book = Workbook(write_only=True)
    for title, rows in (
        ("Measures", measure_rows(results)),
        ("Margins", margin_rows(results)),
        ("Weighting", weight_rows(results)),
    ):
        sheet = book.create_sheet(title=title)
        for row in rows:
            sheet.append([formula_safe(v) for v in row])
    sheet = book.create_sheet(title="Methodology")
    sheet.append(["item", "text"])
    for line in results.get("methodology", []):
        sheet.append([formula_safe(line["label"]), formula_safe(line["text"])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
