"""send rate limits: the next free send slot per channel, shared by dispatchers on PostgreSQL

Revision ID: 0011_limiter
Revises: 0010_security
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_limiter"
down_revision = "0015_imports"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "send_rate_limits",
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("next_slot_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_send_rate_limits")),
    )


def downgrade():
    op.drop_table("send_rate_limits")
