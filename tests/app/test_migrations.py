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


def test_vocabulary_upgrade_ships_the_lists_and_tidies_the_register(
    empty_database_url: str, tmp_path: Path
) -> None:
    from sqlalchemy import text

    from app.vocabulary.defaults import DEFAULTS
    from app.vocabulary.lists import load_all

    app = make_app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade(revision="0010_security")
        db.session.execute(
            text(
                "INSERT INTO customers (ref, first_name, last_name, tenure, ethnicity, gender, sms_consent,"
                " email_consent, involvement_register, created_at, updated_at) VALUES"
                " ('A1', '', '', 'general needs', 'white british', 'Female', false, false, false, :t, :t),"
                " ('A2', '', '', 'Council  flat', 'Asian British', 'Robot', false, false, false, :t, :t)"
            ),
            {"t": "2011-01-01 00:00:00"},
        )
        db.session.commit()
        upgrade()
        rows = db.session.execute(
            text("SELECT ref, tenure, ethnicity, gender FROM customers ORDER BY ref")
        ).all()
        assert [tuple(r) for r in rows] == [
            ("A1", "General needs", "White", "Female"),
            ("A2", "Council flat", "Asian or Asian British", "Robot"),
        ]
        lists = load_all()
        assert all(lists[name].stored for name in DEFAULTS)
        # Shipped values in order, then whatever else the register held, so staff can map it.
        assert lists["tenure"].values == (*(v for v, _ in DEFAULTS["tenure"]), "Council flat")
        assert lists["gender"].values[-1] == "Robot"
        for name in ("age_band", "ethnicity", "disability", "language"):
            assert lists[name].values == tuple(v for v, _ in DEFAULTS[name])
            assert lists[name].synonyms == {v: s for v, s in DEFAULTS[name] if s}
        db.session.remove()
        downgrade(revision="base")
        db.engine.dispose()
