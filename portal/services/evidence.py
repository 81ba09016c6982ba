"""The evidence matrix: every source's evidence per competency of the requirement profile,
combined with the documented weighting of ``portal.synthesis``, and the probability that
the candidate's true level meets the profile's target. The profile is the yardstick."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import synthesis as syn
from ..models import Candidate, InterviewRating, ReferenceCheck
from . import first_opinions, profiles
from .interviews import current_results


@dataclass
class Row:
    key: str
    weight: int
    target: int
    must: bool
    evidence: list[syn.Evidence] = field(default_factory=list)
    level: float | None = None
    sd: float | None = None
    probability: float | None = None
    agreement: str | None = None
    rater_disagreement: bool = False
    #: How many interviewers have submitted a rating of this competency.
    interviewers: int = 0
    #: (higher source, lower source) for each discrepant pair: what to follow up.
    follow_ups: list[tuple[str, str]] = field(default_factory=list)
    #: The competency's first interview question (sv/en), suggested for a follow-up.
    question: dict | None = None
    #: The client's first opinion (1-5) and whether ours "confirms" it or is "higher" / "lower".
    client_level: int | None = None
    client_comparison: str | None = None


@dataclass
class Matrix:
    profile_version: int | None
    rows: list[Row]
    fit: dict | None


def evidence_matrix(session: Session, candidate: Candidate) -> Matrix:
    profile = profiles.current_profile(session, candidate.assignment)
    if profile is None:
        return Matrix(None, [], None)
    library = profiles.all_competencies(session)
    results = current_results(session, candidate)
    ratings = session.scalars(sa.select(InterviewRating).where(
        InterviewRating.candidate_id == candidate.id, InterviewRating.submitted_at.is_not(None))).all()
    refs = session.scalars(sa.select(ReferenceCheck).where(
        ReferenceCheck.candidate_id == candidate.id, ReferenceCheck.consent_at.is_not(None))).all()
    first = {key: row.level for key, row in first_opinions.recorded(session, candidate).items()}
    rows = []
    for item in profile.competencies:
        row = Row(item.competency_key, item.weight, item.target_level, item.must)
        competency = library.get(item.competency_key)
        if competency is not None and competency.questions:
            row.question = dict(competency.questions[0].text)
        row.client_level = first.get(item.competency_key)
        for link in (competency.scales if competency else ()):
            result = results.get(link.scale)
            if result is not None and result.percentile is not None:
                band = ((result.percentile_low, result.percentile_high)
                        if result.percentile_low is not None else None)
                row.evidence.append(syn.percentile_evidence(result.percentile, band, direction=link.direction))
        levels = [r.level for r in ratings if r.competency_key == item.competency_key and r.level]
        row.interviewers = len(levels)
        if levels:
            row.evidence.append(syn.rating_evidence(levels))
            row.rater_disagreement = syn.disagreement(levels)
        ref_levels = [(r.ratings or {}).get(item.competency_key, {}).get("level") for r in refs]
        ref_levels = [lv for lv in ref_levels if lv]
        if ref_levels:
            evidence = syn.rating_evidence(ref_levels)
            row.evidence.append(syn.Evidence("reference", evidence.level, evidence.sd))
        if row.evidence:
            row.level, row.sd = syn.combine(row.evidence)
            row.probability = syn.probability_meets(row.level, row.sd, row.target)
            row.agreement = syn.agreement(row.evidence)
            row.follow_ups = list(dict.fromkeys(
                (hi.source, lo.source) for hi, lo in syn.discrepant_pairs(row.evidence)))
            if row.client_level is not None:
                row.client_comparison = syn.compare_first_opinion(row.client_level, row.level, row.sd)
        rows.append(row)
    scored = [r for r in rows if r.probability is not None]
    fit = syn.overall_fit([(r.weight, r.probability, r.must) for r in scored]) if scored else None
    if fit is not None:  # indices of the scored rows -> competency keys
        fit["unmet_musts"] = [scored[i].key for i in fit["unmet_musts"]]
    return Matrix(profile.version, rows, fit)
