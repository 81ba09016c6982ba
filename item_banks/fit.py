"""Item fit for adaptive data: infit and outfit mean-squares with plausible values.

Pure functions over numpy arrays (shapes as in ``item_banks.irt``).

Statistic. For item i, over the persons p who answered it, with ``P_pi`` the model
probability at the person's ability, ``W_pi = P_pi (1 - P_pi)`` and residual
``x_pi - P_pi`` (Wright & Masters, 1982, ch. 5; Wright & Linacre, 1994):

- **infit** (information-weighted) mean-square ``sum_p (x - P)^2 / sum_p W``;
- **outfit** (unweighted) mean-square ``(1 / n) sum_p (x - P)^2 / W``.

Both have expectation 1 under the model. Values above 1 mean noisier responses than the
model predicts (e.g. a miskeyed or ambiguous item, guessing beyond c), values below 1
more deterministic ones (a steeper item than its a says). Each is standardised by
Wilson-Hilferty's cube-root transformation with the model variance of the mean-square
(Wright & Masters, 1982): ``t = (MS^(1/3) - 1) (3 / q) + q / 3`` with
``q^2 = sum (C - W^2) / (sum W)^2`` for infit and ``q^2 = sum (C / W^2) / n^2 - 1 / n``
for outfit, ``C = E[(x - P)^4] = P Q (P^3 + Q^3)``.

Which ability. In an adaptive test every person answers few items, so a point estimate is
poor: an EAP is shrunk towards the mean and an ML/WLE estimate is noisy, and either
distorts the residuals (the null distribution of the mean-squares is no longer the one
above). We use **plausible values**: draws ``theta_pm`` from each person's posterior on the
quadrature grid, given their answers, the calibrated item parameters and the calibrated
latent distribution (Mislevy, 1991). If the model holds, a person's plausible value and
answers have the same joint distribution as the true ability and the answers, so the
statistics computed with plausible values have the same null distribution as with the
true abilities, whatever the test length. ``draws`` plausible values are drawn per person;
the reported mean-squares and ``t`` are averages over the draws (averaging removes
imputation noise; the averaged ``t`` has a variance below 1 under the model, which makes
the test slightly conservative). Item parameters estimated from the same data also make
it conservative. The false-alarm rate on data generated from the model is measured in
bench/calibration.py and tests/test_calibration.py.

Calibrating the null (empirical null). Averaging over draws and estimating the item
parameters from the same data both shrink the spread of ``t`` under the model well below
1 (on simulated adaptive data its SD across fitting items is about 0.35-0.5), so the
nominal test would hardly ever fire, on misfitting items too. Because most items of a bank
fit, the null distribution can be estimated from the items themselves (Efron, 2004, the
"empirical null"): ``z_i = (t_i - median(t)) / (1.4826 MAD(t))`` over the assessed items,
the median and the scaled median absolute deviation being robust to the few misfitting
ones. With fewer than ``EMPIRICAL_NULL_MIN_ITEMS`` assessed items the theoretical null is
used (``z = t``, conservative). If many items misfit, the MAD grows and the test gets
conservative, never liberal.

Flag rule. An item is flagged when ``|z| > z_(1 - alpha / 2)`` (two-sided; default
alpha = 0.05, so about 5 % of fitting items are flagged by chance: a flag asks a person to
look at the item's key, wording and distractors, it does not retire the item). The
infit mean-square is reported beside it as the size of the misfit (Wright & Linacre, 1994,
suggest 0.8-1.2 as reasonable for high-stakes multiple-choice tests). Items with fewer
than ``min_n`` responses are not assessed (NaN, not flagged).

References: Efron, B. (2004). Large-scale simultaneous hypothesis testing: the choice of a
null hypothesis. *Journal of the American Statistical Association, 99*, 96-104. Mislevy,
R. J. (1991). Randomization-based inference about latent variables
from complex samples. *Psychometrika, 56*, 177-196. Wright, B. D. & Linacre, J. M. (1994).
Reasonable mean-square fit values. *Rasch Measurement Transactions, 8*, 370. Wright, B. D.
& Masters, G. N. (1982). *Rating scale analysis*. MESA Press.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import irt
from .calibration import _data, _grid_log_likelihood, _normal_log_weights, _posterior

DEFAULT_ALPHA = 0.05
#: Fewest assessed items for which the empirical null is estimated.
EMPIRICAL_NULL_MIN_ITEMS = 20
DEFAULT_DRAWS = 5
DEFAULT_MIN_N = 30


@dataclass(frozen=True, eq=False)
class ItemFit:
    """Per item (I,): ``n`` responses; ``infit``/``outfit`` mean-squares and their
    standardised ``infit_t``/``outfit_t``; ``p_value`` of the two-sided test on ``infit_t``;
    ``z``: ``infit_t`` standardised against the empirical null (``null_median``,
    ``null_scale``; 0 and 1 when the theoretical null was used, ``empirical_null`` False);
    ``p_value`` of the two-sided test on ``z``; ``flagged`` = ``p_value < alpha``. NaN/False
    for items with fewer than ``min_n`` responses."""

    n: np.ndarray
    infit: np.ndarray
    outfit: np.ndarray
    infit_t: np.ndarray
    outfit_t: np.ndarray
    z: np.ndarray
    p_value: np.ndarray
    flagged: np.ndarray
    alpha: float
    draws: int
    empirical_null: bool
    null_median: float
    null_scale: float


def _normal_sf(z: np.ndarray) -> np.ndarray:
    from math import erfc, sqrt

    return np.array([0.5 * erfc(v / sqrt(2.0)) if np.isfinite(v) else np.nan for v in np.ravel(z)]).reshape(
        np.shape(z))


def _wilson_hilferty(ms, q):
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.cbrt(ms) - 1.0) * (3.0 / q) + q / 3.0


def item_fit(
    responses, a, b, c, *, rng: np.random.Generator, mask=None, population: tuple[float, float] = (0.0, 1.0),
    nodes=None, draws: int = DEFAULT_DRAWS, alpha: float = DEFAULT_ALPHA, min_n: int = DEFAULT_MIN_N,
    items=None, empirical_null: bool = True,
) -> ItemFit:
    """Infit/outfit with plausible values (module docstring) for every item.

    responses (P, I) with 1/0/NaN (or ``mask``); a, b, c (I,) the calibrated parameters;
    ``population`` the calibrated latent (mean, SD) (``CalibrationResult.population_mean``,
    ``population_sd``); ``items`` (I,) bool: the items that score persons (default: every
    item with a response; pass ``CalibrationResult.status != "insufficient_data"``).
    Statistics are computed for those items with at least ``min_n`` responses: items left
    out of the calibration are not assessed, as their residuals would follow another null
    distribution (their parameters were not fitted to these data) and distort the
    empirical null of the others.
    ``rng`` draws the plausible values.
    """
    a, b, c = (np.asarray(v, dtype=float) for v in irt._item_params(a, b, c))
    x0, m = _data(responses, mask)
    if x0.shape[1] != a.size:
        raise ValueError(f"responses have {x0.shape[1]} items, the parameters {a.size}")
    if draws < 1 or not 0 < alpha < 1:
        raise ValueError("need draws >= 1 and 0 < alpha < 1")
    nodes = irt.quadrature()[0] if nodes is None else np.asarray(nodes, dtype=float)
    used = m.any(axis=0) if items is None else np.asarray(items, dtype=bool)
    ll = _grid_log_likelihood(x0[:, used], m[:, used].astype(float), a[used], b[used], c[used], nodes)
    w, _ = _posterior(ll, _normal_log_weights(nodes, population[0], population[1]))
    cum = np.cumsum(w, axis=1)
    rows, cols = np.nonzero(m)
    x = x0[rows, cols]
    n = np.bincount(cols, minlength=a.size)
    ms_in = np.zeros(a.size)
    ms_out = np.zeros(a.size)
    t_in = np.zeros(a.size)
    t_out = np.zeros(a.size)
    for _ in range(draws):
        u = rng.random(x0.shape[0])
        k = np.minimum((cum < u[:, None] * cum[:, -1:]).sum(axis=1), nodes.size - 1)
        theta = nodes[k]
        z = np.clip(a[cols] * (theta[rows] - b[cols]), -40.0, 40.0)  # elementwise 3PL per response
        p = np.clip(c[cols] + (1.0 - c[cols]) / (1.0 + np.exp(-z)), 1e-12, 1 - 1e-12)
        q_ = 1.0 - p
        wgt = p * q_
        sq = (x - p) ** 2
        kurt = wgt * (p**3 + q_**3)  # E[(x - P)^4]
        sum_w = np.bincount(cols, wgt, a.size)
        with np.errstate(invalid="ignore", divide="ignore"):
            infit = np.bincount(cols, sq, a.size) / sum_w
            outfit = np.bincount(cols, sq / wgt, a.size) / n
            q_in = np.sqrt(np.bincount(cols, kurt - wgt**2, a.size)) / sum_w
            q_out = np.sqrt(np.maximum(np.bincount(cols, kurt / wgt**2, a.size) / n**2 - 1.0 / n, 1e-12))
        ms_in += infit
        ms_out += outfit
        t_in += _wilson_hilferty(infit, q_in)
        t_out += _wilson_hilferty(outfit, q_out)
    ms_in, ms_out, t_in, t_out = (v / draws for v in (ms_in, ms_out, t_in, t_out))
    assessed = used & (n >= min_n)
    nan = np.full(a.size, np.nan)
    ms_in, ms_out, t_in, t_out = (np.where(assessed, v, nan) for v in (ms_in, ms_out, t_in, t_out))
    centre, scale = 0.0, 1.0
    use_empirical = bool(empirical_null and assessed.sum() >= EMPIRICAL_NULL_MIN_ITEMS)
    if use_empirical:
        t_ok = t_in[assessed]
        centre = float(np.median(t_ok))
        scale = float(1.4826 * np.median(np.abs(t_ok - centre)))
        if not scale > 0:
            use_empirical, centre, scale = False, 0.0, 1.0
    z = (t_in - centre) / scale
    p_value = 2.0 * _normal_sf(np.abs(z))
    flagged = assessed & (p_value < alpha)
    return ItemFit(n, ms_in, ms_out, t_in, t_out, z, p_value, flagged, float(alpha), int(draws), use_empirical,
                   centre, scale)


__all__ = ["DEFAULT_ALPHA", "DEFAULT_DRAWS", "DEFAULT_MIN_N", "EMPIRICAL_NULL_MIN_ITEMS", "ItemFit", "item_fit"]
