from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, enum_column, utcnow


class Stage(enum.Enum):
    """Where a candidate is in the battery; the journey only moves forward."""

    WELCOME = "welcome"
    INSTRUCTIONS = "instructions"
    PRACTICE = "practice"
    LOGIC = "logic"
    INVENTORY = "inventory"
    DONE = "done"


STAGE_ORDER = list(Stage)


class Candidate(Base):
    __tablename__ = "candidate"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    #: Who the candidate is across assignments, for the norm builder's one-result-per-person
    #: gate: HMAC-SHA256 of the normalised e-mail address (``services.norm_data.person_key``),
    #: set at invitation. Not contact data (it reaches nobody), so it stays when the contact
    #: data are removed; cleared when the candidate is erased (``services.privacy.erase``).
    person_key: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    #: Accommodation: extra time on timed tests, in percent (25 = +25 %).
    extra_time_pct: Mapped[int] = mapped_column(default=0)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage), default=Stage.WELCOME)
    #: Index of the next practice item to show.
    practice_position: Mapped[int] = mapped_column(default=0)
    #: Language the candidate chose on the welcome page (None until chosen).
    chosen_language: Mapped[str | None] = mapped_column(sa.String(5))
    privacy_accepted_at: Mapped[datetime | None]
    #: The version of the privacy notice shown when the candidate accepted it
    #: (``portal.services.journey.PRIVACY_NOTICE_VERSION``).
    privacy_notice_version: Mapped[str | None] = mapped_column(sa.String(20))
    #: Set when the candidate's personal data was erased (``services.privacy.erase_candidate``);
    #: the anonymous answers and results remain.
    erased_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    #: Set by a consultant when the client hired the candidate; the others are the
    #: "unsuccessful" candidates of the retention rules.
    hired_at: Mapped[datetime | None]
    #: Set by a consultant who picks the candidate as a finalist of the assignment (the
    #: final-candidates view shows these; until anyone is picked, those who finished).
    finalist_at: Mapped[datetime | None]
    #: Legal hold: while set, no retention period removes anything of the candidate.
    legal_hold_at: Mapped[datetime | None]
    legal_hold_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Optional candidate-experience rating 1-5 from the finish page.
    experience_rating: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignment: Mapped["Assignment"] = relationship(back_populates="candidates")  # noqa: F821
    invitations: Mapped[list["Invitation"]] = relationship(
        back_populates="candidate", order_by="Invitation.id"
    )
    attempts: Mapped[list["Attempt"]] = relationship(  # noqa: F821
        back_populates="candidate", order_by="Attempt.id"
    )

    __table_args__ = (
        sa.CheckConstraint("extra_time_pct >= 0 AND extra_time_pct <= 300", name="extra_time"),
        sa.CheckConstraint(
            "experience_rating IS NULL OR (experience_rating BETWEEN 1 AND 5)",
            name="experience_rating",
        ),
    )


class Invitation(Base):
    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidate.id"), index=True)
    #: Random value signed into the token; a token is valid only for this row's nonce.
    nonce: Mapped[str] = mapped_column(sa.String(64), unique=True)
    language: Mapped[str] = mapped_column(sa.String(5), default="sv")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    #: When the webhook worker noticed the expiry (and queued ``invitation.expired``, once).
    expiry_noticed_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    #: First time the link was opened.
    opened_at: Mapped[datetime | None]
    #: When the invitation e-mail was sent (None: link only copied / not sent).
    sent_at: Mapped[datetime | None]
    last_reminder_at: Mapped[datetime | None]
    reminder_count: Mapped[int] = mapped_column(default=0, server_default="0")

    candidate: Mapped[Candidate] = relationship(back_populates="invitations")

    __table_args__ = (
        # Live links whose expiry the webhook worker has not noticed yet
        # (``webhooks.notice_expired``, every few seconds): found without reading every
        # invitation ever made.
        sa.Index("ix_invitation_unnoticed_expiry", "expires_at",
                 sqlite_where=sa.text("expiry_noticed_at IS NULL AND revoked_at IS NULL"),
                 postgresql_where=sa.text("expiry_noticed_at IS NULL AND revoked_at IS NULL")),
    )
