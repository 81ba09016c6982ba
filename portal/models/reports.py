"""Released reports and the candidate's reply.

A report is a draft (rendered live from the current data, never stored) until a
consultant releases it. Releasing stores the report's content (the data it was made
from, as JSON), its HTML and PDF and the PDF's SHA-256: a released report is frozen,
and a change is released as a new version.
"""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, enum_column, utcnow


class ReportKind(enum.Enum):
    CLIENT = "client"
    CANDIDATE = "candidate"


class Report(Base):
    __tablename__ = "report"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidate.id"), index=True)
    kind: Mapped[ReportKind] = mapped_column(enum_column(ReportKind))
    #: 1, 2, ... per candidate and kind; the newest released version is the one shown.
    version: Mapped[int]
    language: Mapped[str] = mapped_column(sa.String(5))
    #: Everything the report shows, as data (see portal/services/reports.py): the report
    #: can be rendered again from it, identically, whatever changes later.
    content: Mapped[dict] = mapped_column(sa.JSON)
    #: Item bank, norms, engine, profile and report-text versions the report was made from.
    stamp: Mapped[dict] = mapped_column(sa.JSON)
    html: Mapped[str] = mapped_column(sa.Text)
    pdf: Mapped[bytes] = mapped_column(sa.LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(sa.String(64))
    released_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    released_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("candidate_id", "kind", "version"),)


class CandidateComment(Base):
    """The candidate's short reply to their feedback report; shown in the client report."""

    __tablename__ = "candidate_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidate.id"), unique=True)
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When a consultant marked the reply as answered (they contacted the candidate); a
    #: reply changed after that (``updated_at`` later) is unanswered again.
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
