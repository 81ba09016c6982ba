"""Voluntary equality monitoring: a candidate's own answers about gender, age band and
first language, given after the tests, for fairness analyses in aggregate only.

Kept in a table of its own, beside and not inside the assessment: no report, result,
synthesis or consultant page reads it, and the consultant's export of a candidate leaves
it out (``privacy.NOT_IN_FULL``). Each answer may be ``None`` ("prefer not to say")."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class EqualityResponse(Base):
    __tablename__ = "equality_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidate.id"), unique=True)
    gender: Mapped[str | None] = mapped_column(sa.String(16))
    age_band: Mapped[str | None] = mapped_column(sa.String(8))
    first_language: Mapped[str | None] = mapped_column(sa.String(8))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
