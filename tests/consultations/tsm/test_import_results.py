"""A contractor's file of several hundred responses imported, and TP01–TP12 computed against our own count."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import Participation
from consultations.surveys.models import Response
from consultations.surveys.qtypes import AGREEMENT, SATISFACTION
from consultations.tsm.sampling import achieved_margin
from consultations.tsm.template import MEASURES

ROUTED = {"TP02": "repair_12m", "TP03": "repair_12m", "TP09": "complaint_12m", "TP10": "communal"}
LCHO = "Shared ownership"
LCRA = ("General needs", "Affordable rent")


def _row(rng: random.Random, ref: str, day: date) -> dict[str, str]:
    row = {"customer_ref": ref, "channel": rng.choice(["phone", "Post", "door-step", "online"]), "date": ""}
    row["date"] = day.isoformat() if rng.random() < 0.5 else day.strftime("%d/%m/%Y")
    row["repair_12m"] = rng.choice(["Yes", "no", "YES"])
    row["complaint_12m"] = rng.choice(["Yes", "No", "No"])
    row["communal"] = rng.choice(["Yes", "No", "Don't know"])
    for key in MEASURES:
        parent = ROUTED.get(key)
        if parent and row[parent].lower() != "yes":
            row[key] = ""  # routed past: not asked
            continue
        scale = AGREEMENT if key == "TP08" else SATISFACTION
        extras = {"TP05": ["Don’t know"], "TP06": ["don't know"], "TP12": ["Not applicable"]}.get(key, [])
        pick = rng.choice([*scale, *extras, ""]) if key != "TP01" else rng.choice(scale)
        row[key] = pick.upper() if rng.random() < 0.1 else pick
    return row


def _expected(rows: list[dict[str, str]], tenure_of: dict[str, str]) -> dict[str, dict[str, dict[str, Any]]]:
    """Count the measures ourselves: the latest row per customer, base without blanks and don't knows."""
    latest: dict[str, dict[str, str]] = {}
    for row in rows:
        day = row["date"] if "-" in row["date"] else "-".join(reversed(row["date"].split("/")))
        if row["customer_ref"] not in latest or day > latest[row["customer_ref"]]["_day"]:
            latest[row["customer_ref"]] = dict(row, _day=day)
    out: dict[str, dict[str, dict[str, Any]]] = {"All": {}, "LCRA": {}, "LCHO": {}}
    for group in out:
        for key in MEASURES:
            base = satisfied = 0
            for ref, row in latest.items():
                tenure = tenure_of[ref]
                if tenure == "Leaseholder" or (group == "LCRA" and tenure not in LCRA):
                    continue
                if group == "LCHO" and tenure != LCHO:
                    continue
                answer = row[key].replace("’", "'").casefold()
                if not answer or answer in ("don't know", "not applicable"):
                    continue
                base += 1
                good = (
                    ("strongly agree", "agree") if key == "TP08" else ("very satisfied", "fairly satisfied")
                )
                satisfied += answer in good
            out[group][key] = {"base": base, "satisfied": satisfied}
    return out


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    columns = ["customer_ref", "channel", "date", "repair_12m", "complaint_12m", "communal", *MEASURES]
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def test_contractor_file_imports_and_results_match_our_count(
    app: Flask, runner: FlaskCliRunner, tsm_survey, register, tmp_path: Path
) -> None:
    consultation = tsm_survey()
    tenants = register(700)
    tenure_of = {c.ref: c.tenure for c in tenants}
    rng = random.Random(2026)
    start = date(2026, 4, 1)
    rows = [_row(rng, c.ref, start + timedelta(days=rng.randrange(0, 200))) for c in rng.sample(tenants, 600)]
    # Thirty tenants answered twice: only their later response counts.
    for first in rows[:30]:
        day = date.fromisoformat(first["date"]) if "-" in first["date"] else None
        day = day or date(*map(int, reversed(first["date"].split("/"))))
        rows.append(_row(rng, first["customer_ref"], day + timedelta(days=30)))
    path = tmp_path / "contractor.csv"
    _write_csv(path, rows)

    out = runner.invoke(args=["consultations", "import-responses", consultation.slug, str(path)])
    assert out.exit_code == 0, out.output
    assert f"{len(rows)} responses imported" in out.output
    assert db.session.scalar(select(func.count()).select_from(Response)) == 630
    # Each response counts like one completed in Involve: one participation row on its date.
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 630
    again = runner.invoke(args=["consultations", "import-responses", consultation.slug, str(path)])
    assert again.exit_code != 0 and "imported already" in again.output

    out = runner.invoke(
        args=[
            "tsm",
            "results",
            consultation.slug,
            "--from",
            "2026-04-01",
            "--to",
            "2027-03-31",
            "--format",
            "json",
        ]
    )
    assert out.exit_code == 0, out.output
    results = json.loads(out.output)
    expected = _expected(rows, tenure_of)
    for key in MEASURES:
        got = results["measures"][key]
        assert (got["base"], got["satisfied"]) == (
            expected["All"][key]["base"],
            expected["All"][key]["satisfied"],
        ), key
        assert got["percent"] == round(100 * got["satisfied"] / got["base"] + 1e-9, 1)
        lcra = results["populations"]["LCRA"]["measures"][key]
        assert (lcra["base"], lcra["satisfied"]) == tuple(expected["LCRA"][key].values()), key
    lcho = results["populations"]["LCHO"]["measures"]
    assert lcho["TP02"]["base"] is None and lcho["TP01"]["base"] == expected["LCHO"]["TP01"]["base"]
    lcra_pop = results["populations"]["LCRA"]
    assert lcra_pop["population"] == sum(1 for t in tenure_of.values() if t in LCRA)
    assert lcra_pop["achieved_margin"] == round(
        achieved_margin(lcra_pop["population"], lcra_pop["responses"]), 4
    )
    assert results["excluded"]["outside_tsm_tenures"] == sum(
        1 for ref in {r["customer_ref"] for r in rows} if tenure_of[ref] == "Leaseholder"
    )
    # The routed-past TP02 reads "not asked" in the response export, never blank.
    exported = runner.invoke(args=["consultations", "export", consultation.slug, "--format", "csv"])
    export_rows = list(csv.DictReader(io.StringIO(exported.output)))
    no_repair = [r for r in export_rows if r["repair_12m"] == "No"]
    assert no_repair and all(r["TP02"] == "(not asked)" for r in no_repair)

    weighted = runner.invoke(
        args=["tsm", "results", consultation.slug, "--from", "2026-04-01", "--to", "2027-03-31",
              "--weight-by", "tenure,area,age_band"]
    )  # fmt: skip
    data = json.loads(weighted.output)
    assert data["weighting"]["applied"] and data["measures"]["TP01"]["weighted_percent"] is not None
    assert data["measures"]["TP01"]["percent"] == results["measures"]["TP01"]["percent"]
    assert "share of the register" in data["weighting"]["explanation"]
    xlsx = runner.invoke(
        args=["tsm", "results", consultation.slug, "--from", "2026-04-01", "--to", "2027-03-31",
              "--format", "xlsx", "--output", str(tmp_path / "r.xlsx")]
    )  # fmt: skip
    assert xlsx.exit_code == 0, xlsx.output
    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["Measures", "Margins", "Weighting", "Methodology"]
    tp01 = next(r for r in book["Measures"].iter_rows(values_only=True) if r[0] == "TP01" and r[2] == "All")
    assert tp01[3] == expected["All"]["TP01"]["base"]
    methodology = [r[0] for r in book["Methodology"].iter_rows(values_only=True)]
    assert "Achieved sample size" in methodology and "Incentives offered" in methodology


