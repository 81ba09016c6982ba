"""erasure: when a candidate's personal data was erased

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 03:00:00
"""
from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
