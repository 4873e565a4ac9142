"""The `flask consultations` commands: import, launch, close and export."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.imports.result import ImportRejected
from app.models.audit import CommandLineActor, record
from app.models.base import utcnow
from consultations.surveys import services
from consultations.surveys.closing import close
from consultations.surveys.definitions import (
    DefinitionError,
    export_definition,
    parse_when,
)
from consultations.surveys.exports import to_csv, to_xlsx
from consultations.surveys.launch import SurveyError, launch, schedule
from consultations.surveys.models import Consultation
from consultations.surveys.response_import import load_responses

consultations_cli = AppGroup("consultations", help="Import, launch, close and export consultations.")


def write_output(data: str | bytes, output: Path | None) -> None:
    """Write an export to ``output``, or to stdout (text as text, a workbook as bytes)."""
    if output:
        output.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        click.echo(f"wrote {output}", err=True)
    elif isinstance(data, str):
        click.echo(data, nl=False)
    else:
        stream = click.get_binary_stream("stdout")
        stream.write(data)
        stream.flush()


def get_consultation(slug: str) -> Consultation:
    """Return the consultation with this slug, or stop the command naming it."""
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise click.ClickException(f"no consultation with slug {slug!r}")
    return consultation


_get = get_consultation


@consultations_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Create or update a consultation from its JSON definition; print its slug."""
    try:
        data = json.loads(file.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{file} is not valid JSON: {exc}") from exc
    try:
        consultation, _created = services.import_data(data, actor=CommandLineActor(), now=utcnow())
    except SurveyError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    except DefinitionError as exc:
        db.session.rollback()
        raise click.ClickException("the definition has problems:\n  " + "\n  ".join(exc.errors)) from exc
    db.session.commit()
    click.echo(consultation.slug)


@consultations_cli.command("launch")
@click.argument("slug")
@click.option("--at", "at", default=None, help="ISO date and time to launch (Europe/London when naive).")
def launch_command(slug: str, at: str | None) -> None:
    """Launch a consultation now, or schedule it."""
    consultation = _get(slug)
    now = utcnow()
    try:
        if at:
            errors: list[str] = []
            when: datetime | None = parse_when(at, "--at", errors)
            if errors or when is None:
                raise click.ClickException(errors[0] if errors else "--at needs a date and time")
            result = schedule(consultation, when, now=now, actor=CommandLineActor())
            if result is None:
                db.session.commit()
                click.echo(f"{slug} scheduled for {at}")
                return
        else:
            result = launch(consultation, now=now, actor=CommandLineActor())
    except SurveyError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    if not result.launched:
        click.echo(f"{slug} was already {consultation.status}; nothing sent")
        return
    channels = ", ".join(f"{n} by {c}" for c, n in result.by_channel.items())
    skipped = ", ".join(f"{n} {r.replace('_', ' ')}" for r, n in result.skipped.items() if n) or "none"
    click.echo(f"{slug} launched: {result.invited} invited ({channels}); skipped: {skipped}")


@consultations_cli.command("close")
@click.argument("slug")
def close_command(slug: str) -> None:
    """Close a consultation; open conversations end politely."""
    consultation = _get(slug)
    closed = close(consultation, now=utcnow(), actor=CommandLineActor())
    db.session.commit()
    click.echo(
        f"{slug} closed" if closed else f"{slug} was not open ({consultation.status}); nothing changed"
    )


@consultations_cli.command("export")
@click.argument("slug")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_command(slug: str, fmt: str, output: Path | None) -> None:
    """Write the definition (json) or the responses (csv, xlsx)."""
    consultation = _get(slug)
    if fmt == "json":
        data: bytes | str = json.dumps(export_definition(consultation), indent=2, ensure_ascii=False) + "\n"
    elif fmt == "csv":
        data = to_csv(consultation)
    else:
        data = to_xlsx(consultation)
    record(
        "consultation.export",
        actor=CommandLineActor(),
        target_type="consultation",
        target_id=consultation.id,
        detail={"slug": consultation.slug, "format": fmt},
    )
    db.session.commit()
    write_output(data, output)


@consultations_cli.command("import-responses")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_responses_command(slug: str, file: Path) -> None:
    """Load responses collected elsewhere from CSV or XLSX; all or nothing."""
    consultation = _get(slug)
    try:
        loaded = load_responses(
            consultation, file.name, file.read_bytes(), now=utcnow(), actor=CommandLineActor()
        )
    except ImportRejected as exc:
        db.session.rollback()
        raise click.ClickException("not imported:\n  " + "\n  ".join(exc.lines())) from exc
    db.session.commit()
    channels = ", ".join(f"{n} by {c}" for c, n in loaded.by_channel.items())
    click.echo(f"{slug}: {loaded.responses} responses imported ({channels})")


def init_app(app: Flask) -> None:
    """Register the consultations command group."""
    app.cli.add_command(consultations_cli)
