"""verification orders: the supervised verification test of a logic result (issue 17)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 21:00:00
"""
from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    dt = portal.models.base.UTCDateTime(timezone=True)
    op.create_table(
        'verification_order',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('candidate_id', sa.Integer(), nullable=False),
        sa.Column('logic_attempt_id', sa.Integer(), nullable=False),
        sa.Column('ordered_by_id', sa.Integer(), nullable=True),
        sa.Column('ordered_at', dt, nullable=False),
        sa.Column('status', sa.Enum('open', 'finished', 'cancelled', name='verificationstatus',
                                    native_enum=False, length=32), nullable=False),
        sa.Column('cancelled_at', dt, nullable=True),
        sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
        sa.Column('theta_unsupervised', sa.Double(), nullable=False),
        sa.Column('se_unsupervised', sa.Double(), nullable=False),
        sa.Column('seen_item_ids', sa.JSON(), nullable=False),
        sa.Column('code_ref', sa.String(length=4), nullable=True),
        sa.Column('code_hash', sa.String(length=64), nullable=True),
        sa.Column('code_shown_at', dt, nullable=True),
        sa.Column('code_expires_at', dt, nullable=True),
        sa.Column('code_used_at', dt, nullable=True),
        sa.Column('code_failed_tries', sa.Integer(), nullable=False),
        sa.Column('session_nonce', sa.String(length=64), nullable=True),
        sa.Column('attempt_id', sa.Integer(), nullable=True),
        sa.Column('finished_at', dt, nullable=True),
        sa.Column('theta_verification', sa.Double(), nullable=True),
        sa.Column('se_verification', sa.Double(), nullable=True),
        sa.Column('difference', sa.Double(), nullable=True),
        sa.Column('se_difference', sa.Double(), nullable=True),
        sa.Column('z', sa.Double(), nullable=True),
        sa.Column('p_value', sa.Double(), nullable=True),
        sa.Column('alpha', sa.Double(), nullable=True),
        sa.Column('verdict', sa.String(length=32), nullable=True),
        sa.Column('verification_version', sa.String(length=300), nullable=True),
        sa.Column('engine_version', sa.String(length=300), nullable=True),
        sa.Column('bank_id', sa.String(length=100), nullable=True),
        sa.Column('bank_version', sa.String(length=50), nullable=True),
        sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'],
                                name=op.f('fk_verification_order_candidate_id_candidate')),
        sa.ForeignKeyConstraint(['logic_attempt_id'], ['attempt.id'],
                                name=op.f('fk_verification_order_logic_attempt_id_attempt')),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'],
                                name=op.f('fk_verification_order_attempt_id_attempt')),
        sa.ForeignKeyConstraint(['ordered_by_id'], ['user.id'],
                                name=op.f('fk_verification_order_ordered_by_id_user')),
        sa.ForeignKeyConstraint(['cancelled_by_id'], ['user.id'],
                                name=op.f('fk_verification_order_cancelled_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_order')),
        sa.UniqueConstraint('attempt_id', name=op.f('uq_verification_order_attempt_id')),
    )
    op.create_index(op.f('ix_verification_order_candidate_id'), 'verification_order', ['candidate_id'],
                    unique=False)
    op.create_index(op.f('ix_verification_order_code_ref'), 'verification_order', ['code_ref'], unique=False)
    op.create_index('uq_verification_order_open', 'verification_order', ['candidate_id'], unique=True,
                    sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))


def downgrade() -> None:
    op.drop_index('uq_verification_order_open', table_name='verification_order')
    op.drop_index(op.f('ix_verification_order_code_ref'), table_name='verification_order')
    op.drop_index(op.f('ix_verification_order_candidate_id'), table_name='verification_order')
    op.drop_table('verification_order')
