"""Candidates and their invitation links."""
from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..models import Assignment, Attempt, Candidate, Invitation, LogicResponse, Stage, TestKind
from . import webhooks
from .norm_data import person_key
from .tokens import TokenExpired, TokenInvalid, make_invitation_token, read_invitation_token

LANGUAGES = ("sv", "en")


class InvitationError(ValueError):
    """Bad input when inviting; the message is shown to the user."""


class InvitationRevoked(TokenExpired):
    pass


@dataclass(frozen=True)
class InvitationSettings:
    secret_key: str
    max_age_days: int
    base_url: str

    @property
    def max_age_seconds(self) -> int:
        return self.max_age_days * 86400


def invite_candidate(
    session: Session,
    assignment: Assignment,
    *,
    name: str,
    email: str,
    now: datetime,
    settings: InvitationSettings,
    language: str | None = None,
    extra_time_pct: int = 0,
) -> tuple[Candidate, Invitation]:
    name = (name or "").strip()
    email = (email or "").strip()
    language = language or assignment.language
    if not name:
        raise InvitationError("name is required")
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise InvitationError(f"not a valid e-mail address: {email!r}")
    if language not in LANGUAGES:
        raise InvitationError(f"language must be one of {', '.join(LANGUAGES)}")
    if not 0 <= extra_time_pct <= 300:
        raise InvitationError("extra time must be between 0 and 300 percent")
    candidate = Candidate(
        assignment=assignment, name=name, email=email, extra_time_pct=extra_time_pct,
        person_key=person_key(settings.secret_key, email),
    )
    session.add(candidate)
    invitation = issue_invitation(session, candidate, now=now, settings=settings, language=language)
    return candidate, invitation


def issue_invitation(
    session: Session, candidate: Candidate, *, now: datetime, settings: InvitationSettings,
    language: str,
) -> Invitation:
    invitation = Invitation(
        candidate=candidate,
        nonce=secrets.token_urlsafe(24),
        language=language,
        created_at=now,
        expires_at=now + timedelta(days=settings.max_age_days),
    )
    session.add(invitation)
    session.flush()
    # In this transaction: a refused or rolled-back invitation notifies nobody.
    webhooks.candidate_invited(session, candidate, invitation, now=now, base_url=settings.base_url)
    return invitation


def invitation_url(invitation: Invitation, settings: InvitationSettings) -> str:
    token = make_invitation_token(settings.secret_key, invitation.id, invitation.nonce)
    return f"{settings.base_url.rstrip('/')}/i/{token}"


def open_invitation(
    session: Session, token: str, *, now: datetime, settings: InvitationSettings
) -> Invitation:
    """Resolve a link's token to its invitation, or raise a TokenError.

    Creates nothing; records the first opening only.
    """
    inv_id, nonce = read_invitation_token(settings.secret_key, token, settings.max_age_seconds)
    invitation = session.get(Invitation, inv_id)
    if invitation is None or not secrets.compare_digest(invitation.nonce, nonce):
        raise TokenInvalid("no such invitation")
    if invitation.revoked_at is not None:
        raise InvitationRevoked("invitation revoked")
    if now > invitation.expires_at and invitation.candidate.stage is not Stage.DONE:
        raise TokenExpired("invitation expired")
    if invitation.opened_at is None:
        session.execute(
            sa.update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.opened_at.is_(None))
            .values(opened_at=now)
        )
        session.refresh(invitation)
    return invitation


#: What every candidate page needs, in one query: invitation, candidate, assignment. Built
#: once, so that its cache key is not computed again on every request.
_SESSION_INVITATION = (
    sa.select(Invitation).where(Invitation.id == sa.bindparam("id"))
    .options(joinedload(Invitation.candidate).joinedload(Candidate.assignment))
)


_latest = aliased(Attempt)
#: The same, and the candidate's latest logic attempt with the item on screen
#: (``Attempt.presented``): the item page and its answer need all of it, and one query
#: instead of two is one round trip less on every request of the test. The five rows are
#: plain entities of one explicit join, linked below, rather than eager loads: the ORM
#: loads them in about two thirds of the CPU time of three nested ``joinedload``.
_SESSION_INVITATION_LOGIC = (
    sa.select(Invitation, Candidate, Assignment, Attempt, LogicResponse)
    .join(Candidate, Candidate.id == Invitation.candidate_id)
    .join(Assignment, Assignment.id == Candidate.assignment_id)
    .outerjoin(Attempt, sa.and_(
        Attempt.candidate_id == Invitation.candidate_id, Attempt.kind == TestKind.LOGIC,
        Attempt.number == sa.select(sa.func.max(_latest.number))
        .where(_latest.candidate_id == Invitation.candidate_id, _latest.kind == TestKind.LOGIC)
        .scalar_subquery()))
    # As ``Attempt.presented``: unanswered (at most one per attempt).
    .outerjoin(LogicResponse, sa.and_(LogicResponse.attempt_id == Attempt.id,
                                      LogicResponse.answered_at.is_(None)))
    .where(Invitation.id == sa.bindparam("id"))
    .limit(1)
)


_inv, _cand, _asg, _att, _resp = (m.__table__ for m in (Invitation, Candidate, Assignment, Attempt, LogicResponse))
_latest_t = _att.alias()


