"""single sign-on: role rules for new accounts and links to identities at providers

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 18:00:00
"""
from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sso_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('domain', 'group', name='ssorulekind', native_enum=False, length=32), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('provider', sa.String(length=40), nullable=True),
    sa.Column('role', sa.Enum('admin', 'consultant', 'client', name='role', native_enum=False, length=32), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_sso_rule_client_id_client')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_sso_rule_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_rule'))
    )
    op.create_index(op.f('ix_sso_rule_client_id'), 'sso_rule', ['client_id'], unique=False)
    op.create_table('sso_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sso_link_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_link')),
    sa.UniqueConstraint('provider', 'subject', name=op.f('uq_sso_link_provider_subject')),
    sa.UniqueConstraint('user_id', 'provider', name=op.f('uq_sso_link_user_id_provider'))
    )
    op.create_index(op.f('ix_sso_link_user_id'), 'sso_link', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sso_link_user_id'), table_name='sso_link')
    op.drop_table('sso_link')
    op.drop_index(op.f('ix_sso_rule_client_id'), table_name='sso_rule')
    op.drop_table('sso_rule')
