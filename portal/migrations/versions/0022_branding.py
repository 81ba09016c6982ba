"""branding (name, sender name, colours, logo) and per-client e-mail templates (issue 18)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 22:00:00
"""
from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'branding',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultancy_name', sa.String(length=200), nullable=False),
        sa.Column('sender_name', sa.String(length=200), nullable=False),
        sa.Column('primary_color', sa.String(length=7), nullable=True),
        sa.Column('accent_color', sa.String(length=7), nullable=True),
        sa.Column('logo', sa.LargeBinary(), nullable=True),
        sa.Column('logo_type', sa.String(length=20), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_branding_updated_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_branding')),
    )
    op.create_table(
        'client_mail_template',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['client_id'], ['client.id'], name=op.f('fk_client_mail_template_client_id_client')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_client_mail_template_updated_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_client_mail_template')),
        sa.UniqueConstraint('client_id', 'kind', 'language', name=op.f('uq_client_mail_template_client_id_kind_language')),
    )
    with op.batch_alter_table('client_mail_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_mail_template_client_id'), ['client_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('client_mail_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_mail_template_client_id'))
    op.drop_table('client_mail_template')
    op.drop_table('branding')
