"""sign-in failure counters, charged atomically per account and address

Revision ID: 0012_login
Revises: 0010_security
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_login"
down_revision = "0014_vocab"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_counters",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_counters")),
    )
    with op.batch_alter_table("login_counters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_counters_expires_at"), ["expires_at"], unique=False)


def downgrade():
    with op.batch_alter_table("login_counters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_counters_expires_at"))
    op.drop_table("login_counters")
