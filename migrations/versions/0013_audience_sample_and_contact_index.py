"""consultations: the random sample drawn at launch; invitations indexed by customer and send time

Revision ID: 0013_audience
Revises: 0010_security
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_audience"
down_revision = "0010_security"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sample_record", sa.JSON(none_as_null=True), nullable=True))
    with op.batch_alter_table("survey_invitations", schema=None) as batch_op:
        batch_op.create_index("ix_survey_invitations_customer_sent", ["customer_id", "last_sent_at"], unique=False)


def downgrade():
    with op.batch_alter_table("survey_invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_invitations_customer_sent")
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_column("sample_record")
