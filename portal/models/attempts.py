from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, enum_column, utcnow


class TestKind(enum.Enum):
    __test__ = False  # not a pytest class

    LOGIC = "logic"
    INVENTORY = "inventory"
    #: A supervised verification test of a finished logic attempt (``VerificationOrder``):
    #: the logic test's item pages and engine with the verification settings.
    VERIFICATION = "verification"


class FinishReason(enum.Enum):
    COMPLETED = "completed"
    TIMEOUT = "timeout"


class Attempt(Base):
    """One sitting of one test by one candidate."""

    __tablename__ = "attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidate.id"), index=True)
    kind: Mapped[TestKind] = mapped_column(enum_column(TestKind))
    #: 1 for the first attempt; a technical reset would add number 2.
    number: Mapped[int] = mapped_column(default=1)
    bank_id: Mapped[str] = mapped_column(sa.String(100))
    bank_version: Mapped[str] = mapped_column(sa.String(50))
    #: Seed of the attempt's random generator, so its form can be replayed.
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    #: Ordered item (or statement) ids of this attempt's form.
    item_ids: Mapped[list] = mapped_column(sa.JSON)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Server-side deadline of a timed test (None = untimed).
    deadline: Mapped[datetime | None]
    time_limit_seconds: Mapped[int | None]
    finished_at: Mapped[datetime | None]
    finish_reason: Mapped[FinishReason | None] = mapped_column(enum_column(FinishReason))
    #: Why an adaptive test stopped (``se_target``, ``max_items``, ``time_limit``...).
    stop_reason: Mapped[str | None] = mapped_column(sa.String(32))
    #: Validity indicators of an inventory attempt (shown as flags, never used in scores).
    flags: Mapped[list | None] = mapped_column(sa.JSON)
    #: Set when the candidate was erased while the same person had another completed
    #: attempt of this test in another assignment: the norm builder counts this anonymous
    #: attempt as a duplicate (``services.privacy.erase``), so that person counts once.
    norm_duplicate: Mapped[bool] = mapped_column(default=False)
    #: A technical reset replaced this attempt by a new one (kept, marked, not scored).
    superseded_at: Mapped[datetime | None]
    #: Why a technical reset was granted: on the replaced attempt, copied to the new one.
    reset_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: The adaptive test's state after the answers so far (``adaptive.stored_state``: items,
    #: responses, posterior), so that an answer continues the test from it instead of
    #: replaying every answer. None before the first answer, and for an attempt answered
    #: before migration 0011 until its next answer stores it.
    cat_state: Mapped[dict | None] = mapped_column(sa.JSON)
    #: How many answers ``cat_state`` includes (the condition of its update).
    cat_answers: Mapped[int | None]
    #: Where the attempt gives its unscored pretest items (``adaptive.pretest_plan``:
    #: ``[[k, item_id], ...]``, after the k-th operational answer), fixed at the start.
    pretest_plan: Mapped[list | None] = mapped_column(sa.JSON)
    #: A short mark of the browser that started the attempt (a hash of a random id kept
    #: in the candidate's session, ``services.integrity.device_mark``): answers from
    #: another browser are counted as an integrity signal. Nothing else about the device.
    device: Mapped[str | None] = mapped_column(sa.String(16))

    candidate: Mapped["Candidate"] = relationship(back_populates="attempts")  # noqa: F821
    results: Mapped[list["Result"]] = relationship(back_populates="attempt", order_by="Result.id")
    #: The logic item on screen: presented, not yet answered (at most one). Read-only; the
    #: item page loads it with the attempt (``journey.current_attempt``).
    presented: Mapped["LogicResponse | None"] = relationship(
        primaryjoin="and_(LogicResponse.attempt_id == Attempt.id, LogicResponse.answered_at.is_(None))",
        viewonly=True, uselist=False)

    __table_args__ = (
        sa.UniqueConstraint("candidate_id", "kind", "number"),
        # The open timed attempts past their deadline (``journey.close_expired``, run by every
        # consultant page of an assignment): found without reading every attempt ever made.
        sa.Index("ix_attempt_open_deadline", "deadline", sqlite_where=sa.text("finished_at IS NULL"),
                 postgresql_where=sa.text("finished_at IS NULL")),
    )


class LogicResponse(Base):
    """An item shown in a logic attempt and, once answered, the answer.

    Created when the item is first presented; answered exactly once by a
    conditional UPDATE (``answered_at IS NULL``).
    """

    __tablename__ = "logic_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempt.id"), index=True)
    item_id: Mapped[str] = mapped_column(sa.String(50))
    position: Mapped[int]
    #: Opaque option ids in display order; ``option_order[i]`` is the bank
    #: index of the option shown with ``option_ids[i]``.
    option_ids: Mapped[list] = mapped_column(sa.JSON)
    option_order: Mapped[list] = mapped_column(sa.JSON)
    presented_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    chosen_index: Mapped[int | None]
    correct: Mapped[bool | None]
    response_ms: Mapped[int | None]
    #: Answered faster than the rapid-guess threshold for this item type.
    rapid_guess: Mapped[bool | None]
    #: An unscored pretest item: stored for calibration, never in the score.
    pretest: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    __table_args__ = (
        sa.UniqueConstraint("attempt_id", "item_id"),
        sa.UniqueConstraint("attempt_id", "position"),
    )


class InventoryResponse(Base):
    __tablename__ = "inventory_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempt.id"), index=True)
    statement_id: Mapped[str] = mapped_column(sa.String(50))
    value: Mapped[int]
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("attempt_id", "statement_id"),
        sa.CheckConstraint("value BETWEEN 1 AND 5", name="value_range"),
    )


class Result(Base):
    """A normed score, stamped with the versions that produced it."""

    __tablename__ = "result"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempt.id"), index=True)
    #: Norm scale key, e.g. ``logic.number_correct`` or ``personality.ES``.
    scale: Mapped[str] = mapped_column(sa.String(50))
    raw: Mapped[float | None]
    n_items: Mapped[int]
    n_answered: Mapped[int]
    percentile: Mapped[float | None]
    t_score: Mapped[float | None]
    sten: Mapped[int | None]
    stanine: Mapped[int | None]
    #: Latent ability and its standard error (IRT-scored logic test only).
    theta: Mapped[float | None]
    se: Mapped[float | None]
    #: Confidence band of the percentile (level ``band_level``, e.g. 0.90).
    percentile_low: Mapped[float | None]
    percentile_high: Mapped[float | None]
    band_level: Mapped[float | None]
    #: Scale-specific detail, e.g. items administered, stop reason, rapid guesses.
    details: Mapped[dict | None] = mapped_column(sa.JSON)
    norm_group: Mapped[str] = mapped_column(sa.String(50))
    #: e.g. ``general.v1``
    norm_ref: Mapped[str] = mapped_column(sa.String(80))
    norm_provisional: Mapped[bool]
    bank_id: Mapped[str] = mapped_column(sa.String(100))
    bank_version: Mapped[str] = mapped_column(sa.String(50))
    engine_version: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="results")

    __table_args__ = (sa.UniqueConstraint("attempt_id", "scale"),)
