"""Where an assignment's candidates stand: the consultant's progress boards (the
assignment page and the fragment it polls, the candidates-and-invitations list, one
candidate's manage page).

Flat at scale (design.md, section 8): a board shows one page of candidates, filtered by
status and by a search on name or e-mail address, and every function here issues a fixed
number of queries whatever the number of candidates. The status filter runs in SQL
(:func:`status_expression`), so it has to say exactly what
:func:`portal.services.invitations.candidate_status` says; a test holds the two together.

"Time used" (:func:`time_used`) and "last activity" (:func:`candidate_progress`) are
computed here and nowhere else, for every board and the candidate's own pages.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..models import (
    Assignment,
    Attempt,
    Candidate,
    FinishReason,
    InventoryResponse,
    Invitation,
    LogicResponse,
    Result,
    Stage,
    TestKind,
)
from .invitations import CandidateStatus, candidate_status, current_invitation
from .paging import Page, page_number

#: Candidates per page on the boards.
PER_PAGE = 50
#: Longest search text used (longer input is cut).
MAX_SEARCH_LENGTH = 100

#: Test states in progress rows.
NOT_STARTED, IN_PROGRESS, COMPLETED, TIMEOUT, RESET = (
    "not_started", "in_progress", "completed", "timeout", "reset")

STATUSES = tuple(s.value for s in CandidateStatus)


# -- filters -------------------------------------------------------------------------


def clean_search(text: str | None) -> str:
    return " ".join((text or "").split())[:MAX_SEARCH_LENGTH]


def search_condition(text: str) -> sa.ColumnElement[bool]:
    """Name or e-mail address contains ``text``, ignoring case (``lower`` is Unicode-aware
    on PostgreSQL and, through ``portal.db``, on the app's SQLite connections)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return sa.or_(sa.func.lower(Candidate.name).like(pattern, escape="\\"),
                  sa.func.lower(Candidate.email).like(pattern, escape="\\"))


def status_expression(now: datetime) -> sa.ColumnElement[str]:
    """The SQL twin of ``candidate_status``: a CASE over the candidate's stage and
    correlated EXISTS over their invitations (index lookups per candidate, a plan that
    stays linear whatever else filters the candidates)."""
    def any_invitation(*conditions) -> sa.Exists:
        return sa.exists().where(Invitation.candidate_id == Candidate.id, *conditions)

    live = Invitation.revoked_at.is_(None)
    return sa.case(
        (Candidate.stage == Stage.DONE, CandidateStatus.COMPLETED.value),
        (sa.and_(any_invitation(), ~any_invitation(live)), CandidateStatus.REVOKED.value),
        (sa.and_(any_invitation(live), ~any_invitation(live, Invitation.expires_at >= now)),
         CandidateStatus.EXPIRED.value),
        (Candidate.stage != Stage.WELCOME, CandidateStatus.IN_PROGRESS.value),
        (any_invitation(Invitation.opened_at.is_not(None)), CandidateStatus.OPENED.value),
        else_=CandidateStatus.INVITED.value,
    )


@dataclass(frozen=True)
class Board:
    """A board's page of candidates and its filters. ``counts``: candidates per status
    (``CandidateStatus`` value) among those matching the search, for the filter."""

    page: Page
    status: str = ""
    search: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def matching(self) -> int:
        """Candidates matching the search, whatever their status."""
        return sum(self.counts.values())


def board(session: Session, assignment: Assignment, *, now: datetime, status: str = "",
          search: str = "", page=1, per_page: int = PER_PAGE) -> Board:
    """One page of the assignment's candidates (in the order they were added) with the
    given ``status`` (a ``CandidateStatus`` value; anything else means all) whose name or
    e-mail address contains ``search``. Two queries."""
    status = status if status in STATUSES else ""
    search = clean_search(search)
    filtered = sa.select(Candidate.id.label("id"), status_expression(now).label("status")) \
        .where(Candidate.assignment_id == assignment.id)
    if search:
        filtered = filtered.where(search_condition(search))
    filtered = filtered.subquery("filtered")
    counts = {value: count for value, count in session.execute(
        sa.select(filtered.c.status, sa.func.count()).group_by(filtered.c.status))}
    total = counts.get(status, 0) if status else sum(counts.values())
    number = page_number(page, total, per_page)
    query = sa.select(filtered.c.id)
    if status:
        query = query.where(filtered.c.status == status)
    ids = tuple(session.scalars(query.order_by(filtered.c.id).limit(per_page).offset((number - 1) * per_page)))
    return Board(Page(number, per_page, total, ids), status, search, counts)


