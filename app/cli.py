"""Core command-line commands: staff users, imports and demo data."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from app.auth.services import UserError, create_user
from app.extensions import db

users_cli = AppGroup("users", help="Manage staff logins.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "manager", "staff"]), default="staff", show_default=True)
@click.option("--name", default="", help="The person's name, shown in the audit log.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create a staff login."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, role, password, name=name)
    except UserError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}")


def init_app(app: Flask) -> None:
    """Register the core commands."""
    app.cli.add_command(users_cli)
    from app.imports.cli import import_command

    app.cli.add_command(import_command)
    from app.demo.cli import demo_cli

    app.cli.add_command(demo_cli)
