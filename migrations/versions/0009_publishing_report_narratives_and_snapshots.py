"""Report narratives, overrides per financial year, report state and computed snapshots

Revision ID: 0009_publishing
Revises: 0001_initial
"""

import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "0009_publishing"
down_revision = "0006_public"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rating_overrides", schema=None) as batch_op:
        batch_op.add_column(sa.Column("financial_year", sa.Integer(), nullable=True))
    # An override set before now belongs to the financial year its period started in.
    op.execute(
        "UPDATE rating_overrides SET financial_year = CASE "
        "WHEN CAST(strftime('%m', period_from) AS INTEGER) >= 4 THEN CAST(strftime('%Y', period_from) AS INTEGER) "
        "ELSE CAST(strftime('%Y', period_from) AS INTEGER) - 1 END"
        if op.get_bind().dialect.name == "sqlite"
        else "UPDATE rating_overrides SET financial_year = CASE "
        "WHEN EXTRACT(MONTH FROM period_from) >= 4 THEN EXTRACT(YEAR FROM period_from) "
        "ELSE EXTRACT(YEAR FROM period_from) - 1 END"
    )
    with op.batch_alter_table("rating_overrides", schema=None) as batch_op:
        batch_op.alter_column("financial_year", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index("ix_rating_overrides_year", ["financial_year", "activity_id"], unique=False)

    op.create_table(
        "report_narratives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("qualifiers", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_email", sa.String(length=254), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff_users.id"], name=op.f("fk_report_narratives_author_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_narratives")),
        sa.UniqueConstraint("period_from", "period_to", name=op.f("uq_report_narratives_period_from")),
    )
    op.create_table(
        "report_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_state")),
    )
    op.create_table(
        "report_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("state_version", sa.Integer(), nullable=False),
        sa.Column("settings_key", sa.String(length=200), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("computed_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_snapshots")),
        sa.UniqueConstraint(
            "period_from", "period_to", "as_of", "state_version", "settings_key",
            name=op.f("uq_report_snapshots_period_from"),
        ),
    )
    with op.batch_alter_table("report_snapshots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_snapshots_state_version"), ["state_version"], unique=False)


def downgrade():
    with op.batch_alter_table("report_snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_snapshots_state_version"))
    op.drop_table("report_snapshots")
    op.drop_table("report_state")
    op.drop_table("report_narratives")
    with op.batch_alter_table("rating_overrides", schema=None) as batch_op:
        batch_op.drop_index("ix_rating_overrides_year")
        batch_op.drop_column("financial_year")
