"""``flask demo load``: fill an empty database with the demo."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from app.demo import has_customers, load_demo
from app.extensions import db
from app.models import utcnow

demo_cli = AppGroup("demo", help="Demo data for trying Involve out.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the register already has customers.")
def load_command(if_empty: bool) -> None:
    """Load the demo register, activities, ledgers, budgets, outcomes and actions."""
    if has_customers():
        if if_empty:
            click.echo("The database already has customers; demo data not loaded.")
            return
        raise click.ClickException(
            "the register already has customers; demo data only goes into an empty database"
        )
    started = time.perf_counter()
    try:
        summary = load_demo(now=utcnow())
    except ValueError as exc:  # e.g. a DEMO_PASSWORD shorter than 8 characters
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(
        f"Loaded {summary.customers:,} customers, {summary.activities} activities and "
        f"{summary.participation_rows:,} participation rows in {time.perf_counter() - started:.1f}s."
    )
    if summary.admin_password:
        click.echo(f"Sign in as {summary.admin_email} with password {summary.admin_password}")
    else:
        click.echo(f"Sign in as {summary.admin_email} with its existing password.")
