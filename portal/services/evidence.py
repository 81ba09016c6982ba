"""The evidence matrix: every source's evidence per competency of the requirement profile,
combined by the model of ``portal.synthesis`` (``docs/synthesis.md``), and the probability
that the candidate's true level meets the profile's target. The profile is the yardstick.

What goes in, per competency: the test scales linked to it (``competencies.json``), each
with the link's direction and validity; a logic test cut off by the time limit enters
with its answered-items estimate and the ``incomplete`` discount (a timed-out result
stored without that estimate is left out and the row says so); the personality scales
of a protocol with a raised validity indicator enter with the ``flagged`` discount; the
interviewers' submitted ratings; the consented referees' ratings.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import synthesis as syn
from ..models import Assignment, Candidate, InterviewRating, ReferenceCheck, User
from . import first_opinions, logic_results, profiles
from .results import current_attempts_of, flags_of, results_of


@dataclass
class Row:
    key: str
    weight: int
    target: int
    must: bool
    #: The evidence per source (tests: one per instrument), as ``portal.synthesis.Evidence``.
    evidence: list[syn.Evidence] = field(default_factory=list)
    #: What each source alone says (with the prior), by evidence key: (level, sd).
    alone: dict[str, tuple[float, float]] = field(default_factory=dict)
    assessment: syn.Assessment | None = None
    level: float | None = None
    sd: float | None = None
    probability: float | None = None
    #: "discrepant" when the sources disagree beyond their uncertainty (p < alpha), else "agree".
    agreement: str | None = None
    #: The interviewers' ratings spread more than rater error explains.
    rater_disagreement: bool = False
    #: How many interviewers have submitted a rating of this competency, and referees rated it,
    #: and who they are (interviewers' names or e-mail addresses; referees' names).
    interviewers: int = 0
    referees: int = 0
    interviewer_names: list[str] = field(default_factory=list)
    referee_names: list[str] = field(default_factory=list)
    #: (higher source, lower source) of the most discrepant pair when the sources disagree.
    follow_ups: list[tuple[str, str]] = field(default_factory=list)
    #: Linked test scales with no usable result: e.g. a timed-out logic test stored
    #: without its answered-items estimate (``timed_only``).
    left_out: list[tuple[str, str]] = field(default_factory=list)
    #: The competency's first interview question (sv/en), suggested for a follow-up.
    question: dict | None = None
    #: The client's first opinion (1-5) and whether ours "confirms" it or is "higher" / "lower".
    client_level: int | None = None
    client_comparison: str | None = None

    @property
    def discounts(self) -> list[str]:
        """Codes of every discount applied to this row's evidence, in a stable order."""
        return sorted({code for e in self.evidence for code in e.discounts})


@dataclass
class Matrix:
    profile_version: int | None
    rows: list[Row]
    #: ``portal.synthesis.overall`` (expected targets met, must-haves), None without evidence.
    fit: dict | None
    model: str = syn.MODEL_VERSION


def _scale_scores(link, result, flagged: bool) -> tuple[syn.ScaleScore | None, str | None]:
    """The score a stored result contributes for one scale link, or why it contributes none."""
    if result is None or result.percentile is None:
        return None, None
    validity = link.validity
    if link.scale.startswith("logic."):
        summary = logic_results.summarise(result)
        measured = summary.measured
        if measured is None or measured.percentile is None:
            return None, "timed_only"
        band = (measured.low, measured.high) if measured.low is not None else None
        return syn.scale_score(link.scale, measured.percentile, band, band_level=summary.band_level,
                               direction=link.direction, validity=validity,
                               discount=None if summary.complete else "incomplete"), None
    band = (result.percentile_low, result.percentile_high) if result.percentile_low is not None else None
    return syn.scale_score(link.scale, result.percentile, band, band_level=result.band_level,
                           direction=link.direction, validity=validity,
                           discount="flagged" if flagged else None), None


def evidence_matrix(session: Session, candidate: Candidate) -> Matrix:
    return evidence_matrices(session, candidate.assignment, [candidate])[candidate.id]


