"""The current test attempts of candidates and their results: where every page and
report that shows a candidate's results starts (the interview guide, the evidence
matrix, the reports). "Current" is the highest-numbered attempt per test that a
technical reset has not superseded; a verification test re-measures the logic result
and never takes its place. Functions over many candidates issue a fixed number of
queries whatever their number.
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Attempt, Candidate, Result, TestKind


def current_attempts_of(session: Session, candidate_ids: Iterable[int]) -> dict[int, dict[TestKind, Attempt]]:
    """Per candidate id: the current (not superseded, highest-numbered) attempt per test.
    One query, whatever the number of candidates."""
    result: dict[int, dict[TestKind, Attempt]] = {cid: {} for cid in candidate_ids}
    for attempt in session.scalars(
            sa.select(Attempt).where(Attempt.candidate_id.in_(list(result)), Attempt.superseded_at.is_(None),
                                     # a verification test re-measures the logic result: never in its place
                                     Attempt.kind != TestKind.VERIFICATION)
            .order_by(Attempt.number)):
        result[attempt.candidate_id][attempt.kind] = attempt
    return result


def results_of(session: Session, attempts: dict[int, dict[TestKind, Attempt]]) -> dict[int, dict[str, Result]]:
    """Per candidate id: the result rows of their current attempts (``current_attempts_of``),
    by scale. One query."""
    owner = {a.id: cid for cid, by_kind in attempts.items() for a in by_kind.values()}
    result: dict[int, dict[str, Result]] = {cid: {} for cid in attempts}
    for row in session.scalars(sa.select(Result).where(Result.attempt_id.in_(list(owner))).order_by(Result.id)):
        result[owner[row.attempt_id]][row.scale] = row
    return result


def flags_of(attempts: dict[TestKind, Attempt]) -> list[str]:
    """Codes of the raised validity indicators of the current inventory attempt in
    ``attempts`` (one candidate's entry of ``current_attempts_of``)."""
    attempt = attempts.get(TestKind.INVENTORY)
    return [f.get("code", "") for f in (attempt.flags or []) if isinstance(f, dict) and f.get("raised")] \
        if attempt is not None else []


def current_attempts(session: Session, candidate: Candidate) -> dict[TestKind, Attempt]:
    """The candidate's current (not superseded, highest-numbered) attempt per test."""
    return current_attempts_of(session, [candidate.id])[candidate.id]


def current_results(session: Session, candidate: Candidate) -> dict[str, Result]:
    """Result rows of the current attempts, by scale."""
    return results_of(session, current_attempts_of(session, [candidate.id]))[candidate.id]


def raised_flags(session: Session, candidate: Candidate) -> list[str]:
    """Codes of the raised validity indicators of the current inventory attempt."""
    return flags_of(current_attempts(session, candidate))
