"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 12:27:40.689012
"""
from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('client',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client'))
    )
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('role', sa.Enum('admin', 'consultant', name='role', native_enum=False, length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('email', name=op.f('uq_user_email'))
    )
    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('norm_group', sa.String(length=50), nullable=False),
    sa.Column('logic_time_limit_minutes', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='assignmentstatus', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_assignment_client_id_client')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment'))
    )
    op.create_table('candidate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('extra_time_pct', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('welcome', 'instructions', 'practice', 'logic', 'inventory', 'done', name='stage', native_enum=False, length=32), nullable=False),
    sa.Column('practice_position', sa.Integer(), nullable=False),
    sa.Column('chosen_language', sa.String(length=5), nullable=True),
    sa.Column('privacy_accepted_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('experience_rating', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('experience_rating IS NULL OR (experience_rating BETWEEN 1 AND 5)', name=op.f('ck_candidate_experience_rating')),
    sa.CheckConstraint('extra_time_pct >= 0 AND extra_time_pct <= 300', name=op.f('ck_candidate_extra_time')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_candidate_assignment_id_assignment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidate'))
    )
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidate_assignment_id'), ['assignment_id'], unique=False)

    op.create_table('attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('logic', 'inventory', name='testkind', native_enum=False, length=32), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.String(length=100), nullable=False),
    sa.Column('bank_version', sa.String(length=50), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('item_ids', sa.JSON(), nullable=False),
    sa.Column('started_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deadline', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('time_limit_seconds', sa.Integer(), nullable=True),
    sa.Column('finished_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finish_reason', sa.Enum('completed', 'timeout', name='finishreason', native_enum=False, length=32), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_attempt_candidate_id_candidate')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt')),
    sa.UniqueConstraint('candidate_id', 'kind', 'number', name=op.f('uq_attempt_candidate_id_kind_number'))
    )
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_candidate_id'), ['candidate_id'], unique=False)

    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('opened_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_invitation_candidate_id_candidate')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('nonce', name=op.f('uq_invitation_nonce'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_candidate_id'), ['candidate_id'], unique=False)

    op.create_table('inventory_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.String(length=50), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('answered_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('value BETWEEN 1 AND 5', name=op.f('ck_inventory_response_value_range')),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], name=op.f('fk_inventory_response_attempt_id_attempt')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_response')),
    sa.UniqueConstraint('attempt_id', 'statement_id', name=op.f('uq_inventory_response_attempt_id_statement_id'))
    )
    with op.batch_alter_table('inventory_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inventory_response_attempt_id'), ['attempt_id'], unique=False)

    op.create_table('logic_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=50), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('option_ids', sa.JSON(), nullable=False),
    sa.Column('option_order', sa.JSON(), nullable=False),
    sa.Column('presented_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('chosen_index', sa.Integer(), nullable=True),
    sa.Column('correct', sa.Boolean(), nullable=True),
    sa.Column('response_ms', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], name=op.f('fk_logic_response_attempt_id_attempt')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logic_response')),
    sa.UniqueConstraint('attempt_id', 'item_id', name=op.f('uq_logic_response_attempt_id_item_id')),
    sa.UniqueConstraint('attempt_id', 'position', name=op.f('uq_logic_response_attempt_id_position'))
    )
    with op.batch_alter_table('logic_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_logic_response_attempt_id'), ['attempt_id'], unique=False)

    op.create_table('result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('scale', sa.String(length=50), nullable=False),
    sa.Column('raw', sa.Double(), nullable=True),
    sa.Column('n_items', sa.Integer(), nullable=False),
    sa.Column('n_answered', sa.Integer(), nullable=False),
    sa.Column('percentile', sa.Double(), nullable=True),
    sa.Column('t_score', sa.Double(), nullable=True),
    sa.Column('sten', sa.Integer(), nullable=True),
    sa.Column('stanine', sa.Integer(), nullable=True),
    sa.Column('norm_group', sa.String(length=50), nullable=False),
    sa.Column('norm_ref', sa.String(length=80), nullable=False),
    sa.Column('norm_provisional', sa.Boolean(), nullable=False),
    sa.Column('bank_id', sa.String(length=100), nullable=False),
    sa.Column('bank_version', sa.String(length=50), nullable=False),
    sa.Column('engine_version', sa.String(length=50), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], name=op.f('fk_result_attempt_id_attempt')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result')),
    sa.UniqueConstraint('attempt_id', 'scale', name=op.f('uq_result_attempt_id_scale'))
    )
    with op.batch_alter_table('result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_attempt_id'), ['attempt_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_attempt_id'))

    op.drop_table('result')
    with op.batch_alter_table('logic_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_logic_response_attempt_id'))

    op.drop_table('logic_response')
    with op.batch_alter_table('inventory_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inventory_response_attempt_id'))

    op.drop_table('inventory_response')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_candidate_id'))

    op.drop_table('invitation')
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_candidate_id'))

    op.drop_table('attempt')
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidate_assignment_id'))

    op.drop_table('candidate')
    op.drop_table('assignment')
    op.drop_table('user')
    op.drop_table('client')
