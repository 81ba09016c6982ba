from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class Competency(Base):
    """A consultancy's own competency (the shipped library lives in data files)."""

    __tablename__ = "competency"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable key used by profiles, e.g. ``custom.safety_culture``.
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[dict] = mapped_column(sa.JSON)
    definition: Mapped[dict] = mapped_column(sa.JSON)
    #: {"1": {"sv":..., "en":...}, ... "5": {...}}
    indicators: Mapped[dict] = mapped_column(sa.JSON)
    #: [{"question": {"sv","en"}, "probes": [{"sv","en"}, ...]}, ...]
    questions: Mapped[list] = mapped_column(sa.JSON)
    #: [{"scale": "personality.CO.drive", "direction": 1}, ...]
    scales: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RequirementProfile(Base):
    """One version of an assignment's requirement profile ("kravprofil").

    Locked when the first candidate's results are opened; a later change is a new
    version with a reason.
    """

    __tablename__ = "requirement_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_at: Mapped[datetime | None]
    #: Minimum percentile on the logic test (None: no target).
    logic_min_percentile: Mapped[int | None]
    #: Optional target bands for personality scales: {"personality.CO": [40, 90], ...}
    personality_targets: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    competencies: Mapped[list["ProfileCompetency"]] = relationship(
        back_populates="profile", order_by="ProfileCompetency.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "version"),
        sa.CheckConstraint("logic_min_percentile IS NULL OR (logic_min_percentile BETWEEN 1 AND 99)",
                           name="logic_min"),
    )


class ProfileCompetency(Base):
    __tablename__ = "profile_competency"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("requirement_profile.id"), index=True)
    competency_key: Mapped[str] = mapped_column(sa.String(80))
    weight: Mapped[int] = mapped_column(default=1)
    target_level: Mapped[int] = mapped_column(default=3)
    must: Mapped[bool] = mapped_column(default=False)

    profile: Mapped[RequirementProfile] = relationship(back_populates="competencies")

    __table_args__ = (
        sa.UniqueConstraint("profile_id", "competency_key"),
        sa.CheckConstraint("target_level BETWEEN 1 AND 5", name="target_level"),
        sa.CheckConstraint("weight BETWEEN 1 AND 5", name="weight"),
    )
