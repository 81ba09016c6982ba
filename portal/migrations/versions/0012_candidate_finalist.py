"""finalists: when a consultant picked a candidate as a finalist; open attempts by deadline

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 06:00:00
"""
from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('finalist_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))
    op.create_index('ix_attempt_open_deadline', 'attempt', ['deadline'], unique=False,
                    sqlite_where=sa.text('finished_at IS NULL'), postgresql_where=sa.text('finished_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_attempt_open_deadline', table_name='attempt')
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_column('finalist_at')
