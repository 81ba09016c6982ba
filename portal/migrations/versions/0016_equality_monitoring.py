"""equality monitoring: a candidate's voluntary answers, in a table of their own

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 18:00:00
"""
from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'equality_response',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('candidate_id', sa.Integer(), nullable=False),
        sa.Column('gender', sa.String(length=16), nullable=True),
        sa.Column('age_band', sa.String(length=8), nullable=True),
        sa.Column('first_language', sa.String(length=8), nullable=True),
        sa.Column('answered_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_equality_response_candidate_id_candidate')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_equality_response')),
        sa.UniqueConstraint('candidate_id', name=op.f('uq_equality_response_candidate_id')),
    )


def downgrade() -> None:
    op.drop_table('equality_response')
