"""The ``flask report`` command: the impact report for a period in any format."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app

from app.extensions import db
from app.models.audit import CommandLineActor, record
from app.models.base import utcnow
from reporting import exports
from reporting.metrics import ReportSettings, build_report


def _date(_ctx: click.Context, _param: click.Parameter, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"write the date as YYYY-MM-DD, not {value!r}") from None


@click.command("report")
@click.option("--from", "date_from", required=True, callback=_date, help="First day, YYYY-MM-DD.")
@click.option("--to", "date_to", required=True, callback=_date, help="Last day, YYYY-MM-DD.")
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), default="json", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
def report_command(date_from: date, date_to: date, fmt: str, output: Path | None) -> None:
    """Produce the customer-involvement impact report for the period [--from, --to].

    csv to stdout is the activities table; csv with --output is a zip of one CSV per section.
    """
    if date_from > date_to:
        raise click.UsageError("--from must not be after --to")
    if output is None and fmt in exports.BINARY_FORMATS:
        raise click.UsageError(f"--format {fmt} is binary: give --output FILE")
    report = build_report(
        date_from, date_to, now=utcnow(), settings=ReportSettings.from_config(current_app.config)
    )
    if fmt == "csv" and output is None:
        # To stdout, csv is the activities table (one row per activity); with --output, the zip of every section.
        from reporting.exports.csv_export import activities_csv

        rendered = exports.Rendered(activities_csv(report).encode("utf-8"), "text/csv", "csv")
    else:
        rendered = exports.render(report, fmt)
    record(
        "report.export",
        actor=CommandLineActor(),
        target_type="report",
        detail={"format": fmt, "from": date_from.isoformat(), "to": date_to.isoformat()},
    )
    db.session.commit()
    if output is None:
        click.echo(rendered.content.decode("utf-8-sig"), nl=False)
        return
    output.write_bytes(rendered.content)
    click.echo(f"Wrote {output} ({len(rendered.content):,} bytes)", err=True)
