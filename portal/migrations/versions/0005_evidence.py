"""evidence

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 14:21:11.974426
"""
from alembic import op
import sqlalchemy as sa
import portal.models.base


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('background_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'ok', 'remark', 'not_applicable', name='checkstatus', native_enum=False, length=32), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('attachment_path', sa.String(length=300), nullable=True),
    sa.Column('attachment_name', sa.String(length=200), nullable=True),
    sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_background_check_candidate_id_candidate')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_background_check')),
    sa.UniqueConstraint('candidate_id', 'kind', name=op.f('uq_background_check_candidate_id_kind'))
    )
    with op.batch_alter_table('background_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_background_check_candidate_id'), ['candidate_id'], unique=False)

    op.create_table('first_opinion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('competency_key', sa.String(length=80), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_first_opinion_level')),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_first_opinion_candidate_id_candidate')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_first_opinion_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_first_opinion')),
    sa.UniqueConstraint('candidate_id', 'competency_key', name=op.f('uq_first_opinion_candidate_id_competency_key'))
    )
    with op.batch_alter_table('first_opinion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_first_opinion_candidate_id'), ['candidate_id'], unique=False)

    op.create_table('interview_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.Column('competency_key', sa.String(length=80), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('level IS NULL OR level BETWEEN 1 AND 5', name=op.f('ck_interview_rating_level')),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_interview_rating_candidate_id_candidate')),
    sa.ForeignKeyConstraint(['rater_id'], ['user.id'], name=op.f('fk_interview_rating_rater_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interview_rating')),
    sa.UniqueConstraint('candidate_id', 'rater_id', 'competency_key', name=op.f('uq_interview_rating_candidate_id_rater_id_competency_key'))
    )
    with op.batch_alter_table('interview_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_rating_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interview_rating_rater_id'), ['rater_id'], unique=False)

    op.create_table('reference_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('referee_name', sa.String(length=200), nullable=False),
    sa.Column('relation', sa.String(length=200), nullable=False),
    sa.Column('period', sa.String(length=100), nullable=False),
    sa.Column('consent_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ratings', sa.JSON(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_reference_check_candidate_id_candidate')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_reference_check_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_check'))
    )
    with op.batch_alter_table('reference_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reference_check_candidate_id'), ['candidate_id'], unique=False)

    op.create_table('synthesis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('judgement', sa.Text(), nullable=False),
    sa.Column('strengths', sa.Text(), nullable=False),
    sa.Column('risks', sa.Text(), nullable=False),
    sa.Column('recommendation', sa.String(length=30), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', portal.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('profile_version', sa.Integer(), nullable=True),
    sa.Column('updated_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_synthesis_candidate_id_candidate')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_synthesis_decided_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synthesis')),
    sa.UniqueConstraint('candidate_id', name=op.f('uq_synthesis_candidate_id'))
    )


def downgrade() -> None:
    op.drop_table('synthesis')
    with op.batch_alter_table('reference_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reference_check_candidate_id'))

    op.drop_table('reference_check')
    with op.batch_alter_table('interview_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interview_rating_rater_id'))
        batch_op.drop_index(batch_op.f('ix_interview_rating_candidate_id'))

    op.drop_table('interview_rating')
    with op.batch_alter_table('first_opinion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_first_opinion_candidate_id'))

    op.drop_table('first_opinion')
    with op.batch_alter_table('background_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_background_check_candidate_id'))

    op.drop_table('background_check')
