"""scheduler runs: each sweeper's last run, for the clock's health on the home page

Revision ID: 0003_inbound
Revises: 0001_initial
Create Date: 2026-12-01 21:45:00

"""

import sqlalchemy as sa
from alembic import op

import app.models.base

# revision identifiers, used by Alembic.
revision = "0003_inbound"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scheduler_runs",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("last_started_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_ok_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_done", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("process", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_runs")),
    )


def downgrade():
    op.drop_table("scheduler_runs")
