"""integrity signals: counters per attempt and the browser mark of an attempt (issue 17)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 21:00:00
"""
from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'integrity_signal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('away_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('away_seconds', sa.Integer(), server_default='0', nullable=False),
        sa.Column('hidden_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('reloads', sa.Integer(), server_default='0', nullable=False),
        sa.Column('other_device_answers', sa.Integer(), server_default='0', nullable=False),
        sa.Column('other_devices', sa.JSON(), nullable=True),
        sa.Column('beacons', sa.Integer(), server_default='0', nullable=False),
        sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], name=op.f('fk_integrity_signal_attempt_id_attempt')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_integrity_signal')),
        sa.UniqueConstraint('attempt_id', name=op.f('uq_integrity_signal_attempt_id')),
    )
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('device')
    op.drop_table('integrity_signal')