def _item_statement(*extra):
    """The item page's common case in plain columns (Core, no ORM entities): the session's
    invitation and candidate, the current logic attempt and the item on screen, and
    ``extra`` columns. Loading the five ORM entities of :data:`_SESSION_INVITATION_LOGIC`
    costs two to three times the CPU of the query itself; the page needs a dozen values."""
    return (
        sa.select(
            _inv.c.nonce, _inv.c.revoked_at, _inv.c.language.label("invitation_language"),
            _cand.c.id.label("candidate_id"), _cand.c.stage, _cand.c.chosen_language,
            _att.c.id.label("attempt_id"), _att.c.bank_id, _att.c.bank_version, _att.c.deadline,
            _att.c.finished_at, _att.c.pretest_plan,
            # The presented response's columns under their own names: the row stands for
            # it (``journey.presentation``), so ``id`` is the response's.
            _resp.c.id, _resp.c.item_id, _resp.c.position, _resp.c.option_ids, _resp.c.option_order,
            *extra,
        )
        .select_from(_inv.join(_cand, _cand.c.id == _inv.c.candidate_id)
                     .join(_asg, _asg.c.id == _cand.c.assignment_id))
        .outerjoin(_att, sa.and_(
            _att.c.candidate_id == _inv.c.candidate_id, _att.c.kind == TestKind.LOGIC,
            _att.c.number == sa.select(sa.func.max(_latest_t.c.number))
            .where(_latest_t.c.candidate_id == _inv.c.candidate_id, _latest_t.c.kind == TestKind.LOGIC)
            .scalar_subquery()))
        .outerjoin(_resp, sa.and_(_resp.c.attempt_id == _att.c.id, _resp.c.answered_at.is_(None)))
        .where(_inv.c.id == sa.bindparam("id"))
        .limit(1)
    )


#: What the item page shows; built once (its cache key is not computed per request).
_ITEM_PAGE = _item_statement()
#: What the answer to it needs besides (``journey.AttemptRow``, ``journey.ResponseRow``).
_ITEM_ANSWER = _item_statement(_att.c.seed, _att.c.cat_state, _att.c.cat_answers, _resp.c.presented_at,
                               _resp.c.pretest, _asg.c.norm_group, _att.c.device)


@dataclass(frozen=True, slots=True)
class SessionCandidate:
    """The columns of the session's candidate and invitation that a page of the logic test
    reads (language choice, step), for the item page's fast path, which loads no ORM
    entities: it stands in ``g.candidate`` and ``g.invitation`` there."""
    id: int
    stage: Stage
    chosen_language: str | None
    language: str  # the invitation's


def item_page_row(session: Session, inv_id: int | None, nonce: str | None, *, answer: bool = False):
    """The item page's values in one Core row (:data:`_ITEM_PAGE`; ``answer``: with
    what its answer needs, :data:`_ITEM_ANSWER`), or None when the session is not valid.
    Attempt and response columns are None where there is none."""
    if not inv_id or not nonce:
        return None
    row = session.execute(_ITEM_ANSWER if answer else _ITEM_PAGE, {"id": inv_id}).first()
    if row is None or row.revoked_at is not None or not secrets.compare_digest(row.nonce, nonce):
        return None
    return row


def _valid(invitation: Invitation | None, nonce: str) -> bool:
    return (invitation is not None and invitation.revoked_at is None
            and secrets.compare_digest(invitation.nonce, nonce))


def invitation_for_session(session: Session, inv_id: int | None, nonce: str | None) -> Invitation | None:
    """The invitation a candidate session points to, if still valid."""
    if not inv_id or not nonce:
        return None
    invitation = session.execute(_SESSION_INVITATION, {"id": inv_id}).scalar_one_or_none()
    return invitation if _valid(invitation, nonce) else None


def invitation_and_logic_attempt(
    session: Session, inv_id: int | None, nonce: str | None
) -> tuple[Invitation | None, Attempt | None]:
    """:func:`invitation_for_session` and the candidate's current logic attempt (as
    ``journey.current_attempt(..., TestKind.LOGIC, presented=True)`` returns it), in one
    query; ``(None, None)`` when the session is not valid."""
    if not inv_id or not nonce:
        return None, None
    row = session.execute(_SESSION_INVITATION_LOGIC, {"id": inv_id}).first()
    if row is None or not _valid(row[0], nonce):
        return None, None
    invitation, candidate, assignment, attempt, presented = row
    # The relationships as the eager loads would have filled them (no query on access).
    set_committed_value(invitation, "candidate", candidate)
    set_committed_value(candidate, "assignment", assignment)
    if attempt is not None:
        set_committed_value(attempt, "candidate", candidate)
        set_committed_value(attempt, "presented", presented)
    return invitation, attempt


class CandidateStatus(enum.Enum):
    INVITED = "invited"
    OPENED = "opened"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    EXPIRED = "expired"
    REVOKED = "revoked"


def live_invitations(candidate: Candidate) -> list[Invitation]:
    return [i for i in candidate.invitations if i.revoked_at is None]


def current_invitation(candidate: Candidate) -> Invitation | None:
    """The newest invitation that is not revoked (it may have expired)."""
    live = live_invitations(candidate)
    return max(live, key=lambda i: i.id) if live else None


def candidate_status(candidate: Candidate, now: datetime) -> CandidateStatus:
    if candidate.stage is Stage.DONE:
        return CandidateStatus.COMPLETED
    live = live_invitations(candidate)
    if candidate.invitations and not live:
        return CandidateStatus.REVOKED
    if live and all(now > i.expires_at for i in live):
        return CandidateStatus.EXPIRED
    if candidate.stage is not Stage.WELCOME:
        return CandidateStatus.IN_PROGRESS
    if any(i.opened_at for i in candidate.invitations):
        return CandidateStatus.OPENED
    return CandidateStatus.INVITED
