"""the adaptive test's state stored on the attempt

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 04:30:00

An answer continues the adaptive test from ``attempt.cat_state`` instead of replaying
every earlier answer. Attempts in progress when this runs have no state yet; their next
answer replays them once and stores it (``portal.services.journey``).
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cat_state', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('cat_answers', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('cat_answers')
        batch_op.drop_column('cat_state')
