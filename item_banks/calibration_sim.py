"""Simulated adaptive response data for calibration, item-fit and DIF studies.

``adaptive_responses`` runs simulees through the adaptive test with the functions a
candidate's attempt uses (``adaptive.start_state``, ``adaptive.next_item``,
``cat.update``: items are *selected* with the bank's parameters, as in production) while
the answers come from the **true** parameters given separately (by default the bank's own),
so a study can plant an item whose real behaviour differs from what the bank believes:
a misfitting item, an item with DIF for some simulees, or simply a bank whose a-priori
parameters are wrong. The result is a sparse response matrix (NaN = not administered), the
input of ``item_banks.calibration.calibrate``.

``design(cat_bank, settings)`` wraps a bank and settings that are not the shipped ones (a
small sub-bank for the test suite); ``adaptive.adaptive_bank(load_logic_bank())`` is the
production design.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import adaptive, cat, irt


@dataclass(frozen=True)
class Design:
    """An adaptive test: a ``cat.CatBank`` and the ``cat.CatSettings`` it runs with
    (duck-types ``adaptive.AdaptiveBank`` for ``start_state``/``next_item``)."""

    cat_bank: cat.CatBank
    settings: cat.CatSettings


def design(cat_bank: cat.CatBank, settings: cat.CatSettings) -> Design:
    return Design(cat_bank, settings)


@dataclass(frozen=True, eq=False)
class AdaptiveData:
    """``responses`` (P, I): 1/0, NaN where not administered; ``thetas`` (P,) true abilities;
    ``lengths`` (P,) items per simulee."""

    responses: np.ndarray
    thetas: np.ndarray
    lengths: np.ndarray

    @property
    def n_per_item(self) -> np.ndarray:
        return (~np.isnan(self.responses)).sum(axis=0)


def adaptive_responses(
    ab, thetas, rng: np.random.Generator, *, true_a=None, true_b=None, true_c=None,
    probability: Callable[[int, float], np.ndarray] | None = None,
) -> AdaptiveData:
    """Every ability in ``thetas`` through the adaptive test ``ab`` (``adaptive.AdaptiveBank``
    or ``Design``).

    Answers: simulee p answers item j correctly iff ``u_pj < P_j``, with ``u_p = rng.random(I)``
    drawn per simulee after its attempt seed (``rng.integers(2**62)``, as the portal draws
    it). ``P_j`` is the 3PL at the true parameters ``true_a``/``true_b``/``true_c`` ((I,)
    arrays, each defaulting to the bank's), or ``probability(p, theta)`` -> (I,) when given
    (e.g. group-dependent parameters for DIF). Deterministic given ``rng``.
    """
    bank = ab.cat_bank
    thetas = np.asarray(thetas, dtype=float).ravel()
    ta = bank.a if true_a is None else np.asarray(true_a, dtype=float)
    tb = bank.b if true_b is None else np.asarray(true_b, dtype=float)
    tc = bank.c if true_c is None else np.asarray(true_c, dtype=float)
    out = np.full((thetas.size, bank.n_items), np.nan)
    lengths = np.zeros(thetas.size, dtype=np.intp)
    for p, theta in enumerate(thetas):
        seed = int(rng.integers(2**62))
        u = rng.random(bank.n_items)
        prob = probability(p, theta) if probability is not None else irt.p3pl(float(theta), ta, tb, tc)
        state = adaptive.start_state(ab, seed)
        while (item := adaptive.next_item(ab, state, seed)) is not None:
            answer = int(u[item] < prob[item])
            state = cat.update(state, item, answer)
            out[p, item] = answer
        lengths[p] = state.n_items
    return AdaptiveData(out, thetas, lengths)


def shift_for_delta(a: float, b: float, c: float, delta: float, *, thetas=None, spread: float = 0.75) -> float:
    """The shift ``s`` of an item's b for the focal group (focal b = b + s) whose expected
    MH D-DIF is ``delta`` (``item_banks.dif``; negative = harder for the focal group).

    Under the 3PL the odds ratio of the two groups is not constant in theta (it tends to 1
    at the guessing floor and to ``exp(a s)`` for able candidates), so the expected MH
    D-DIF depends on who answers the item. ``s`` is found by bisection on the MH odds ratio
    of the two response curves averaged over ``thetas``, the abilities of the candidates who
    get the item (in an adaptive test, those of a run without DIF: which candidates get an
    item does not depend on their answer to it), or, without ``thetas``, over
    N(b, spread^2). Without guessing (c = 0) it is ``-delta / (2.35 a)`` whatever the
    abilities.
    """
    if thetas is None:
        grid = np.linspace(b - 4 * spread, b + 4 * spread, 161)
        w = np.exp(-0.5 * ((grid - b) / spread) ** 2)
    else:
        grid = np.asarray(thetas, dtype=float).ravel()
        w = np.ones(grid.size)

    def expected_delta(shift: float) -> float:
        pr = irt.p3pl(grid, a, b, c)
        pf = irt.p3pl(grid, a, b + shift, c)
        return float(-2.35 * np.log((w * pr * (1 - pf)).sum() / (w * (1 - pr) * pf).sum()))

    lo, hi = (0.0, 10.0) if delta < 0 else (-10.0, 0.0)
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        # expected_delta decreases as the shift grows (harder for the focal group).
        if expected_delta(mid) > delta:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def stratified_subset(cat_bank: cat.CatBank, per_type: int) -> np.ndarray:
    """Indices of ``per_type`` items of every type, evenly spread over the type's range of b
    (a small bank with the shipped bank's parameters, for tests that must run in seconds)."""
    out = []
    for name in cat_bank.type_names:
        items = np.flatnonzero(cat_bank.types == name)
        items = items[np.argsort(cat_bank.b[items], kind="stable")]
        out.extend(items[np.linspace(0, items.size - 1, per_type).round().astype(int)].tolist())
    return np.array(out, dtype=np.intp)


def sub_design(cat_bank: cat.CatBank, items, settings: cat.CatSettings) -> Design:
    """The adaptive test on the given items only (no families, no exposure parameters)."""
    items = np.asarray(items, dtype=np.intp)
    return Design(cat.CatBank(cat_bank.a[items], cat_bank.b[items], cat_bank.c[items], cat_bank.types[items]),
                  settings)


def simulees_for(n_per_item: int, n_items: int, mean_length: float) -> int:
    """Number of simulees that gives about ``n_per_item`` responses per item on average."""
    return int(np.ceil(n_per_item * n_items / mean_length))


__all__ = ["AdaptiveData", "Design", "adaptive_responses", "design", "shift_for_delta", "simulees_for", "stratified_subset",
           "sub_design"]
