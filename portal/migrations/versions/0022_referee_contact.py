"""referees' e-mail and phone

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-06 21:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reference_check') as batch:
        batch.add_column(sa.Column('referee_email', sa.String(length=254), server_default='', nullable=False))
        batch.add_column(sa.Column('referee_phone', sa.String(length=50), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('reference_check') as batch:
        batch.drop_column('referee_phone')
        batch.drop_column('referee_email')
