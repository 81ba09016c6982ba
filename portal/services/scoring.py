"""Turn a finished attempt into normed, version-stamped Result rows.

Logic test: the adaptive test's score (``item_banks.adaptive.final_score``: Warm's WLE
with the SE from the test information). A test ended by the clock gets a **timed score**
under the incomplete-test policy (unreached items count as wrong along the path the test
would have taken, so stopping early never raises the score); the estimate on the answered
items alone, with its own band, is stored beside it (``details["answered"]``) so that
pages and reports can show both and mark the timed score as such. The percentile is read
from the norm group's latent ability distribution (``logic.theta``) with a 90 % band
from the SE.

Inventory: domain and facet means after reverse keying, normed with a band from the
scale's reliability-based SEM; validity indicators are stored on the attempt as flags
and never change a score.
"""
from __future__ import annotations

from datetime import datetime

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from item_banks import Inventory, LogicBank, adaptive, cat, score_facets, score_inventory, validity
from norms import NormTable

from ..models import Attempt, InventoryResponse, LogicResponse, Result, TestKind

LOGIC_SCALE = "logic.theta"
BAND_LEVEL = 0.90
INVENTORY_ENGINE = "inventory-1 (facet and domain means, reliability-based SEM bands)"


def _result(attempt: Attempt, norms: NormTable, scale: str, raw: float | None, n_items: int,
            n_answered: int, *, engine: str, se: float | None = None, **extra) -> Result:
    normed = None
    if raw is not None and norms.has_scale(scale):
        normed = norms.convert(scale, raw, se=se, level=BAND_LEVEL)
    band = normed.band if normed else None
    return Result(
        attempt_id=attempt.id,
        scale=scale,
        raw=raw,
        n_items=n_items,
        n_answered=n_answered,
        percentile=normed.percentile if normed else None,
        t_score=normed.t if normed else None,
        sten=normed.sten if normed else None,
        stanine=normed.stanine if normed else None,
        percentile_low=band[0] if band else None,
        percentile_high=band[1] if band else None,
        band_level=BAND_LEVEL if band else None,
        norm_group=norms.group,
        norm_ref=norms.ref,
        norm_provisional=norms.provisional,
        bank_id=attempt.bank_id,
        bank_version=attempt.bank_version,
        engine_version=engine,
        **extra,
    )


def _clip_theta(theta: float) -> float:
    return float(min(max(theta, -4.0), 4.0))


def responses_of(session: Session, attempt: Attempt) -> list[LogicResponse]:
    return list(session.scalars(
        sa.select(LogicResponse).where(LogicResponse.attempt_id == attempt.id)
        .order_by(LogicResponse.position)
    ))


def cat_state(attempt: Attempt, ab: adaptive.AdaptiveBank, answered: list[LogicResponse]):
    """Rebuild the attempt's CAT state from its stored answers (same seed, same lottery);
    pretest answers are left out: they never reach the ability estimate."""
    scored = [r for r in answered if not r.pretest]
    return adaptive.replay_state(ab, attempt.seed, [r.item_id for r in scored],
                                 [int(bool(r.correct)) for r in scored])


