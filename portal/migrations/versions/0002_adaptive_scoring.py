"""adaptive scoring and validity flags

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 13:18:05.450080
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stop_reason', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('flags', sa.JSON(), nullable=True))

    with op.batch_alter_table('logic_response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rapid_guess', sa.Boolean(), nullable=True))

    with op.batch_alter_table('result', schema=None) as batch_op:
        batch_op.add_column(sa.Column('theta', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('se', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('percentile_low', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('percentile_high', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('band_level', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=True))
        batch_op.alter_column('engine_version', existing_type=sa.String(length=50),
                              type_=sa.String(length=200), existing_nullable=False)



def downgrade() -> None:
    with op.batch_alter_table('result', schema=None) as batch_op:
        batch_op.alter_column('engine_version', existing_type=sa.String(length=200),
                              type_=sa.String(length=50), existing_nullable=False)
        batch_op.drop_column('details')
        batch_op.drop_column('band_level')
        batch_op.drop_column('percentile_high')
        batch_op.drop_column('percentile_low')
        batch_op.drop_column('se')
        batch_op.drop_column('theta')

    with op.batch_alter_table('logic_response', schema=None) as batch_op:
        batch_op.drop_column('rapid_guess')

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('flags')
        batch_op.drop_column('stop_reason')

