"""Evidence about a candidate beyond the tests: interview ratings, references, background
checks, and the consultant's synthesis and decision."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, enum_column, utcnow


class InterviewRating(Base):
    """One interviewer's rating of one competency for one candidate (1-5, anchored).

    An interviewer sees the others' ratings only after submitting their own
    (``submitted_at`` set); drafts are private.
    """

    __tablename__ = "interview_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidate.id"), index=True)
    rater_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    competency_key: Mapped[str] = mapped_column(sa.String(80))
    level: Mapped[int | None]
    #: The evidence behind the rating (what the candidate said and did).
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]

    __table_args__ = (
        sa.UniqueConstraint("candidate_id", "rater_id", "competency_key"),
        sa.CheckConstraint("level IS NULL OR level BETWEEN 1 AND 5", name="level"),
    )


class ReferenceCheck(Base):
    __tablename__ = "reference_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidate.id"), index=True)
    referee_name: Mapped[str] = mapped_column(sa.String(200))
    relation: Mapped[str] = mapped_column(sa.String(200), default="")
    period: Mapped[str] = mapped_column(sa.String(100), default="")
    #: How to reach the referee (either may be empty): the consultant calls or writes.
    referee_email: Mapped[str] = mapped_column(sa.String(254), default="", server_default="")
    referee_phone: Mapped[str] = mapped_column(sa.String(50), default="", server_default="")
    #: The candidate agreed that this referee may be contacted.
    consent_at: Mapped[datetime | None]
    #: {competency_key: {"level": 1-5 | null, "notes": "..."}}
    ratings: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CheckStatus(enum.Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    OK = "ok"
    REMARK = "remark"
    NOT_APPLICABLE = "not_applicable"


class BackgroundCheck(Base):
    """One item of the background-check checklist (identity, education, ...)."""

    __tablename__ = "background_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidate.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(50))
    status: Mapped[CheckStatus] = mapped_column(enum_column(CheckStatus), default=CheckStatus.NOT_STARTED)
    checked_on: Mapped[date | None]
    source: Mapped[str] = mapped_column(sa.String(300), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    #: Stored file name of an attachment (under the instance folder; never served directly).
    attachment_path: Mapped[str | None] = mapped_column(sa.String(300))
    attachment_name: Mapped[str | None] = mapped_column(sa.String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("candidate_id", "kind"),)


class Synthesis(Base):
    """The consultant's written judgement and recommendation: made by a person."""

    __tablename__ = "synthesis"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidate.id"), unique=True)
    judgement: Mapped[str] = mapped_column(sa.Text, default="")
    strengths: Mapped[str] = mapped_column(sa.Text, default="")
    risks: Mapped[str] = mapped_column(sa.Text, default="")
    recommendation: Mapped[str] = mapped_column(sa.String(30), default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    #: Version of the requirement profile the synthesis was written against.
    profile_version: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FirstOpinion(Base):
    """The client's own rating of a finalist per competency, given before seeing ours."""

    __tablename__ = "first_opinion"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidate.id"), index=True)
    competency_key: Mapped[str] = mapped_column(sa.String(80))
    level: Mapped[int]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("candidate_id", "competency_key"),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name="level"),
    )
