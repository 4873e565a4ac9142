"""`flask privacy erase REF`, `flask privacy export REF` and `flask privacy purge`."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from app.models.audit import CommandLineActor, record
from app.models.base import utcnow
from app.privacy.access import subject_access
from app.privacy.retention import RetentionError, purge_expired, retention_days
from app.privacy.services import PrivacyError, erase_customer, find_customer

privacy_cli = AppGroup("privacy", help="Erase a customer, export their data, purge old messages.")


@privacy_cli.command("erase")
@click.argument("ref")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(ref: str, yes: bool) -> None:
    """Erase the personal data of the customer with reference REF."""
    try:
        customer = find_customer(ref)
        if not yes:
            click.confirm(f"Erase the personal data of {customer.ref}? This cannot be undone", abort=True)
        changed = erase_customer(customer, actor=CommandLineActor(), now=utcnow())
    except PrivacyError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    elsewhere = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in changed.items() if count)
    click.echo(f"Erased {customer.ref}" + (f" (also blanked {elsewhere})." if elsewhere else "."))


@privacy_cli.command("export")
@click.argument("ref")
def export_command(ref: str) -> None:
    """Print everything held about the customer with reference REF, as JSON."""
    now = utcnow()
    try:
        customer = find_customer(ref)
    except PrivacyError as exc:
        raise click.ClickException(str(exc)) from exc
    data = subject_access(customer, now)
    record(
        "customer.export", target_type="customer", target_id=customer.id, detail={"via": "command"}, now=now
    )
    db.session.commit()
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@privacy_cli.command("purge")
@click.option("--days", type=int, default=None, help="Keep this many days (default RETENTION_DAYS).")
def purge_command(days: int | None) -> None:
    """Blank message bodies and free-text answers older than the retention period."""
    now = utcnow()
    try:
        keep = retention_days({"RETENTION_DAYS": days} if days is not None else current_app.config)
    except RetentionError as exc:
        raise click.ClickException(str(exc)) from exc
    done = purge_expired(now, keep)
    record("privacy.purge", detail={"days": keep, **done}, now=now)
    db.session.commit()
    parts = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in done.items())
    click.echo(f"Purged personal text older than {keep} days: {parts}.")
