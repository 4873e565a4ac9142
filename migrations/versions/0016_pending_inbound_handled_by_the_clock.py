"""pending inbound: the webhook stores a text, the clock handles it (handled_at, opt_out_type)

Revision ID: 0016_pending
Revises: 0011_limiter
"""

import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "0016_pending"
down_revision = "0011_limiter"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("inbound_messages") as batch:
        batch.add_column(sa.Column("handled_at", app.models.base.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("opt_out_type", sa.String(length=20), nullable=False, server_default=""))
    # Every text stored before this revision was handled when it arrived.
    op.execute("UPDATE inbound_messages SET handled_at = received_at")
    op.create_index(
        "ix_inbound_messages_pending",
        "inbound_messages",
        ["id"],
        sqlite_where=sa.text("handled_at IS NULL"),
        postgresql_where=sa.text("handled_at IS NULL"),
    )


def downgrade():
    op.drop_index("ix_inbound_messages_pending", table_name="inbound_messages")
    with op.batch_alter_table("inbound_messages") as batch:
        batch.drop_column("opt_out_type")
        batch.drop_column("handled_at")
