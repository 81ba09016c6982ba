"""Collect the scores of completed attempts for building a local norm table."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from item_banks import Inventory

from ..models import Attempt, Candidate, FinishReason, InventoryResponse, Result, TestKind


@dataclass
class NormData:
    scores: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    latent_se: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    #: per latent score, the estimator that produced it ("eap" before engine cat-2, then "wle")
    latent_estimator: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    reliability: dict[str, float] = field(default_factory=dict)
    candidates: int = 0
    skipped_timeouts: int = 0


def collect(session: Session, *, inventory: Inventory, assignment_ids: list[int] | None = None,
            include_timeouts: bool = False) -> NormData:
    """Scores from finished attempts (optionally of some assignments only).

    Logic attempts ended by the clock are left out by default: their score is penalised by
    the incomplete-test policy and would pull the norm down. Reliability per personality
    scale is Cronbach's alpha of the group's item scores (after reverse keying).
    """
    data = NormData()
    query = (sa.select(Result, Attempt).join(Attempt, Result.attempt_id == Attempt.id)
             .join(Candidate, Attempt.candidate_id == Candidate.id)
             .where(Attempt.finished_at.is_not(None), Attempt.superseded_at.is_(None),
                    Result.raw.is_not(None)))
    if assignment_ids:
        query = query.where(Candidate.assignment_id.in_(assignment_ids))
    seen = set()
    for result, attempt in session.execute(query):
        if (attempt.kind is TestKind.LOGIC and attempt.finish_reason is FinishReason.TIMEOUT
                and not include_timeouts):
            data.skipped_timeouts += 1
            continue
        if result.scale == "logic.number_correct":
            continue  # the old fixed-form score: not comparable with new tests
        seen.add(attempt.candidate_id)
        data.scores[result.scale].append(float(result.theta if result.theta is not None else result.raw))
        if result.se is not None:
            data.latent_se[result.scale].append(float(result.se))
            data.latent_estimator[result.scale].append((result.details or {}).get("estimator", "eap"))
    data.candidates = len(seen)
    data.reliability = _alphas(session, inventory, assignment_ids)
    return data


def _alphas(session: Session, inventory: Inventory, assignment_ids: list[int] | None) -> dict[str, float]:
    from norms import cronbach_alpha

    query = (sa.select(InventoryResponse.attempt_id, InventoryResponse.statement_id, InventoryResponse.value)
             .join(Attempt, InventoryResponse.attempt_id == Attempt.id)
             .join(Candidate, Attempt.candidate_id == Candidate.id)
             .where(Attempt.finished_at.is_not(None), Attempt.superseded_at.is_(None)))
    if assignment_ids:
        query = query.where(Candidate.assignment_id.in_(assignment_ids))
    by_attempt: dict[int, dict[str, int]] = defaultdict(dict)
    for attempt_id, sid, value in session.execute(query):
        by_attempt[attempt_id][sid] = value
    if len(by_attempt) < 3:
        return {}
    attempts = list(by_attempt)
    alphas = {}
    groups: dict[str, list] = defaultdict(list)
    for s in inventory.scored_statements:
        groups[f"personality.{s.domain}"].append(s)
        if s.facet:
            groups[f"personality.{s.facet}"].append(s)
    for scale, statements in groups.items():
        matrix = np.array([[_keyed(by_attempt[a].get(s.id), s.keyed) for s in statements] for a in attempts],
                          dtype=float)
        try:
            alpha = cronbach_alpha(matrix, missing="pairwise")
        except ValueError:
            continue
        alpha = round(float(alpha), 3)
        if 0 < alpha < 1:  # after rounding: a near-zero alpha is no usable reliability
            alphas[scale] = alpha
    return alphas


def _keyed(value: int | None, keyed: int) -> float:
    if value is None:
        return np.nan
    return float(value if keyed > 0 else 6 - value)
