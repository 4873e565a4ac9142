"""Flask-Migrate bound on first use, so commands other than `flask db` never load Alembic."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask, current_app, g
from flask.cli import with_appcontext


def _bind(app: Flask, db: Any, options: dict[str, Any]) -> Any:
    """Bind the real Flask-Migrate to ``app``; it replaces the stand-ins and returns its config."""
    from flask_migrate import Migrate

    Migrate(app, db, **options)
    return app.extensions["migrate"]


class _PendingConfig:
    """Stands in for app.extensions["migrate"] until a migration function reads it."""

    def __init__(self, app: Flask, db: Any, options: dict[str, Any]) -> None:
        self._args = (app, db, options)

    def __getattr__(self, name: str) -> Any:
        # Only called for attributes this object lacks: every public one belongs to the real config.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(_bind(*self._args), name)


class _DbGroup(click.Group):
    """The `flask db` group, whose subcommands load Flask-Migrate when first looked up."""

    def _real(self) -> click.Group:
        from flask_migrate.cli import db as real

        pending = current_app.extensions.get("migrate")
        if isinstance(pending, _PendingConfig):
            _bind(*pending._args)
        return real

    def list_commands(self, ctx: click.Context) -> list[str]:
        """List Flask-Migrate's subcommands."""
        return self._real().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return one of Flask-Migrate's subcommands."""
        return self._real().get_command(ctx, cmd_name)


# The same options as Flask-Migrate's own group, read by its subcommands from flask.g.
@click.group(cls=_DbGroup)
@click.option("-d", "--directory", default=None, help='Migration script directory (default is "migrations")')
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments consumed by custom env.py scripts")
@with_appcontext
def db_group(directory: str | None, x_arg: tuple[str, ...]) -> None:
    """Perform database migrations."""
    g.directory = directory
    g.x_arg = x_arg


class LazyMigrate:
    """Takes Flask-Migrate's init_app arguments and binds it when a migration is first run."""

    def init_app(self, app: Flask, db: Any, **options: Any) -> None:
        """Register the `db` commands and the migration settings without importing Alembic."""
        app.extensions["migrate"] = _PendingConfig(app, db, options)
        app.cli.add_command(db_group, "db")
