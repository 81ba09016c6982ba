"""reports: released reports (frozen content, HTML, PDF and hash) and the candidate's reply

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 15:13:34.889085
"""
from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('candidate_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_candidate_comment_candidate_id_candidate')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidate_comment')),
    sa.UniqueConstraint('candidate_id', name=op.f('uq_candidate_comment_candidate_id'))
    )
    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('client', 'candidate', name='reportkind', native_enum=False, length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('stamp', sa.JSON(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('released_by_id', sa.Integer(), nullable=False),
    sa.Column('released_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_report_candidate_id_candidate')),
    sa.ForeignKeyConstraint(['released_by_id'], ['user.id'], name=op.f('fk_report_released_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report')),
    sa.UniqueConstraint('candidate_id', 'kind', 'version', name=op.f('uq_report_candidate_id_kind_version'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_candidate_id'), ['candidate_id'], unique=False)

    # A released report is frozen: the database refuses to change one (a change is a new
    # version). Deleting stays possible, for erasure.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TRIGGER report_frozen BEFORE UPDATE ON report "
                   "BEGIN SELECT RAISE(ABORT, 'a released report is frozen'); END")
    else:
        op.execute("CREATE FUNCTION report_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "BEGIN RAISE EXCEPTION 'a released report is frozen'; END $$")
        op.execute("CREATE TRIGGER report_frozen BEFORE UPDATE ON report "
                   "FOR EACH ROW EXECUTE FUNCTION report_frozen()")



def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER report_frozen")
    else:
        op.execute("DROP TRIGGER report_frozen ON report")
        op.execute("DROP FUNCTION report_frozen()")
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_candidate_id'))

    op.drop_table('report')
    op.drop_table('candidate_comment')
