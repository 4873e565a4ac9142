"""The Alembic revisions build exactly the schema the models describe, on an empty database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app.extensions import db
from tests.conftest import _create_pg_database, make_app


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A brand-new empty database of the kind this run uses."""
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith("postgres"):
        url, drop = _create_pg_database(configured)
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"


def _schema_differences() -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return [
            diff
            for diff in compare_metadata(context, db.metadata)
            # APScheduler may keep its own table; it is not ours to migrate.
            if "apscheduler_jobs" not in repr(diff)
        ]


def test_upgrade_on_empty_database_matches_models(empty_database_url: str, tmp_path: Path) -> None:
    app = make_app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"customers", "activities", "participations", "staff_time", "costs"} <= tables
        assert _schema_differences() == []
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
