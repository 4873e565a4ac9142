"""customers: phone type, postcode and preferred language

Revision ID: 0007_selfservice
Revises: 0001_initial
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_selfservice"
down_revision = "0009_publishing"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_type", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=40), nullable=True))
    # Numbers already stored get their type, so no landline is texted after the upgrade.
    from app.contact import phone_type

    bind = op.get_bind()
    customers = sa.table("customers", sa.column("id", sa.Integer), sa.column("phone", sa.String), sa.column("phone_type", sa.String))
    rows = bind.execute(sa.select(customers.c.id, customers.c.phone).where(customers.c.phone.is_not(None))).all()
    for customer_id, phone in rows:
        bind.execute(customers.update().where(customers.c.id == customer_id).values(phone_type=phone_type(phone)))


def downgrade():
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("language")
        batch_op.drop_column("phone_type")
