"""The `flask tsm` commands: the sample-size calculator, the survey template, a sample and the results."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from app.extensions import db
from app.models.audit import CommandLineActor, record
from app.models.base import utcnow
from app.periods import local_date
from consultations.surveys.cli import get_consultation, write_output
from consultations.tsm.methodology import report_for, summary
from consultations.tsm.results import WEIGHT_FIELDS, compute
from consultations.tsm.sampling import sample_size
from consultations.tsm.template import landlord_name, tsm_definition

tsm_cli = AppGroup("tsm", help="Tenant Satisfaction Measures: sample sizes, the survey template and results.")


def _day(value: str, name: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise click.BadParameter(f"{value!r} is not a date like 2026-03-31 or 31/03/2026", param_hint=name)


@tsm_cli.command("sample-size")
@click.option("--population", type=click.IntRange(min=1), required=True, help="Relevant homes (tenants).")
@click.option("--margin", type=click.FloatRange(min=0.001, max=0.5), default=None, help="e.g. 0.04 for ±4%.")
@click.option("--responses", type=click.IntRange(min=0), default=None, help="Responses achieved so far.")
def sample_size_command(population: int, margin: float | None, responses: int | None) -> None:
    """Print the required margin, the minimum responses and, with --responses, the achieved margin (JSON)."""
    if responses is not None and responses > population:
        raise click.BadParameter("cannot exceed --population", param_hint="--responses")
    click.echo(json.dumps(sample_size(population, margin, responses).to_json()))


@tsm_cli.command("template")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--slug", default=None, help="Slug of the consultation (default tsm-YYYY-YY).")
def template_command(output: Path, slug: str | None) -> None:
    """Write the tenant perception survey as a consultation definition (JSON)."""
    definition = tsm_definition(landlord=landlord_name(), today=local_date(utcnow()), slug=slug)
    output.write_text(json.dumps(definition, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    click.echo(f"wrote {output}", err=True)


@tsm_cli.command("results")
@click.argument("slug")
@click.option("--from", "start", required=True, help="First day of the period (YYYY-MM-DD).")
@click.option("--to", "end", required=True, help="Last day of the period (YYYY-MM-DD).")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True
)
@click.option(
    "--weight-by", default="", help=f"Weight to the register by some of: {', '.join(WEIGHT_FIELDS)}."
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def results_command(slug: str, start: str, end: str, fmt: str, weight_by: str, output: Path | None) -> None:
    """Print the TP01–TP12 results for the period: base, satisfied and percent per population."""
    from consultations.tsm.exports import to_csv, to_xlsx

    consultation = get_consultation(slug)
    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        raise click.BadParameter("must not be before --from", param_hint="--to")
    by = tuple(f.strip() for f in weight_by.split(",") if f.strip())
    if any(f not in WEIGHT_FIELDS for f in by):
        raise click.BadParameter(f"choose from {', '.join(WEIGHT_FIELDS)}", param_hint="--weight-by")
    results = compute(consultation, first, last, weight_by=by)
    results["methodology"] = summary(consultation, report_for(consultation), results)
    record(
        "tsm.results",
        actor=CommandLineActor(),
        target_type="consultation",
        target_id=consultation.id,
        detail={"slug": slug, "from": start, "to": end, "format": fmt},
    )
    db.session.commit()
    data: str | bytes
    if fmt == "json":
        data = json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    elif fmt == "csv":
        data = to_csv(results)
    else:
        data = to_xlsx(results)
    write_output(data, output)


def init_app(app: Flask) -> None:
    """Register the tsm command group."""
    app.cli.add_command(tsm_cli)
