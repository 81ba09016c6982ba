"""webhooks: endpoints, the delivery outbox, and when an invitation's expiry was noticed

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 18:00:00
"""
from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('webhook_endpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False, server_default=''),
    sa.Column('secret', sa.String(length=100), nullable=False),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False, server_default=sa.true()),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('secret_rotated_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_webhook_endpoint_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoint'))
    )
    op.create_table('webhook_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('event_type', sa.String(length=40), nullable=False),
    sa.Column('message_id', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'retrying', 'delivered', 'dead', name='deliverystatus',
                                native_enum=False, create_constraint=False, length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'),
    sa.Column('next_attempt_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_attempt_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_attempt_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('response_code', sa.Integer(), nullable=True),
    sa.Column('response_excerpt', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoint.id'], name=op.f('fk_webhook_delivery_endpoint_id_webhook_endpoint')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_delivery')),
    sa.UniqueConstraint('endpoint_id', 'message_id', name=op.f('uq_webhook_delivery_endpoint_id_message_id'))
    )
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_delivery_endpoint_id'), ['endpoint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_delivery_last_attempt_at'), ['last_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_delivery_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_delivery_status'), ['status'], unique=False)

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expiry_noticed_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))
    # Links that expired before webhooks existed are not news: no endpoint hears of them.
    op.execute("UPDATE invitation SET expiry_noticed_at = expires_at WHERE expires_at < CURRENT_TIMESTAMP")
    op.create_index('ix_invitation_unnoticed_expiry', 'invitation', ['expires_at'], unique=False,
                    sqlite_where=sa.text('expiry_noticed_at IS NULL AND revoked_at IS NULL'),
                    postgresql_where=sa.text('expiry_noticed_at IS NULL AND revoked_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_invitation_unnoticed_expiry', table_name='invitation')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('expiry_noticed_at')
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_delivery_status'))
        batch_op.drop_index(batch_op.f('ix_webhook_delivery_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_webhook_delivery_last_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_webhook_delivery_endpoint_id'))
    op.drop_table('webhook_delivery')
    op.drop_table('webhook_endpoint')
