"""Candidates and their invitations, as the consultant manages them.

Use cases: add one candidate, import many from a CSV file, revoke or re-issue an
invitation link, grant extra time (also while the timed test is running), and a
technical reset of the logic test. Services take a session and plain values (``now``
included) and only flush; the request commits.

Errors are ``CandidateAdminError`` with a ``code`` (and the form ``field`` it belongs
to), so the view can say it in the user's language. Audit entries name objects by id
only: no names, e-mail addresses or free-text reasons.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import (
    Assignment,
    Attempt,
    Candidate,
    Invitation,
    Stage,
    TestKind,
)
from . import audit
from .invitations import LANGUAGES, InvitationSettings, invite_candidate
from .journey import logic_time_limit

MAX_EXTRA_TIME_PCT = 300
MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 254
MAX_REASON_LENGTH = 2000
#: Shortening the time limit during a running test never leaves the candidate less
#: than this, so a consultant's change cannot end a test on the spot.
MIN_REMAINING_AFTER_CHANGE = timedelta(seconds=60)

# Deliberately plain: one @, something on both sides, a dot in the domain, no
# spaces or separators a spreadsheet might have glued on.
_EMAIL_RE = re.compile(r"^[^@\s,;<>()\[\]\"']+@[^@\s,;<>()\[\]\"']+\.[^@\s,;<>()\[\]\"'.]+$")


class CandidateAdminError(ValueError):
    """A refused request; ``code`` names the problem, ``field`` the form field."""

    def __init__(self, code: str, field: str | None = None, **params):
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params


# -- validation shared by the form and the CSV import --------------------------------


def clean_name(value: str | None) -> str:
    return " ".join((value or "").split())


def clean_email(value: str | None) -> str:
    return (value or "").strip()


def email_key(email: str) -> str:
    """The form in which two addresses count as the same."""
    return email.strip().lower()


def valid_email(email: str) -> bool:
    return len(email) <= MAX_EMAIL_LENGTH and bool(_EMAIL_RE.match(email))


def check_candidate(name: str, email: str, language: str, extra_time_pct: int) -> None:
    if not name:
        raise CandidateAdminError("missing_name", "name")
    if len(name) > MAX_NAME_LENGTH:
        raise CandidateAdminError("name_too_long", "name", limit=MAX_NAME_LENGTH)
    if not email:
        raise CandidateAdminError("missing_email", "email")
    if not valid_email(email):
        raise CandidateAdminError("invalid_email", "email")
    if language not in LANGUAGES:
        raise CandidateAdminError("unknown_language", "language")
    if not isinstance(extra_time_pct, int) or not 0 <= extra_time_pct <= MAX_EXTRA_TIME_PCT:
        raise CandidateAdminError("invalid_extra_time", "extra_time", limit=MAX_EXTRA_TIME_PCT)


def assignment_emails(session: Session, assignment: Assignment) -> set[str]:
    """E-mail addresses (as ``email_key``) of the assignment's candidates."""
    rows = session.scalars(sa.select(Candidate.email).where(Candidate.assignment_id == assignment.id))
    return {email_key(e) for e in rows}


def newest_candidates(session: Session, assignment: Assignment, *, limit: int) -> tuple[int, list[Candidate]]:
    """How many candidates the assignment has, and the ``limit`` added last (newest first)."""
    count = session.scalar(sa.select(sa.func.count()).select_from(Candidate)
                           .where(Candidate.assignment_id == assignment.id)) or 0
    newest = session.scalars(sa.select(Candidate).where(Candidate.assignment_id == assignment.id)
                             .order_by(Candidate.id.desc()).limit(limit)).all()
    return count, list(newest)


def create_candidate(session: Session, assignment: Assignment, *, name: str, email: str, language: str,
            extra_time_pct: int, user_id: int | None, now: datetime,
            settings: InvitationSettings, source: str,
            api_key_id: int | None = None) -> tuple[Candidate, Invitation]:
    candidate, invitation = invite_candidate(
        session, assignment, name=name, email=email, now=now, settings=settings,
        language=language, extra_time_pct=extra_time_pct,
    )
    session.flush()
    detail = {"assignment": assignment.id, "invitation": invitation.id,
              "language": language, "extra_time_pct": extra_time_pct, "source": source}
    if api_key_id is not None:
        detail["api_key"] = api_key_id
    audit.record(session, user_id=user_id, action="create", object_type="candidate",
                 object_id=candidate.id, detail=detail, now=now)
    return candidate, invitation


def add_candidate(session: Session, assignment: Assignment, *, name: str, email: str,
                  language: str, extra_time_pct: int, user_id: int | None, now: datetime,
                  settings: InvitationSettings, source: str = "form",
                  api_key_id: int | None = None) -> tuple[Candidate, Invitation]:
    """One new candidate with a fresh invitation (not e-mailed: the view decides).

    Refuses an e-mail address that already belongs to a candidate of the assignment
    (``already_invited``): a second row for the same person splits their results.
    ``source`` is "form" or "api" (then ``api_key_id`` names the key, in the audit log).
    """
    name, email = clean_name(name), clean_email(email)
    language = language or assignment.language
    check_candidate(name, email, language, extra_time_pct)
    if email_key(email) in assignment_emails(session, assignment):
        raise CandidateAdminError("already_invited", "email")
    return create_candidate(session, assignment, name=name, email=email, language=language,
                   extra_time_pct=extra_time_pct, user_id=user_id, now=now, settings=settings,
                   source=source, api_key_id=api_key_id)


# -- accommodation and technical reset ------------------------------------------------


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
    attempt = session.scalar(
        sa.select(Attempt).where(Attempt.candidate_id == candidate.id, Attempt.kind == TestKind.LOGIC)
        .order_by(Attempt.number.desc()).limit(1)
    )
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
    attempt = session.scalar(
        sa.select(Attempt).where(Attempt.candidate_id == candidate.id, Attempt.kind == TestKind.LOGIC)
        .order_by(Attempt.number.desc()).limit(1)
    )
    return attempt is not None and attempt.superseded_at is None


__all__ = [
    "MAX_EXTRA_TIME_PCT",
    "MIN_REMAINING_AFTER_CHANGE",
    "CandidateAdminError",
    "add_candidate",
    "assignment_emails",
    "can_reset",
    "newest_candidates",
    "running_logic_attempt",
    "set_accommodation",
    "technical_reset",
]
