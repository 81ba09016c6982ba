"""norm gates and local norms: person key of a candidate, role family of an assignment,
duplicate mark on an erased candidate's attempts

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 19:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_key', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_candidate_person_key'), ['person_key'], unique=False)
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role_family', sa.String(length=40), nullable=False, server_default=''))
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('norm_duplicate', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('norm_duplicate')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_column('role_family')
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidate_person_key'))
        batch_op.drop_column('person_key')
