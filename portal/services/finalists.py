"""Final candidates ("slutkandidater"): whom the final-candidates view compares with the
requirement profile, side by side but never ranked.

The rule: the candidates a consultant has marked as finalists; until anyone of the
assignment is marked, those who have finished the battery. Erased candidates never
appear. The view shows a page of them at a time (``PER_PAGE``), so its work, including the
Monte Carlo of each candidate's overall fit, is bounded whatever the size of the
assignment. Services flush and never commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import synthesis as syn
from ..models import Assignment, Candidate, Stage
from . import audit
from .evidence import Matrix, evidence_matrices
from .paging import Page, page_number

#: Candidates per page of the final-candidates view (columns of its table).
PER_PAGE = 10


class FinalistError(ValueError):
    """``erased``: an erased candidate cannot be marked."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def any_marked(session: Session, assignment: Assignment) -> bool:
    return bool(session.scalar(sa.select(sa.exists().where(
        Candidate.assignment_id == assignment.id, Candidate.finalist_at.is_not(None),
        Candidate.erased_at.is_(None)))))


def finalist_condition(assignment: Assignment, *, marked: bool) -> sa.ColumnElement[bool]:
    """Which candidates of ``assignment`` are finalists (``marked``: see ``any_marked``)."""
    chosen = Candidate.finalist_at.is_not(None) if marked else Candidate.stage == Stage.DONE
    return sa.and_(Candidate.assignment_id == assignment.id, Candidate.erased_at.is_(None), chosen)


@dataclass(frozen=True)
class Column:
    """One finalist on the page and their evidence matrix."""

    candidate: Candidate
    matrix: Matrix


@dataclass(frozen=True)
class FinalistPage:
    page: Page
    #: True when the consultant has marked finalists; False: those who finished are shown.
    marked: bool
    columns: list[Column]
    #: Competency keys of the current requirement profile, in profile order (none: no profile).
    keys: list[str]
    #: Per competency key: groups of candidates the data does not separate there (lists of
    #: ``Candidate``, in page order; see ``portal.synthesis.inseparable_groups``).
    inseparable: dict[str, list[list[Candidate]]]


def finalists_page(session: Session, assignment: Assignment, *, page=1, per_page: int = PER_PAGE) -> FinalistPage:
    """One page of the assignment's finalists in the order they were added, each with
    their evidence matrix, and per competency the groups the data does not separate
    (among the candidates on the page). A fixed number of queries."""
    marked = any_marked(session, assignment)
    condition = finalist_condition(assignment, marked=marked)
    total = session.scalar(sa.select(sa.func.count()).select_from(Candidate).where(condition)) or 0
    number = page_number(page, total, per_page)
    candidates = session.scalars(sa.select(Candidate).where(condition).order_by(Candidate.id)
                                 .limit(per_page).offset((number - 1) * per_page)).all()
    matrices = evidence_matrices(session, assignment, candidates)
    columns = [Column(c, matrices[c.id]) for c in candidates]
    keys = [r.key for r in columns[0].matrix.rows] if columns else []
    inseparable = {}
    for position, key in enumerate(keys):
        scored = [(col.candidate, col.matrix.rows[position]) for col in columns]
        scored = [(c, r) for c, r in scored if r.level is not None]
        groups = syn.inseparable_groups([(r.level, r.sd) for _, r in scored])
        inseparable[key] = [[scored[i][0] for i in group] for group in groups]
    return FinalistPage(Page(number, per_page, total, tuple(c.id for c in candidates)), marked, columns, keys,
                        inseparable)


def set_finalist(session: Session, candidate: Candidate, *, finalist: bool, user_id: int | None,
                 now: datetime) -> bool:
    """Mark ``candidate`` as a finalist or remove the mark. Idempotent: False when it was
    so already (only a change is audited). Raises ``FinalistError("erased")``."""
    if candidate.erased_at is not None:
        raise FinalistError("erased")
    changed = session.execute(
        sa.update(Candidate)
        .where(Candidate.id == candidate.id,
               Candidate.finalist_at.is_(None) if finalist else Candidate.finalist_at.is_not(None))
        .values(finalist_at=now if finalist else None)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    session.refresh(candidate)
    if changed:
        audit.record(session, user_id=user_id, action="finalist" if finalist else "not_finalist",
                     object_type="candidate", object_id=candidate.id,
                     detail={"assignment": candidate.assignment_id}, now=now)
    return changed
