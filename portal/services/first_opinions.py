"""The client's first opinion: their own rating of a finalist per competency of the
requirement profile, recorded before they read ours (design.md, sections 2 and 6).

It can be recorded by a client user of the assignment's organisation or by a consultant
on their behalf, and changed until the first client report on the candidate is released:
from then on the client has seen our opinion, so theirs would no longer be a first one.
Services take plain values and ``now``, flush and never commit.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Candidate, FirstOpinion, Report, ReportKind
from . import audit, profiles


class FirstOpinionError(ValueError):
    def __init__(self, code: str, key: str | None = None):
        super().__init__(code)
        self.code, self.key = code, key


def is_open(session: Session, candidate: Candidate) -> bool:
    released = session.scalar(sa.select(sa.func.count(Report.id)).where(
        Report.candidate_id == candidate.id, Report.kind == ReportKind.CLIENT))
    return not released


def recorded(session: Session, candidate: Candidate) -> dict[str, FirstOpinion]:
    return recorded_of(session, [candidate.id])[candidate.id]


def recorded_of(session: Session, candidate_ids: Iterable[int]) -> dict[int, dict[str, FirstOpinion]]:
    """Per candidate id, their first opinion by competency key. One query."""
    result: dict[int, dict[str, FirstOpinion]] = {cid: {} for cid in candidate_ids}
    for row in session.scalars(sa.select(FirstOpinion).where(FirstOpinion.candidate_id.in_(list(result)))
                               .order_by(FirstOpinion.id)):
        result[row.candidate_id][row.competency_key] = row
    return result


def released_of(session: Session, candidate_ids: Iterable[int]) -> set[int]:
    """Those of ``candidate_ids`` with a released client report (their first opinion is
    closed, see ``is_open``). One query."""
    ids = list(candidate_ids)
    return set(session.scalars(sa.select(Report.candidate_id).distinct().where(
        Report.candidate_id.in_(ids), Report.kind == ReportKind.CLIENT)))


def record(session: Session, candidate: Candidate, levels: Mapping[str, int | None], *,
           user_id: int, now: datetime) -> dict[str, FirstOpinion]:
    """Store the client's levels (None clears one). Every key must be a competency of
    the current profile and every level 1-5; nothing is stored unless all are valid."""
    if not is_open(session, candidate):
        raise FirstOpinionError("closed")
    profile = profiles.current_profile(session, candidate.assignment)
    keys = {item.competency_key for item in (profile.competencies if profile else [])}
    for key, level in levels.items():
        if key not in keys:
            raise FirstOpinionError("unknown_competency", key)
        if level is not None and level not in range(1, 6):
            raise FirstOpinionError("level_range", key)
    if not any(level is not None for level in levels.values()):
        raise FirstOpinionError("empty")
    existing = recorded(session, candidate)
    for key, level in levels.items():
        row = existing.get(key)
        if level is None:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            row = FirstOpinion(candidate_id=candidate.id, competency_key=key)
            session.add(row)
        row.level, row.recorded_by_id, row.recorded_at = level, user_id, now
    session.flush()
    audit.record(session, user_id=user_id, action="record", object_type="first_opinion",
                 object_id=candidate.id, detail={"competencies": sorted(k for k, v in levels.items() if v)},
                 now=now)
    return recorded(session, candidate)
