"""Turn a finished attempt into normed, version-stamped Result rows.

Starter scoring: number-correct for the logic form, domain means for the
inventory. The psychometric engine (IRT/CAT) will replace both; the version
string below is stored with every result so old results stay explainable.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from item_banks import Inventory, LogicBank, score_inventory
from norms import NormTable

from ..models import Attempt, InventoryResponse, LogicResponse, Result

ENGINE_VERSION = "starter-1 (number-correct, domain means)"
LOGIC_SCALE = "logic.number_correct"


def _result(attempt: Attempt, norms: NormTable, scale: str, raw: float | None,
            n_items: int, n_answered: int) -> Result:
    normed = norms.convert(scale, raw) if raw is not None else None
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
        norm_group=norms.group,
        norm_ref=norms.ref,
        norm_provisional=norms.provisional,
        bank_id=attempt.bank_id,
        bank_version=attempt.bank_version,
        engine_version=ENGINE_VERSION,
    )


def score_logic_attempt(session: Session, attempt: Attempt, bank: LogicBank, norms: NormTable) -> Result:
    rows = session.execute(
        sa.select(LogicResponse.correct).where(
            LogicResponse.attempt_id == attempt.id, LogicResponse.answered_at.is_not(None)
        )
    ).all()
    raw = sum(1 for (correct,) in rows if correct)
    result = _result(attempt, norms, LOGIC_SCALE, float(raw), len(attempt.item_ids), len(rows))
    session.add(result)
    session.flush()
    return result


def score_inventory_attempt(
    session: Session, attempt: Attempt, inventory: Inventory, norms: NormTable
) -> list[Result]:
    answers = dict(
        session.execute(
            sa.select(InventoryResponse.statement_id, InventoryResponse.value).where(
                InventoryResponse.attempt_id == attempt.id
            )
        ).all()
    )
    results = []
    for domain_id, score in score_inventory(inventory, answers).items():
        results.append(
            _result(attempt, norms, f"personality.{domain_id}", score.mean,
                    score.n_items, score.n_answered)
        )
    session.add_all(results)
    session.flush()
    return results
