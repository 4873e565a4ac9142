"""Survey routing (ask_if), imported responses' source keys and TSM results records

Revision ID: 0008_tsm
Revises: 0001_initial
Create Date: 2026-12-01 21:50:00

"""
from alembic import op
import sqlalchemy as sa
import app.models.base


# revision identifiers, used by Alembic.
revision = '0008_tsm'
down_revision = '0007_selfservice'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ask_if', sa.JSON(), nullable=True))

    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_key', sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_survey_responses_source_key'), ['source_key'])

    op.create_table('tsm_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=True),
    sa.Column('period_to', sa.Date(), nullable=True),
    sa.Column('weighted', sa.Boolean(), nullable=False),
    sa.Column('methodology', sa.JSON(), nullable=False),
    sa.Column('published', sa.JSON(), nullable=True),
    sa.Column('published_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_tsm_reports_consultation_id_consultations')),
    sa.ForeignKeyConstraint(['published_by_id'], ['staff_users.id'], name=op.f('fk_tsm_reports_published_by_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tsm_reports')),
    sa.UniqueConstraint('consultation_id', name=op.f('uq_tsm_reports_consultation_id'))
    )


def downgrade():
    op.drop_table('tsm_reports')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_survey_responses_source_key'), type_='unique')
        batch_op.drop_column('source_key')

    with op.batch_alter_table('survey_questions', schema=None) as batch_op:
        batch_op.drop_column('ask_if')
