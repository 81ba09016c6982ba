"""What needs doing across assignments: the start page of consultants and client users.

Each line says what is waiting and links to the place to act. A consultant (or admin)
sees the assignments in their scope (``access.assignment_scope``): deadlines coming,
candidates not started or overdue, finalists without interview ratings, interviewed
candidates without a synthesis, syntheses whose client report is not released (or
older than the synthesis), and candidate replies not yet answered. A client user sees
their organisation's newly released client reports and the finalists whose first
opinion they can still record.

Flat at scale (design.md, section 8): one aggregate query per kind of line, each with a
bounded number of rows (``LIMIT``), whatever the number of assignments and candidates.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import (
    Assignment,
    Candidate,
    CandidateComment,
    Client,
    FirstOpinion,
    InterviewRating,
    Invitation,
    Report,
    ReportKind,
    Stage,
    Synthesis,
    User,
)
from ..models.assignments import AssignmentStatus
from . import access

#: Deadlines this many days ahead are "coming".
DEADLINE_HORIZON_DAYS = 7
#: A candidate invited this many days ago who has not begun is "not started" (before
#: that they have simply not had time yet).
NOT_STARTED_AFTER_DAYS = 3
#: Released client reports this recent are "new" on a client user's start page.
RECENT_REPORT_DAYS = 30
#: Rows per kind of line; the page says when there are more.
LIMIT = 20


@dataclass(frozen=True)
class Line:
    """One thing waiting: in ``assignment`` (and for ``candidate`` when about one), with a
    count where it is about several candidates, and a date where one matters."""

    kind: str
    assignment_id: int
    assignment_title: str
    client_name: str
    count: int = 1
    candidate_id: int | None = None
    candidate_name: str | None = None
    when: date | datetime | None = None
    #: For client users: the released report a line is about.
    report_id: int | None = None


def _open_in_scope(user) -> sa.Select:
    return access.assignment_scope(user).with_only_columns(Assignment.id).where(
        Assignment.status == AssignmentStatus.OPEN)


def _candidate_lines(session: Session, kind: str, query: sa.Select) -> list[Line]:
    """Lines from rows of (assignment id, title, client, candidate id, name, when)."""
    return [Line(kind, a_id, title, client, candidate_id=c_id, candidate_name=name, when=when)
            for a_id, title, client, c_id, name, when in session.execute(query.limit(LIMIT))]


def _candidates() -> sa.Select:
    return (sa.select(Assignment.id, Assignment.title, Client.name, Candidate.id, Candidate.name)
            .join(Assignment, Candidate.assignment_id == Assignment.id)
            .join(Client, Assignment.client_id == Client.id)
            .where(Candidate.erased_at.is_(None)))


def consultant_overview(session: Session, user: User, *, now: datetime) -> dict[str, list[Line]]:
    """The lines of a consultant's (or admin's) start page, by kind, each list at most
    ``LIMIT`` long. Seven queries."""
    scope = _open_in_scope(user)
    today = now.date()
    not_done = sa.and_(Candidate.stage != Stage.DONE, Candidate.erased_at.is_(None))
    live_invitation = sa.exists().where(Invitation.candidate_id == Candidate.id, Invitation.revoked_at.is_(None))

    # Deadlines coming, with how many candidates have not finished.
    unfinished = (sa.select(sa.func.count()).select_from(Candidate)
                  .where(Candidate.assignment_id == Assignment.id, not_done, live_invitation)
                  .correlate(Assignment).scalar_subquery())
    deadlines = [Line("deadline", a_id, title, client, count=n, when=deadline)
                 for a_id, title, client, deadline, n in session.execute(
                     sa.select(Assignment.id, Assignment.title, Client.name, Assignment.deadline, unfinished)
                     .join(Client, Assignment.client_id == Client.id)
                     .where(Assignment.id.in_(scope), Assignment.deadline.is_not(None),
                            Assignment.deadline >= today,
                            Assignment.deadline <= today + timedelta(days=DEADLINE_HORIZON_DAYS))
                     .order_by(Assignment.deadline, Assignment.id).limit(LIMIT))]

    # Candidates overdue (the deadline passed, not finished) or not started (invited a
    # while ago, not begun), counted per assignment.
    overdue = sa.and_(Assignment.deadline.is_not(None), Assignment.deadline < today)
    invited_long_ago = ~sa.exists().where(
        Invitation.candidate_id == Candidate.id,
        Invitation.created_at > now - timedelta(days=NOT_STARTED_AFTER_DAYS))
    n_overdue = sa.func.sum(sa.case((overdue, 1), else_=0))
    n_not_started = sa.func.sum(sa.case((sa.and_(~overdue, Candidate.stage == Stage.WELCOME, invited_long_ago), 1),
                                        else_=0))
    lagging = []
    for a_id, title, client, overdue_count, not_started_count in session.execute(
            sa.select(Assignment.id, Assignment.title, Client.name, n_overdue, n_not_started)
            .join(Assignment, Candidate.assignment_id == Assignment.id)
            .join(Client, Assignment.client_id == Client.id)
            .where(Assignment.id.in_(scope), not_done, live_invitation)
            .group_by(Assignment.id, Assignment.title, Client.name)
            .having(sa.or_(n_overdue > 0, n_not_started > 0))
            .order_by(Assignment.id).limit(LIMIT)):
        if overdue_count:
            lagging.append(Line("overdue", a_id, title, client, count=int(overdue_count)))
        if not_started_count:
            lagging.append(Line("not_started", a_id, title, client, count=int(not_started_count)))

    in_scope = Candidate.assignment_id.in_(scope)
    submitted = sa.exists().where(InterviewRating.candidate_id == Candidate.id,
                                  InterviewRating.submitted_at.is_not(None))
    # Finalists nobody has rated yet, and the user's own drafts not submitted.
    own_draft = sa.exists().where(InterviewRating.candidate_id == Candidate.id,
                                  InterviewRating.rater_id == user.id,
                                  InterviewRating.submitted_at.is_(None))
    ratings = _candidate_lines(session, "ratings", _candidates().add_columns(Candidate.finalist_at).where(
        in_scope, sa.or_(sa.and_(Candidate.finalist_at.is_not(None), ~submitted), own_draft))
        .order_by(Candidate.finalist_at, Candidate.id))

    # Interviewed (or finalist) candidates without a written synthesis.
    written = sa.exists().where(Synthesis.candidate_id == Candidate.id, Synthesis.judgement != "")
    syntheses = _candidate_lines(session, "synthesis", _candidates().add_columns(Candidate.finalist_at).where(
        in_scope, Candidate.stage == Stage.DONE, sa.or_(submitted, Candidate.finalist_at.is_not(None)), ~written)
        .order_by(Candidate.id))

    # A written synthesis whose client report is not released, or older than it.
    latest_release = (sa.select(sa.func.max(Report.released_at))
                      .where(Report.candidate_id == Candidate.id, Report.kind == ReportKind.CLIENT)
                      .correlate(Candidate).scalar_subquery())
    releases = _candidate_lines(session, "release", _candidates().add_columns(Synthesis.updated_at)
                                .join(Synthesis, Synthesis.candidate_id == Candidate.id)
                                .where(in_scope, Synthesis.judgement != "",
                                       sa.or_(latest_release.is_(None), Synthesis.updated_at > latest_release))
                                .order_by(Synthesis.updated_at, Candidate.id))

    # Replies not answered (new, or changed since they were answered).
    replies = _candidate_lines(session, "reply", _candidates().add_columns(CandidateComment.updated_at)
                               .join(CandidateComment, CandidateComment.candidate_id == Candidate.id)
                               .where(in_scope, sa.or_(CandidateComment.answered_at.is_(None),
                                                       CandidateComment.updated_at > CandidateComment.answered_at))
                               .order_by(CandidateComment.updated_at, Candidate.id))
    return {"deadline": deadlines, "lagging": lagging, "ratings": ratings, "synthesis": syntheses,
            "release": releases, "reply": replies}


def client_overview(session: Session, user: User, *, now: datetime) -> dict[str, list[Line]]:
    """A client user's start page: their organisation's client reports released in the
    last ``RECENT_REPORT_DAYS`` days (newest first), and the finished or finalist
    candidates whose first opinion is still open (no client report released) and not
    recorded. Two queries."""
    scope = _open_in_scope(user)
    newest = (sa.select(Report.candidate_id, sa.func.max(Report.version).label("version"))
              .where(Report.kind == ReportKind.CLIENT).group_by(Report.candidate_id).subquery())
    released = [Line("released", a_id, title, client, candidate_id=c_id, candidate_name=name, when=when,
                     report_id=r_id)
                for a_id, title, client, c_id, name, when, r_id in session.execute(
                    _candidates().add_columns(Report.released_at, Report.id)
                    .join(Report, Report.candidate_id == Candidate.id)
                    .join(newest, sa.and_(newest.c.candidate_id == Report.candidate_id,
                                          newest.c.version == Report.version))
                    .where(Candidate.assignment_id.in_(scope), Report.kind == ReportKind.CLIENT,
                           Report.released_at >= now - timedelta(days=RECENT_REPORT_DAYS))
                    .order_by(Report.released_at.desc(), Report.id.desc()).limit(LIMIT))]
    any_report = sa.exists().where(Report.candidate_id == Candidate.id, Report.kind == ReportKind.CLIENT)
    recorded = sa.exists().where(FirstOpinion.candidate_id == Candidate.id)
    first_opinions = _candidate_lines(session, "first_opinion", _candidates().add_columns(Candidate.finalist_at).where(
        Candidate.assignment_id.in_(scope), sa.or_(Candidate.finalist_at.is_not(None), Candidate.stage == Stage.DONE),
        ~any_report, ~recorded).order_by(Candidate.id))
    return {"released": released, "first_opinion": first_opinions}
