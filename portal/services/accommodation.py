"""Changes a consultant makes to a candidate's timed test: extra time (also while the
test is running) and a technical reset of the logic test. Services take a session and
plain values (``now`` included) and only flush; the request commits. Refusals are
``CandidateAdminError``; audit entries name objects by id only.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Attempt, Candidate, Stage, TestKind
from . import audit
from .candidate_admin import MAX_EXTRA_TIME_PCT, CandidateAdminError
from .journey import current_attempt, logic_time_limit

MAX_REASON_LENGTH = 2000
#: Shortening the time limit during a running test never leaves the candidate less
#: than this, so a consultant's change cannot end a test on the spot.
MIN_REMAINING_AFTER_CHANGE = timedelta(seconds=60)


def running_logic_attempt(session: Session, candidate: Candidate) -> Attempt | None:
    """The timed attempt the candidate is in the middle of, if any."""
    return session.scalar(
        sa.select(Attempt).where(
            Attempt.candidate_id == candidate.id, Attempt.kind == TestKind.LOGIC,
            Attempt.finished_at.is_(None), Attempt.superseded_at.is_(None),
            Attempt.deadline.is_not(None),
        ).order_by(Attempt.number.desc()).limit(1)
    )


def set_accommodation(session: Session, candidate: Candidate, extra_time_pct: int, *,
                      user_id: int | None, now: datetime) -> Attempt | None:
    """Grant ``extra_time_pct`` percent extra time on timed tests (0-300).

    Allowed before and during the logic test. A running attempt gets its deadline
    recomputed from its start and the new limit: extending always applies in full
    (even if the old deadline has just passed and nobody has closed the attempt yet);
    shortening never leaves less than ``MIN_REMAINING_AFTER_CHANGE`` from ``now`` and
    never moves the deadline later than it was. Returns that attempt, or None.
    """
    if not isinstance(extra_time_pct, int) or not 0 <= extra_time_pct <= MAX_EXTRA_TIME_PCT:
        raise CandidateAdminError("invalid_extra_time", "extra_time", limit=MAX_EXTRA_TIME_PCT)
    previous = candidate.extra_time_pct
    candidate.extra_time_pct = extra_time_pct
    session.flush()
    attempt = running_logic_attempt(session, candidate)
    detail = {"extra_time_pct": extra_time_pct, "previous": previous}
    if attempt is not None:
        limit = logic_time_limit(candidate)
        deadline = attempt.started_at + limit
        if deadline < attempt.deadline:
            deadline = min(attempt.deadline, max(deadline, now + MIN_REMAINING_AFTER_CHANGE))
        # Conditional: an attempt that finished meanwhile keeps its record as it was.
        changed = session.execute(
            sa.update(Attempt)
            .where(Attempt.id == attempt.id, Attempt.finished_at.is_(None))
            .values(deadline=deadline,
                    time_limit_seconds=int((deadline - attempt.started_at).total_seconds()))
            .execution_options(synchronize_session=False)
        ).rowcount
        session.refresh(attempt)
        if changed:
            detail.update(attempt=attempt.id, deadline=deadline.isoformat())
        else:
            attempt = None
    audit.record(session, user_id=user_id, action="accommodation", object_type="candidate",
                 object_id=candidate.id, detail=detail, now=now)
    return attempt


def technical_reset(session: Session, candidate: Candidate, *, reason: str, user_id: int | None,
                    now: datetime, practice_items: int | None = None) -> Attempt | None:
    """Let the candidate take the logic test again after a technical problem.

    The current logic attempt is marked superseded (``superseded_at``; ``reset_reason``
    holds why) and, if it was running, ended, so it is never scored or closed later; it
    keeps its answers and any results. The candidate goes back to the "ready to start"
    page (stage PRACTICE with the practice done: ``practice_items``); their next start
    creates attempt ``number + 1``. Refused without a reason (``reason_required``) and
    after completion (``already_completed``: the battery is over and results are
    reported). Returns the superseded attempt, or None when there is nothing to reset
    (no attempt, or it was reset already and not restarted).
    """
    reason = (reason or "").strip()
    if not reason:
        raise CandidateAdminError("reason_required", "reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise CandidateAdminError("reason_too_long", "reason", limit=MAX_REASON_LENGTH)
    if candidate.stage is Stage.DONE:
        raise CandidateAdminError("already_completed")
    attempt = current_attempt(session, candidate, TestKind.LOGIC)
    if attempt is None or attempt.superseded_at is not None:
        return None
    claimed = session.execute(
        sa.update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.superseded_at.is_(None))
        .values(superseded_at=now, reset_reason=reason,
                finished_at=sa.func.coalesce(Attempt.finished_at, now))
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    session.refresh(attempt)
    if not claimed:
        return None
    position = max(candidate.practice_position, practice_items or 0)
    session.execute(
        sa.update(Candidate)
        .where(Candidate.id == candidate.id,
               Candidate.stage.in_([Stage.PRACTICE, Stage.LOGIC, Stage.INVENTORY]))
        .values(stage=Stage.PRACTICE, practice_position=position)
        .execution_options(synchronize_session=False)
    )
    session.refresh(candidate)
    from . import verification

    pending = verification.open_order(session, candidate)  # it would verify the replaced result
    if pending is not None:
        verification.cancel(session, pending, user_id=user_id, now=now)
    audit.record(session, user_id=user_id, action="technical_reset", object_type="candidate",
                 object_id=candidate.id, detail={"attempt": attempt.id}, now=now)
    return attempt


def can_reset(session: Session, candidate: Candidate) -> bool:
    """Whether ``technical_reset`` would supersede an attempt now."""
    if candidate.stage is Stage.DONE:
        return False
    attempt = current_attempt(session, candidate, TestKind.LOGIC)
    return attempt is not None and attempt.superseded_at is None