def evidence_matrices(session: Session, assignment: Assignment, candidates: Sequence[Candidate], *,
                      fit: bool = True) -> dict[int, Matrix]:
    """The evidence matrix of each of ``candidates`` (of ``assignment``), by candidate id.

    A fixed number of queries whatever the number of candidates (the final-candidates
    view shows a page of them). ``fit=False`` leaves out ``portal.synthesis.overall``, a
    Monte Carlo of some milliseconds per candidate.
    """
    if any(c.assignment_id != assignment.id for c in candidates):
        raise ValueError("every candidate must belong to the assignment")
    profile = profiles.current_profile(session, assignment)
    if profile is None:
        return {c.id: Matrix(None, [], None) for c in candidates}
    ids = [c.id for c in candidates]
    library = profiles.all_competencies(session)
    attempts = current_attempts_of(session, ids)
    results = results_of(session, attempts)
    ratings: dict[int, list[InterviewRating]] = {cid: [] for cid in ids}
    for rating in session.scalars(sa.select(InterviewRating).where(
            InterviewRating.candidate_id.in_(ids), InterviewRating.submitted_at.is_not(None))
            .order_by(InterviewRating.id)):
        ratings[rating.candidate_id].append(rating)
    refs: dict[int, list[ReferenceCheck]] = {cid: [] for cid in ids}
    for ref in session.scalars(sa.select(ReferenceCheck).where(
            ReferenceCheck.candidate_id.in_(ids), ReferenceCheck.consent_at.is_not(None))
            .order_by(ReferenceCheck.id)):
        refs[ref.candidate_id].append(ref)
    first = first_opinions.recorded_of(session, ids)
    rater_ids = {r.rater_id for rows in ratings.values() for r in rows}
    names = {u.id: u.name or u.email for u in session.scalars(sa.select(User).where(User.id.in_(rater_ids)))}
    return {cid: _matrix(profile, library, results[cid], bool(flags_of(attempts[cid])), ratings[cid], refs[cid],
                         {key: row.level for key, row in first[cid].items()}, names, fit=fit)
            for cid in ids}


def _matrix(profile, library, results, flagged: bool, ratings, refs, first: dict[str, int],
            names: dict[int, str], *, fit: bool) -> Matrix:
    rows = []
    for item in profile.competencies:
        row = Row(item.competency_key, item.weight, item.target_level, item.must)
        competency = library.get(item.competency_key)
        if competency is not None and competency.questions:
            row.question = dict(competency.questions[0].text)
        row.client_level = first.get(item.competency_key)
        by_instrument: dict[str, list[syn.ScaleScore]] = {}
        for link in (competency.scales if competency else ()):
            score, why = _scale_scores(link, results.get(link.scale), flagged)
            if why:
                row.left_out.append((link.scale, why))
            if score is not None:
                by_instrument.setdefault(syn.instrument_of(link.scale), []).append(score)
        for instrument in syn.INSTRUMENTS:
            if instrument in by_instrument:
                row.evidence.append(syn.instrument_evidence(by_instrument[instrument]))
        rated = [r for r in ratings if r.competency_key == item.competency_key and r.level]
        levels = [r.level for r in rated]
        row.interviewers = len(levels)
        row.interviewer_names = [names.get(r.rater_id, "") for r in rated]
        if levels:
            interview = syn.interview_evidence(levels)
            row.evidence.append(interview)
            row.rater_disagreement = interview.raters_disagree
        rated_refs = [r for r in refs if (r.ratings or {}).get(item.competency_key, {}).get("level")]
        ref_levels = [r.ratings[item.competency_key]["level"] for r in rated_refs]
        row.referees = len(ref_levels)
        row.referee_names = [r.referee_name for r in rated_refs]
        if ref_levels:
            row.evidence.append(syn.reference_evidence(ref_levels))
        if row.evidence:
            row.alone = {e.key: syn.alone(e) for e in row.evidence}
            row.assessment = syn.assess(row.evidence, row.target)
            row.level, row.sd = row.assessment.level, row.assessment.sd
            row.probability = row.assessment.probability
            row.agreement = "discrepant" if row.assessment.disagree else "agree"
            row.follow_ups = [row.assessment.follow_up] if row.assessment.follow_up else []
            if row.client_level is not None:
                row.client_comparison = syn.compare_first_opinion(row.client_level, row.level, row.sd)
        rows.append(row)
    scored = [r for r in rows if r.assessment is not None]
    overall = syn.overall([syn.FitRow(r.key, r.assessment, r.weight, r.must) for r in scored]) \
        if scored and fit else None
    if overall is not None:
        # Must-haves with no evidence yet are neither met nor at risk: say so.
        overall["musts_without_evidence"] = [r.key for r in rows if r.must and r.assessment is None]
    return Matrix(profile.version, rows, overall)