# -- progress rows ---------------------------------------------------------------------


def minutes(delta: timedelta | None) -> int | None:
    """Whole minutes of ``delta``, rounded down (time used is never overstated)."""
    return None if delta is None else int(delta.total_seconds() // 60)


def time_used(attempt: Attempt, *, now: datetime, last: datetime | None = None) -> timedelta:
    """The candidate's time on the test in ``attempt``: from its start to its finish, to
    ``now`` while a timed test runs, never past the deadline (a test closed after its
    deadline used the whole limit, not the time until it was closed). An untimed test
    still running counts until ``last``, its latest item shown or answered, not until
    ``now`` (the candidate may have paused)."""
    if attempt.finished_at is not None:
        end = attempt.finished_at
    elif attempt.deadline is not None:
        end = now
    else:
        end = last or attempt.started_at
    if attempt.deadline is not None:
        end = min(end, attempt.deadline)
    return max(timedelta(0), end - attempt.started_at)


def _test_progress(attempt: Attempt | None, answered: int, last: datetime | None,
                   now: datetime) -> dict:
    info = {"state": NOT_STARTED, "attempt": attempt, "number": None, "started_at": None,
            "finished_at": None, "deadline": None, "time_used": None, "minutes_used": None,
            "answered": answered}
    if attempt is None:
        return info
    info.update(number=attempt.number, started_at=attempt.started_at,
                finished_at=attempt.finished_at, deadline=attempt.deadline)
    if attempt.superseded_at is not None:
        info["state"] = RESET
        return info
    if attempt.finished_at is not None:
        info["state"] = TIMEOUT if attempt.finish_reason is FinishReason.TIMEOUT else COMPLETED
    elif attempt.deadline is not None and now > attempt.deadline:
        info["state"] = TIMEOUT  # time is up; the attempt is closed on the next look
    else:
        info["state"] = IN_PROGRESS
    info["time_used"] = time_used(attempt, now=now, last=last)
    info["minutes_used"] = minutes(info["time_used"])
    return info


def candidate_progress(session: Session, assignment: Assignment, *, now: datetime,
                       candidate_ids: list[int] | tuple[int, ...] | None = None,
                       results: bool = False) -> list[dict]:
    """Where each candidate of the assignment (or each of ``candidate_ids``) stands, in
    the order they were added.

    Per candidate: ``candidate``, ``status`` (``CandidateStatus``), ``logic`` and
    ``inventory`` (``state``: not_started, in_progress, completed, timeout, or reset
    — superseded by a technical reset and not restarted yet; plus ``number``,
    ``started_at``, ``finished_at``, ``deadline``, ``time_used``, ``minutes_used`` and
    ``answered``), ``last_activity`` (latest item shown or answered, start, consent,
    completion or first opening), ``invitation`` (newest live one), ``expires_at``,
    ``reminders`` (sent over all links) and ``last_reminder_at``; with ``results``, also
    ``results`` (the current attempts' ``Result`` rows by scale). Seven queries (eight
    with results), whatever the number of candidates: pass a page's ids for a board.
    """
    query = sa.select(Candidate).options(selectinload(Candidate.invitations)).order_by(Candidate.id)
    if candidate_ids is not None:
        if not candidate_ids:
            return []
        # By primary key alone (PostgreSQL would otherwise walk the assignment's index and
        # filter thousands of rows); the assignment is checked below, on the page's rows.
        query = query.where(Candidate.id.in_(list(candidate_ids)))
    else:
        query = query.where(Candidate.assignment_id == assignment.id)
    candidates = [c for c in session.scalars(query) if c.assignment_id == assignment.id]
    ids = [c.id for c in candidates]
    if not ids:
        return []
    attempts: dict[tuple[int, TestKind], Attempt] = {}
    for attempt in session.scalars(
            sa.select(Attempt).where(Attempt.candidate_id.in_(ids)).order_by(Attempt.number)):
        attempts[(attempt.candidate_id, attempt.kind)] = attempt  # the highest number wins
    current_ids = [a.id for a in attempts.values()]
    logic_stats = {
        attempt_id: (answered, shown, last_answer)
        for attempt_id, answered, shown, last_answer in session.execute(
            sa.select(LogicResponse.attempt_id, sa.func.count(LogicResponse.answered_at),
                      sa.func.max(LogicResponse.presented_at), sa.func.max(LogicResponse.answered_at))
            .where(LogicResponse.attempt_id.in_(current_ids)).group_by(LogicResponse.attempt_id))
    }
    inventory_stats = {
        attempt_id: (answered, last)
        for attempt_id, answered, last in session.execute(
            sa.select(InventoryResponse.attempt_id, sa.func.count(),
                      sa.func.max(InventoryResponse.answered_at))
            .where(InventoryResponse.attempt_id.in_(current_ids)).group_by(InventoryResponse.attempt_id))
    }
    # Activity in attempts a reset replaced counts as activity too.
    logic_last_any = dict(session.execute(
        sa.select(Attempt.candidate_id,
                  sa.func.max(sa.func.coalesce(LogicResponse.answered_at, LogicResponse.presented_at)))
        .join(LogicResponse, LogicResponse.attempt_id == Attempt.id)
        .where(Attempt.candidate_id.in_(ids)).group_by(Attempt.candidate_id)
    ).all())
    started_last = dict(session.execute(
        sa.select(Attempt.candidate_id, sa.func.max(Attempt.started_at))
        .where(Attempt.candidate_id.in_(ids)).group_by(Attempt.candidate_id)
    ).all())
    by_attempt: dict[int, dict[str, Result]] = {}
    if results:
        scored = [a.id for a in attempts.values() if a.superseded_at is None]
        for result in session.scalars(sa.select(Result).where(Result.attempt_id.in_(scored))
                                      .order_by(Result.id)):
            by_attempt.setdefault(result.attempt_id, {})[result.scale] = result
    rows = []
    for c in candidates:
        logic = attempts.get((c.id, TestKind.LOGIC))
        inventory = attempts.get((c.id, TestKind.INVENTORY))
        l_answered, l_shown, l_last = logic_stats.get(logic.id, (0, None, None)) if logic else (0, None, None)
        i_answered, i_last = inventory_stats.get(inventory.id, (0, None)) if inventory else (0, None)
        opened = [i.opened_at for i in c.invitations if i.opened_at]
        moments = [l_shown, l_last, i_last, logic_last_any.get(c.id), started_last.get(c.id),
                   c.privacy_accepted_at, c.completed_at, max(opened, default=None)]
        invitation = current_invitation(c)
        reminder_times = [i.last_reminder_at for i in c.invitations if i.last_reminder_at]
        row = {
            "candidate": c,
            "status": candidate_status(c, now),
            "logic": _test_progress(logic, l_answered, max(filter(None, (l_shown, l_last)), default=None), now),
            "inventory": _test_progress(inventory, i_answered, i_last, now),
            "last_activity": max(filter(None, moments), default=None),
            "invitation": invitation,
            "expires_at": invitation.expires_at if invitation else None,
            "reminders": sum(i.reminder_count for i in c.invitations),
            "last_reminder_at": max(reminder_times, default=None),
        }
        if results:
            row["results"] = {scale: r for a in (logic, inventory) if a is not None
                              for scale, r in by_attempt.get(a.id, {}).items()}
        rows.append(row)
    return rows