def test_a_bad_file_is_refused_whole_with_its_rows_named(
    app: Flask, runner: FlaskCliRunner, tsm_survey, register, tmp_path: Path
) -> None:
    consultation = tsm_survey()
    register(20)
    rng = random.Random(1)
    rows = [_row(rng, f"T{i:05d}", date(2026, 5, i)) for i in range(1, 11)]
    rows[3]["TP01"] = "Quite happy"
    rows[6]["repair_12m"], rows[6]["TP02"] = "No", "Very satisfied"
    rows[8]["customer_ref"] = "NOBODY"
    rows[9]["date"] = "31/02/2026"
    path = tmp_path / "bad.csv"
    _write_csv(path, rows)
    out = runner.invoke(args=["consultations", "import-responses", consultation.slug, str(path)])
    assert out.exit_code != 0
    assert 'bad.csv row 5, TP01: "Quite happy" is not an answer to TP01' in out.output
    assert (
        "bad.csv row 8, TP02: has an answer, but the answer to repair_12m means TP02 is not asked"
        in out.output
    )
    assert 'bad.csv row 10, customer_ref: no customer with reference "NOBODY"' in out.output
    assert 'bad.csv row 11, date: "31/02/2026" is not a date' in out.output
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 0


def test_xlsx_file_with_excel_dates_and_the_staff_page(
    app: Flask, staff_client, tsm_survey, register, tmp_path: Path
) -> None:
    consultation = tsm_survey()
    register(5)
    book = Workbook()
    sheet = book.active
    sheet.append(["customer_ref", "channel", "date", "TP01", "repair_12m", "TP02"])
    sheet.append(["t00001", "phone", date(2026, 6, 1), "very satisfied", "Yes", "Fairly Satisfied"])
    sheet.append(["T00002", "post", "02/06/2026", "Very dissatisfied", "No", None])
    data = io.BytesIO()
    book.save(data)
    page = staff_client.get(f"/consultations/{consultation.id}/import-responses")
    assert "customer_ref,channel,date,TP01,repair_12m" in page.get_data(as_text=True)
    posted = staff_client.post(
        f"/consultations/{consultation.id}/import-responses",
        data={"file": (io.BytesIO(data.getvalue()), "contractor.xlsx")},
        content_type="multipart/form-data",
    )
    assert posted.status_code in (302, 303), posted.get_data(as_text=True)
    responses = db.session.scalars(select(Response).order_by(Response.id)).all()
    assert [r.channel for r in responses] == ["phone", "post"]
    # Columns left out of the file are blank: skipped, as on a paper form.
    assert all(
        a.skipped for a in responses[0].answers if a.question.key not in ("TP01", "repair_12m", "TP02")
    )
    assert {a.question.key: a.value for a in responses[0].answers if not a.skipped} == {
        "TP01": "Very satisfied", "repair_12m": "Yes", "TP02": "Fairly satisfied",
    }  # fmt: skip
    days = sorted(str(d) for d in db.session.scalars(select(Participation.date)))
    assert days == ["2026-06-01", "2026-06-02"]
    bad = staff_client.post(
        f"/consultations/{consultation.id}/import-responses",
        data={
            "file": (
                io.BytesIO(b"customer_ref,channel,date,TP01\nT00003,fax,2026-06-01,Very satisfied\n"),
                "x.csv",
            )
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert "x.csv row 2, channel: &#34;fax&#34; is not a channel" in bad.get_data(as_text=True)
