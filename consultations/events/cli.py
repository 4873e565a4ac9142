"""Event commands: import a definition."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from app.extensions import db
from app.models.base import utcnow
from consultations.events.definitions import DefinitionError, save_definition

events_cli = AppGroup("events", help="Manage events and bookings.")


@events_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Create or update an event from its JSON definition; print its slug."""
    try:
        data = json.loads(file.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{file} is not valid JSON: {exc}") from exc
    try:
        event, _created = save_definition(data, now=utcnow())
    except DefinitionError as exc:
        db.session.rollback()
        raise click.ClickException(f"{file} has mistakes:\n  " + "\n  ".join(exc.errors)) from exc
    db.session.commit()
    click.echo(event.slug)
