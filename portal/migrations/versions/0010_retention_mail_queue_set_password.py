"""retention, legal hold, mail queue, set-password link

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 03:52:11
"""
from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

PURGE_ALLOWED = (
    "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF TG_OP = 'DELETE' AND current_setting('second_opinion.purge', true) = 'on' THEN "
    "RETURN OLD; END IF; RAISE EXCEPTION 'the audit log is append-only'; END $$"
)
APPEND_ONLY = (
    "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$"
)


def upgrade() -> None:
    op.create_table('retention_period',
    sa.Column('data_class', sa.String(length=32), nullable=False),
    sa.Column('months', sa.Integer(), nullable=True),
    sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_retention_period_updated_by_id_user')),
    sa.PrimaryKeyConstraint('data_class', name=op.f('pk_retention_period'))
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('legal_hold_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('legal_hold_reason', sa.String(length=200), nullable=False, server_default=''))

    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hired_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('legal_hold_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('legal_hold_reason', sa.String(length=200), nullable=False, server_default=''))

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('next_attempt_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_message_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_message_user_id_user'), 'user', ['user_id'], ['id'])

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('set_password_nonce', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('set_password_expires_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_set_password_nonce'), ['set_password_nonce'])

    # Assignments closed before this revision: their retention counts from today (the
    # day they were closed is not known; today keeps data longest).
    assignment = sa.table("assignment", sa.column("status", sa.String), sa.column("closed_at", sa.DateTime))
    op.execute(assignment.update().where(assignment.c.status == "closed")
               .values(closed_at=sa.func.current_timestamp()))
    # The retention purge may delete old audit events: on PostgreSQL only a session that
    # sets second_opinion.purge (the owner role running 'privacy purge'; the app role has
    # no DELETE right on the table at all); on SQLite the purge lifts the trigger inside
    # its own transaction.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PURGE_ALLOWED)



def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_set_password_nonce'), type_='unique')
        batch_op.drop_column('set_password_expires_at')
        batch_op.drop_column('set_password_nonce')

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_message_user_id_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_message_user_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_next_attempt_at'))
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('user_id')

    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_column('legal_hold_reason')
        batch_op.drop_column('legal_hold_at')
        batch_op.drop_column('hired_at')

    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_column('legal_hold_reason')
        batch_op.drop_column('legal_hold_at')
        batch_op.drop_column('closed_at')

    op.drop_table('retention_period')
