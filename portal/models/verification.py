from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, enum_column, utcnow


class VerificationStatus(enum.Enum):
    #: Ordered: a code may be shown and redeemed, the test taken (or resumed).
    OPEN = "open"
    #: The verification test ended and the verdict is stored.
    FINISHED = "finished"
    CANCELLED = "cancelled"


class VerificationOrder(Base):
    """A supervised verification test ordered for a finished unsupervised logic attempt
    (``services.verification``): the one-time code that starts it, the verification
    attempt (an ``Attempt`` of kind ``verification``) and the verdict, stamped with the
    versions that produced it."""

    __tablename__ = "verification_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidate.id"), index=True)
    #: The unsupervised logic attempt whose result is verified.
    logic_attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempt.id"))
    ordered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    ordered_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[VerificationStatus] = mapped_column(enum_column(VerificationStatus),
                                                      default=VerificationStatus.OPEN)
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    #: The unsupervised result (WLE and its SE) when the order was made: where the
    #: verification test's selection starts, and one side of the verdict.
    theta_unsupervised: Mapped[float]
    se_unsupervised: Mapped[float]
    #: Every item the candidate had been shown when the order was made (operational,
    #: pretest and practice items of all their attempts): none of them, nor an item of
    #: their families, is given in the verification test.
    seen_item_ids: Mapped[list] = mapped_column(sa.JSON)

    #: The one-time code: a public two-character reference that finds the order, and
    #: HMAC-SHA256 of the secret part (never the code itself).
    code_ref: Mapped[str | None] = mapped_column(sa.String(4), index=True)
    code_hash: Mapped[str | None] = mapped_column(sa.String(64))
    code_shown_at: Mapped[datetime | None]
    code_expires_at: Mapped[datetime | None]
    code_used_at: Mapped[datetime | None]
    #: Wrong codes entered for this order's reference since its code was shown; at
    #: ``verification.MAX_TRIES`` the code is void until the consultant shows a new one.
    code_failed_tries: Mapped[int] = mapped_column(default=0)
    #: Random value of the browser session that redeemed the code: only that session
    #: reaches the test (a later redemption replaces it).
    session_nonce: Mapped[str | None] = mapped_column(sa.String(64))

    #: The verification attempt (kind ``verification``), once the candidate confirmed.
    attempt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attempt.id"), unique=True)
    finished_at: Mapped[datetime | None]

    # The verdict (``item_banks.verification.verdict``), stamped with its versions.
    theta_verification: Mapped[float | None]
    se_verification: Mapped[float | None]
    difference: Mapped[float | None]
    se_difference: Mapped[float | None]
    z: Mapped[float | None]
    p_value: Mapped[float | None]
    alpha: Mapped[float | None]
    #: ``consistent`` or ``lower_than_expected``.
    verdict: Mapped[str | None] = mapped_column(sa.String(32))
    verification_version: Mapped[str | None] = mapped_column(sa.String(300))
    engine_version: Mapped[str | None] = mapped_column(sa.String(300))
    bank_id: Mapped[str | None] = mapped_column(sa.String(100))
    bank_version: Mapped[str | None] = mapped_column(sa.String(50))

    candidate: Mapped["Candidate"] = relationship()  # noqa: F821
    logic_attempt: Mapped["Attempt"] = relationship(foreign_keys=[logic_attempt_id])  # noqa: F821
    attempt: Mapped["Attempt | None"] = relationship(foreign_keys=[attempt_id])  # noqa: F821

    __table_args__ = (
        # One open order per candidate at a time.
        sa.Index("uq_verification_order_open", "candidate_id", unique=True,
                 sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'")),
    )
