"""`flask import KIND FILE.csv|FILE.xlsx`: load a spreadsheet of one kind, all of it or none of it."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.imports.result import ImportRejected
from app.imports.service import KINDS, import_file
from app.models.base import utcnow

SHOW_AT_MOST = 200


def _progress(message: str) -> None:
    click.echo(message, err=True)


@click.command("import")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(kind: str, file: Path) -> None:
    """Import a .csv or .xlsx file of KIND; nothing is written if any row is wrong."""
    try:
        result = import_file(kind, file, now=utcnow(), progress=_progress)
        db.session.commit()
    except ImportRejected as rejected:
        db.session.rollback()
        for line in rejected.lines(SHOW_AT_MOST):
            click.echo(line, err=True)
        click.echo(f"{rejected.filename}: nothing imported ({rejected.total:,} problem(s) to fix).", err=True)
        raise SystemExit(1) from None
    except IntegrityError as exc:
        # Only another writer between our checks and our writes can cause this.
        db.session.rollback()
        click.echo(
            f"{file.name}: nothing imported; the data changed while importing, try again ({exc.orig})",
            err=True,
        )
        raise SystemExit(1) from None
    for note in result.notes[:SHOW_AT_MOST]:
        click.echo(f"{result.filename}: {note}")
    click.echo(result.summary())
