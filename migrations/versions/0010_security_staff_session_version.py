"""staff users: a session version, bumped to end every open session

Revision ID: 0010_security
Revises: 0007_selfservice
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_security"
down_revision = "0008_tsm"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
