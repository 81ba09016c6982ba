from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, enum_column, utcnow


def recommended_time_limit_minutes() -> int:
    """The recommended time limit of the logic test: the longest test at the typical
    time per question (``item_banks.adaptive.time_limit_minutes``), the default of a new
    assignment. Existing assignments keep the limit they were given."""
    from item_banks import adaptive

    return adaptive.time_limit_minutes()


#: Role families an assignment can belong to (the requirement-profile templates' kinds of
#: role); ``flask norms build --role-family`` builds a local norm per family.
ROLE_FAMILIES = ("manager", "specialist", "sales", "project_manager")


class Client(Base):
    __tablename__ = "client"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    #: Swedish organisation number (optional).
    org_number: Mapped[str | None] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignments: Mapped[list["Assignment"]] = relationship(back_populates="client")
    contacts: Mapped[list["ClientContact"]] = relationship(back_populates="client",
                                                            order_by="ClientContact.id")


class ClientContact(Base):
    __tablename__ = "client_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("client.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(50), default="")
    title: Mapped[str] = mapped_column(sa.String(200), default="")

    client: Mapped[Client] = relationship(back_populates="contacts")


#: Consultants staffed on an assignment.
assignment_consultant = sa.Table(
    "assignment_consultant",
    Base.metadata,
    sa.Column("assignment_id", sa.ForeignKey("assignment.id"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user.id"), primary_key=True),
)


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
    #: Role family (``ROLE_FAMILIES``, "" = not set): local norms can be built per family.
    role_family: Mapped[str] = mapped_column(sa.String(40), default="")
    #: Battery: time limit of the timed logic test, before accommodations (default: the
    #: recommended limit when the assignment is created).
    logic_time_limit_minutes: Mapped[int] = mapped_column(default=recommended_time_limit_minutes)
    status: Mapped[AssignmentStatus] = mapped_column(
        enum_column(AssignmentStatus), default=AssignmentStatus.OPEN
    )
    #: Last day of the assessment (optional).
    deadline: Mapped[date | None]
    #: Battery: which tests the candidates take.
    uses_logic: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    uses_personality: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the assignment was last closed (None while open); retention periods count
    #: from here (``portal.services.retention``).
    closed_at: Mapped[datetime | None]
    #: Legal hold: while set, no retention period removes anything of the assignment.
    legal_hold_at: Mapped[datetime | None]
    legal_hold_reason: Mapped[str] = mapped_column(sa.String(200), default="")

    client: Mapped[Client] = relationship(back_populates="assignments")
    consultants: Mapped[list["User"]] = relationship(secondary=assignment_consultant)  # noqa: F821
    candidates: Mapped[list["Candidate"]] = relationship(  # noqa: F821
        back_populates="assignment", order_by="Candidate.id"
    )
