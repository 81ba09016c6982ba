"""consultant workspace

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 13:39:46.647971
"""
from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('client_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_client_contact_client_id_client')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_contact'))
    )
    with op.batch_alter_table('client_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_contact_client_id'), ['client_id'], unique=False)

    op.create_table('assignment_consultant',
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_assignment_consultant_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_assignment_consultant_user_id_user')),
    sa.PrimaryKeyConstraint('assignment_id', 'user_id', name=op.f('pk_assignment_consultant'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_user_id'), ['user_id'], unique=False)

    op.create_table('competency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('name', sa.JSON(), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('indicators', sa.JSON(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('scales', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_competency_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency')),
    sa.UniqueConstraint('key', name=op.f('uq_competency_key'))
    )
    op.create_table('requirement_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('logic_min_percentile', sa.Integer(), nullable=True),
    sa.Column('personality_targets', sa.JSON(), nullable=False),
    sa.CheckConstraint('logic_min_percentile IS NULL OR (logic_min_percentile BETWEEN 1 AND 99)', name=op.f('ck_requirement_profile_logic_min')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_requirement_profile_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_requirement_profile_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requirement_profile')),
    sa.UniqueConstraint('assignment_id', 'version', name=op.f('uq_requirement_profile_assignment_id_version'))
    )
    with op.batch_alter_table('requirement_profile', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requirement_profile_assignment_id'), ['assignment_id'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=True),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('sent_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_outbox_message_candidate_id_candidate')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_candidate_id'), ['candidate_id'], unique=False)

    op.create_table('profile_competency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('competency_key', sa.String(length=80), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('target_level', sa.Integer(), nullable=False),
    sa.Column('must', sa.Boolean(), nullable=False),
    sa.CheckConstraint('target_level BETWEEN 1 AND 5', name=op.f('ck_profile_competency_target_level')),
    sa.CheckConstraint('weight BETWEEN 1 AND 5', name=op.f('ck_profile_competency_weight')),
    sa.ForeignKeyConstraint(['profile_id'], ['requirement_profile.id'], name=op.f('fk_profile_competency_profile_id_requirement_profile')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_profile_competency')),
    sa.UniqueConstraint('profile_id', 'competency_key', name=op.f('uq_profile_competency_profile_id_competency_key'))
    )
    with op.batch_alter_table('profile_competency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_profile_competency_profile_id'), ['profile_id'], unique=False)

    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('uses_logic', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('uses_personality', sa.Boolean(), nullable=False, server_default=sa.true()))

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('superseded_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reset_reason', sa.Text(), nullable=True))

    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('org_number', sa.String(length=20), nullable=True))

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_reminder_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminder_count', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_user_client_id'), ['client_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_user_client_id_client'), 'client', ['client_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_client_id_client'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_client_id'))
        batch_op.drop_column('client_id')

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('reminder_count')
        batch_op.drop_column('last_reminder_at')
        batch_op.drop_column('sent_at')

    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_column('org_number')

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('reset_reason')
        batch_op.drop_column('superseded_at')

    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_column('uses_personality')
        batch_op.drop_column('uses_logic')
        batch_op.drop_column('deadline')

    with op.batch_alter_table('profile_competency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_profile_competency_profile_id'))

    op.drop_table('profile_competency')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_candidate_id'))

    op.drop_table('outbox_message')
    with op.batch_alter_table('requirement_profile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_requirement_profile_assignment_id'))

    op.drop_table('requirement_profile')
    op.drop_table('competency')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))

    op.drop_table('audit_event')
    op.drop_table('assignment_consultant')
    with op.batch_alter_table('client_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_contact_client_id'))

    op.drop_table('client_contact')
