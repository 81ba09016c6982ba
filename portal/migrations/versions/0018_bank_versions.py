"""bank versions: immutable logic bank documents, activation history, pretest items

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 19:00:00
"""
from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'bank_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('bank_id', sa.String(length=100), nullable=False),
        sa.Column('version', sa.String(length=50), nullable=False),
        sa.Column('parent_version', sa.String(length=50), nullable=True),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('document', sa.Text(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('exposure', sa.JSON(), nullable=True),
        sa.Column('diff', sa.JSON(), nullable=True),
        sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_bank_version_created_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_version')),
        sa.UniqueConstraint('bank_id', 'version', name=op.f('uq_bank_version_bank_id_version')),
    )
    op.create_table(
        'bank_activation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('bank_id', sa.String(length=100), nullable=False),
        sa.Column('version', sa.String(length=50), nullable=False),
        sa.Column('activated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('activated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['activated_by_id'], ['user.id'],
                                name=op.f('fk_bank_activation_activated_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_activation')),
    )
    op.create_index(op.f('ix_bank_activation_bank_id'), 'bank_activation', ['bank_id'], unique=False)
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pretest_plan', sa.JSON(), nullable=True))
    with op.batch_alter_table('logic_response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pretest', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('logic_response', schema=None) as batch_op:
        batch_op.drop_column('pretest')
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('pretest_plan')
    op.drop_index(op.f('ix_bank_activation_bank_id'), table_name='bank_activation')
    op.drop_table('bank_activation')
    op.drop_table('bank_version')
