"""Voluntary equality monitoring (issue 16): the candidate's own answers, and counts in
aggregate with small groups suppressed.

The questions come after the tests (asked before, they could remind a candidate of a
stereotype while answering), every answer may be left out, and a candidate can remove
their answers at any time from their own page. Nobody else sees them per candidate: no
consultant or client page, report or consultant export reads this table. The fairness
analyses use them in aggregate only, with every group smaller than
:data:`MIN_GROUP` suppressed (shown as "fewer than 30", no figure).

Retention: as the assessment data they sit beside. An erasure on request deletes them;
the retention purge anonymises the candidate and keeps them with the anonymous results
(``services.retention``).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Candidate, EqualityResponse

#: The questions and their allowed answers (stored codes). "Prefer not to say" is None.
QUESTIONS: dict[str, tuple[str, ...]] = {
    "gender": ("woman", "man", "other"),
    "age_band": ("-29", "30-39", "40-49", "50-"),
    "first_language": ("sv", "other", "both"),
}
#: Groups smaller than this are never shown, nor used for a figure (issue 16).
MIN_GROUP = 30


class EqualityError(ValueError):
    """An answer outside the allowed codes (``field``)."""

    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


def clean(values: Mapping[str, str | None]) -> dict[str, str | None]:
    """The answers as stored: each a known code or None; unknown fields are ignored,
    an unknown code raises :class:`EqualityError`."""
    cleaned: dict[str, str | None] = {}
    for field, codes in QUESTIONS.items():
        value = (values.get(field) or "").strip() or None
        if value is not None and value not in codes:
            raise EqualityError(field)
        cleaned[field] = value
    return cleaned


def answers_of(session: Session, candidate: Candidate) -> EqualityResponse | None:
    """The candidate's own answers (for their own page only)."""
    return session.scalars(sa.select(EqualityResponse).where(EqualityResponse.candidate_id == candidate.id)).first()


def save(session: Session, candidate: Candidate, values: Mapping[str, str | None], *,
         now: datetime) -> EqualityResponse:
    """Store (or replace) the candidate's answers. Validates everything before writing."""
    cleaned = clean(values)
    row = answers_of(session, candidate)
    if row is None:
        row = EqualityResponse(candidate_id=candidate.id)
        session.add(row)
    for field, value in cleaned.items():
        setattr(row, field, value)
    row.answered_at = now
    session.flush()
    return row


def withdraw(session: Session, candidate: Candidate) -> bool:
    """Delete the candidate's answers; True when there were any."""
    return session.execute(sa.delete(EqualityResponse).where(
        EqualityResponse.candidate_id == candidate.id)).rowcount > 0


@dataclass(frozen=True)
class GroupCount:
    """One group of one question: ``n`` is None when the group is suppressed."""

    code: str | None
    n: int | None

    @property
    def suppressed(self) -> bool:
        return self.n is None


def suppress(counts: Mapping[str | None, int], *, minimum: int = MIN_GROUP) -> list[GroupCount]:
    """Counts per group with every group under ``minimum`` hidden. A single suppressed
    group next to shown ones would be recoverable from a total, so the smallest shown
    group is suppressed with it (complementary suppression)."""
    shown = {code: n for code, n in counts.items() if n >= minimum}
    hidden = [code for code, n in counts.items() if 0 < n < minimum]
    if len(hidden) == 1 and shown:
        smallest = min(shown, key=lambda code: shown[code])
        hidden.append(smallest)
        del shown[smallest]
    return ([GroupCount(code, n) for code, n in sorted(shown.items(), key=lambda kv: str(kv[0]))]
            + [GroupCount(code, None) for code in sorted(hidden, key=str)])


def group_counts(session: Session, question: str, *, assignment_ids: Iterable[int] | None = None,
                 minimum: int = MIN_GROUP) -> list[GroupCount]:
    """How many candidates gave each answer to ``question`` (None: chose not to say), in
    aggregate, small groups suppressed; over the given assignments, or all."""
    if question not in QUESTIONS:
        raise ValueError(f"unknown question {question!r}")
    column = getattr(EqualityResponse, question)
    query = sa.select(column, sa.func.count()).group_by(column)
    if assignment_ids is not None:
        query = query.join(Candidate, Candidate.id == EqualityResponse.candidate_id).where(
            Candidate.assignment_id.in_(list(assignment_ids)))
    return suppress({code: n for code, n in session.execute(query)}, minimum=minimum)