def score_logic_attempt(session: Session, attempt: Attempt, bank: LogicBank, norms: NormTable, *,
                        store: bool = True, ab: adaptive.AdaptiveBank | None = None) -> Result:
    """Score a finished logic attempt with ``bank``: the version stamped on the attempt
    (``bank_versions.bank_for_attempt``). ``store=False`` computes the result again
    without storing or marking anything (``regenerate_logic_result``). ``ab``: the test
    the attempt ran (a verification test, ``services.verification.engine``); by default
    the logic test on ``bank``."""
    ab = ab or adaptive.adaptive_bank(bank)
    rows = responses_of(session, attempt)
    # Pretest items are unscored: not in the estimate, the counts or the rapid-guess flags.
    answered = [r for r in rows if r.answered_at is not None and not r.pretest]
    state = cat_state(attempt, ab, answered)
    score = adaptive.final_score(ab, state)
    theta, se = score.theta, score.se
    reason = score.reason if score.complete else "time_limit"
    # Rapid guesses: NT10 of the a-priori typical time per item type (Wise & Ma 2012).
    types = [bank.get(r.item_id).type for r in answered]
    times = np.array([r.response_ms if r.response_ms is not None else np.nan for r in answered], dtype=float)
    flags = cat.rapid_guess_flags(times, cat.a_priori_typical_ms(types)) if answered else np.array([], bool)
    if store:
        for row, flag in zip(answered, flags):
            row.rapid_guess = bool(flag)
        attempt.stop_reason = reason
    clipped = _clip_theta(theta)
    normed = norms.convert(LOGIC_SCALE, clipped, se=float(se), level=BAND_LEVEL)
    answered_normed = norms.convert(LOGIC_SCALE, _clip_theta(score.answered_theta),
                                    se=float(score.answered_se), level=BAND_LEVEL)
    result = Result(
        attempt_id=attempt.id, scale=LOGIC_SCALE, raw=clipped, n_items=len(answered),
        n_answered=len(answered), percentile=normed.percentile, t_score=normed.t,
        sten=normed.sten, stanine=normed.stanine, theta=float(theta), se=float(se),
        percentile_low=normed.band[0], percentile_high=normed.band[1], band_level=BAND_LEVEL,
        norm_group=norms.group, norm_ref=norms.ref, norm_provisional=norms.provisional,
        bank_id=attempt.bank_id, bank_version=attempt.bank_version,
        engine_version=(f"{adaptive.ENGINE_VERSION}; exposure {ab.settings.exposure}; "
                        f"difficulty {bank.difficulty_model or 'calibrated'}"
                        + ("; verification test" if attempt.kind is TestKind.VERIFICATION else "")),
        details={
            "stop_reason": reason,
            "policy": score.note,
            "complete": score.complete,
            "estimator": score.estimator,
            "n_unreached": score.n_unreached,
            # The estimate on the answered items alone (the same as the score when the
            # test is complete), shown beside a timed score.
            "answered": {
                "theta": float(score.answered_theta), "se": float(score.answered_se),
                "percentile": answered_normed.percentile,
                "percentile_low": answered_normed.band[0], "percentile_high": answered_normed.band[1],
            },
            "rapid_guesses": int(np.sum(flags)),
            "correct": int(sum(1 for r in answered if r.correct)),
            "max_items": ab.settings.max_items,
            "min_items": ab.settings.min_items,
            "se_target": ab.settings.se_target,
        },
    )
    if store:
        session.add(result)
        session.flush()
    return result


def regenerate_logic_result(session: Session, attempt: Attempt, bank: LogicBank, norms: NormTable) -> Result:
    """The attempt's result computed again from its stored answers (not stored). With the
    version stamped on the attempt and the same norm table it equals the stored result,
    whatever version is active now."""
    if bank.bank_id != attempt.bank_id or bank.version != attempt.bank_version:
        raise ValueError(f"attempt {attempt.id} was given from {attempt.bank_id} {attempt.bank_version}, "
                         f"not {bank.bank_id} {bank.version}")
    return score_logic_attempt(session, attempt, bank, norms, store=False)


def _page_times(attempt: Attempt, rows: list[tuple[str, int, datetime]], page_size: int):
    """(seconds, statements) per saved page, from the save times of its answers."""
    saved = {sid: at for sid, _value, at in rows}
    times, previous = [], attempt.started_at
    for start in range(0, len(attempt.item_ids), page_size):
        page = [sid for sid in attempt.item_ids[start:start + page_size] if sid in saved]
        if not page:
            continue
        at = max(saved[sid] for sid in page)
        times.append(((at - previous).total_seconds(), len(page)))
        previous = at
    return times


def score_inventory_attempt(
    session: Session, attempt: Attempt, inventory: Inventory, norms: NormTable, *, page_size: int = 10,
) -> list[Result]:
    rows = session.execute(
        sa.select(InventoryResponse.statement_id, InventoryResponse.value, InventoryResponse.answered_at)
        .where(InventoryResponse.attempt_id == attempt.id)
    ).all()
    answers = {sid: value for sid, value, _ in rows}
    results = []
    for domain_id, score in score_inventory(inventory, answers).items():
        results.append(_result(attempt, norms, f"personality.{domain_id}", score.mean,
                               score.n_items, score.n_answered, engine=INVENTORY_ENGINE))
    for facet_id, score in score_facets(inventory, answers).items():
        results.append(_result(attempt, norms, f"personality.{facet_id}", score.mean,
                               score.n_items, score.n_answered, engine=INVENTORY_ENGINE))
    pairs = list(inventory.consistency_pairs)
    keyed = {s.id: s.keyed for s in inventory.statements if s.keyed}
    indicators = validity.indicators(
        answers=answers,
        order=list(attempt.item_ids),
        scored_ids=[s.id for s in inventory.scored_statements],
        pairs=pairs,
        infrequency={s.id: s.expected for s in inventory.validity_statements if s.role == "infrequency"},
        page_times=_page_times(attempt, rows, page_size),
        keyed=keyed,
    )
    attempt.flags = [
        {"code": i.code, "value": None if i.value is None else round(float(i.value), 3),
         "threshold": i.threshold, "raised": bool(i.raised), "detail": i.detail}
        for i in indicators
    ]
    session.add_all(results)
    session.flush()
    return results
