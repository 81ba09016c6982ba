"""referees' e-mail and phone; a candidate's reply marked as answered

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 21:20:00
"""
from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reference_check') as batch:
        batch.add_column(sa.Column('referee_email', sa.String(length=254), server_default='', nullable=False))
        batch.add_column(sa.Column('referee_phone', sa.String(length=50), server_default='', nullable=False))
    with op.batch_alter_table('candidate_comment') as batch:
        batch.add_column(sa.Column('answered_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('answered_by_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_candidate_comment_answered_by_id_user'), 'user', ['answered_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('candidate_comment') as batch:
        batch.drop_constraint(batch.f('fk_candidate_comment_answered_by_id_user'), type_='foreignkey')
        batch.drop_column('answered_by_id')
        batch.drop_column('answered_at')
    with op.batch_alter_table('reference_check') as batch:
        batch.drop_column('referee_phone')
        batch.drop_column('referee_email')
