"""Fixed-form assembly and raw scoring for logic banks and inventories."""

from __future__ import annotations

import operator
from typing import Mapping

import numpy as np

from .loader import LogicBank

SCALE_MIN, SCALE_MAX = 1, 5


def select_form(bank: LogicBank, n: int, rng: np.random.Generator) -> list[str]:
    """Draw ``n`` distinct operational item ids, balanced over item types, in random order.

    Each of the ``k`` types gets ``n // k`` items; the ``n % k`` extra items go to types
    drawn at random (among those with enough items), so type counts differ by at most 1.
    Items are sampled without replacement within each type. The result depends only on
    ``bank`` and the state of ``rng`` (same seed -> same form).

    Raises ValueError when ``n`` is not a positive integer or the bank cannot supply a
    balanced form of that length.
    """
    try:
        n = operator.index(n)
    except TypeError:
        raise ValueError(f"form length must be an integer, not {n!r}") from None
    if n < 1:
        raise ValueError(f"form length must be positive, not {n}")
    types = bank.types
    pools = {t: [item.id for item in bank.items if item.type == t] for t in types}
    base, extra = divmod(n, len(types))
    short = [t for t in types if len(pools[t]) < base]
    can_take_extra = [t for t in types if len(pools[t]) > base]
    if short or len(can_take_extra) < extra:
        sizes = ", ".join(f"{t}: {len(pools[t])}" for t in types)
        raise ValueError(f"bank {bank.bank_id} is too small for a balanced form of {n} items ({sizes})")

    counts = dict.fromkeys(types, base)
    if extra:
        for index in rng.choice(len(can_take_extra), size=extra, replace=False):
            counts[can_take_extra[int(index)]] += 1
    chosen: list[str] = []
    for t in types:
        picks = rng.choice(len(pools[t]), size=counts[t], replace=False)
        chosen.extend(pools[t][int(i)] for i in picks)
    return [chosen[int(i)] for i in rng.permutation(len(chosen))]


def score_logic(bank: LogicBank, answers: Mapping[str, int | None]) -> int:
    """Number of correct answers. ``None`` (unanswered) counts as wrong.

    ``answers`` maps operational item ids to the chosen 0-based option index. Raises
    ValueError for an unknown or practice item id or an index that is not an option of
    the item (both indicate a bug upstream, not a candidate's mistake).
    """
    correct = 0
    for item_id, choice in answers.items():
        try:
            item = bank.get(item_id)
        except KeyError:
            raise ValueError(f"unknown item id {item_id!r}") from None
        if item.practice:
            raise ValueError(f"practice item {item_id!r} is not scored")
        if choice is None:
            continue
        if isinstance(choice, bool) or not isinstance(choice, (int, np.integer)):
            raise ValueError(f"item {item_id}: answer must be an option index, not {choice!r}")
        if not 0 <= choice < len(item.options):
            raise ValueError(f"item {item_id}: answer {choice} out of range ({len(item.options)} options)")
        correct += item.is_correct(int(choice))
    return correct
