from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, enum_column, utcnow


class Client(Base):
    __tablename__ = "client"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignments: Mapped[list["Assignment"]] = relationship(back_populates="client")


class AssignmentStatus(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


class Assignment(Base):
    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    #: Default language of invitations in this assignment.
    language: Mapped[str] = mapped_column(sa.String(5), default="sv")
    #: Norm group (``norms`` table name) that percentiles are computed against.
    norm_group: Mapped[str] = mapped_column(sa.String(50), default="general")
    #: Battery: time limit of the timed logic test, before accommodations.
    logic_time_limit_minutes: Mapped[int] = mapped_column(default=20)
    status: Mapped[AssignmentStatus] = mapped_column(
        enum_column(AssignmentStatus), default=AssignmentStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    client: Mapped[Client] = relationship(back_populates="assignments")
    candidates: Mapped[list["Candidate"]] = relationship(  # noqa: F821
        back_populates="assignment", order_by="Candidate.id"
    )
