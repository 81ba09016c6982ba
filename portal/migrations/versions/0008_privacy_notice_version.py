"""privacy notice: the version a candidate accepted

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 02:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_notice_version', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_column('privacy_notice_version')
