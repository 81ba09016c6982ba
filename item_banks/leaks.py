"""Leak monitoring: does an item become easier over time than its parameters predict?

Pure functions over numpy arrays (shapes as in ``item_banks.irt``); no database, no clock.

Data. For one item, its responses in the order they were given: ``times`` (numbers or
``numpy.datetime64``), ``x`` (1/0) and ``p``, the probability of a correct answer the model
predicts for the candidate who gave it. A leaked item (its key circulating among test takers)
is answered correctly more often than ``p`` says, from the moment of the leak on.

Expected probability: which ability. ``expected_correct`` gives, per administered response,
the **posterior predictive probability given the candidate's other answers**,
``p_ij = sum_q P_j(theta_q) post_-j(theta_q | x_i, without x_ij)``, on the EAP quadrature
grid with the N(0, 1) prior (``irt.quadrature``). Two choices are made here:

- *Excluding the item* (``exclude=True``, the default). The end-of-test estimate includes
  the answer to the item itself: a correct answer to a leaked item raises the candidate's
  estimate, which raises ``p`` and hides part of the leak's excess; and under the model the
  residual of a response is correlated with the estimate it is computed from (a correct
  answer moves the estimate towards a higher ``p``), so the residuals are shrunk towards 0
  and their variance is below ``p (1 - p)``. In a 29-item adaptive test one answer weighs
  about 1/29 of the information, so there the difference is small (bench/leaks.py reports
  both; docs/technical-manual.md "Leak monitoring"); it is larger in short tests. Leaving
  the item out removes both effects.
- *Posterior predictive, not ``p3pl(theta_hat)``*. An EAP is shrunk towards the mean and
  the 3PL is not linear, so ``p3pl(EAP)`` is a biased prediction; averaging ``P`` over the
  posterior is the model's own prediction of the answer, whatever the test length. When
  only a point estimate is at hand, ``irt.p3pl(theta, a, b, c)`` serves (less exact).

A remaining subtlety: in an adaptive test the items given *after* an item depend on the
answer to it, so the other answers are not quite independent of it given the ability. The
false-alarm rate is therefore checked on data simulated through the production CAT
(bench/leaks.py), not only on independent Bernoulli draws.

Statistic. The standardised residual of a response is ``r = (x - p) / sqrt(p (1 - p))``
(mean 0, variance 1 under the model). The alarm is a **one-sided upper CUSUM** (Page, 1954)
on the residuals in time order::

    S_0 = 0,   S_t = max(0, S_{t-1} + r_t - k),   alarm at the first t with S_t > h.

A CUSUM on residuals for items in a CAT was proposed by Veerkamp & Glas (2000) to detect
items whose parameters drift because of exposure and preknowledge (they used it on the
difficulty; we use the standardised residual of the answer, which needs no re-estimation),
and by van Krimpen-Stoop & Meijer (2001) for person fit. Only the upper side is
monitored: an item that gets *harder* (a change of content, a rendering fault) is a matter
for item fit (``item_banks.fit``), not for leak monitoring, and does not raise this alarm.

- ``k`` (the reference value, ``DEFAULT_K = 0.15``) is half the shift of the mean residual
  the chart is tuned to (Page's rule): a leak where 30 % of test takers know the answer
  raises ``E[x]`` by ``0.3 (1 - p)``, about 0.3 residual SD at ``p = 0.55``, the typical
  ``p`` of an adaptively chosen item.
- ``h`` (the decision interval) is chosen so that, on data from the model, the probability
  of an alarm within the first ``horizon`` responses of an item (``DEFAULT_HORIZON =
  1000``) is at most ``alpha`` (``DEFAULT_ALPHA = 0.01``, 1 % per item).
  ``calibrate_threshold`` finds it by simulation from the predicted probabilities of the
  production CAT (Bernoulli answers at those ``p``); ``DEFAULT_H`` is its value for the
  shipped bank (bench/leaks.py prints the calibration). Beyond the horizon the false-alarm
  probability keeps growing, about ``alpha`` per further ``horizon`` responses: restart
  the monitor (``start``) when an item's parameters are recalibrated in a new bank version.

Below ``min_n`` responses (``DEFAULT_MIN_N = 50``) an item is reported as "insufficient
data" and no alarm is raised: a CUSUM with this ``h`` needs far more responses than that
to reach it anyway, and a chart of a handful of responses says nothing.

The windowed summary (``windows``) is for charts: per calendar month (``by="month"``) or per
block of ``block`` responses, the number of responses, observed and expected proportion
correct, and ``z = sum(x - p) / sqrt(sum p (1 - p))`` (approximately N(0, 1) per window
under the model; not an alarm: many windows make some large ``z`` likely by chance).

References: Page, E. S. (1954). Continuous inspection schemes. *Biometrika, 41*, 100-115.
Veerkamp, W. J. J. & Glas, C. A. W. (2000). Detection of known items in adaptive testing
with a statistical quality control method. *Journal of Educational and Behavioral
Statistics, 25*, 373-389. van Krimpen-Stoop, E. M. L. A. & Meijer, R. R. (2001). CUSUM-based
person-fit statistics for adaptive testing. *Journal of Educational and Behavioral
Statistics, 26*, 199-218.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import irt

DEFAULT_K = 0.15
#: Decision interval for DEFAULT_K, DEFAULT_HORIZON and DEFAULT_ALPHA on the shipped bank
#: (``calibrate_threshold`` on the predicted probabilities of the production CAT;
#: bench/leaks.py, docs/technical-manual.md "Leak monitoring").
DEFAULT_H = 25.0
DEFAULT_HORIZON = 1000
DEFAULT_ALPHA = 0.01
DEFAULT_MIN_N = 50
_EPS = 1e-6

ALARM = "alarm"
NO_ALARM = "no alarm"
INSUFFICIENT = "insufficient data"


def residuals(x, p) -> np.ndarray:
    """Standardised residuals ``(x - p) / sqrt(p (1 - p))``; x, p same shape, p clipped to
    [1e-6, 1 - 1e-6]."""
    x = np.asarray(x, dtype=float)
    p = np.clip(np.asarray(p, dtype=float), _EPS, 1.0 - _EPS)
    if x.shape != p.shape:
        raise ValueError("x and p must have the same shape")
    return (x - p) / np.sqrt(p * (1.0 - p))


def cusum(r, k: float = DEFAULT_K) -> np.ndarray:
    """Upper CUSUM path ``S_t = max(0, S_{t-1} + r_t - k)``, ``S_0 = 0``, over the last axis.

    r (..., T) -> (..., T). A loop over T (the recursion is not a cumulative sum), vectorised
    over the leading axes (many simulated sequences at once)."""
    r = np.asarray(r, dtype=float)
    out = np.empty_like(r)
    s = np.zeros(r.shape[:-1])
    for t in range(r.shape[-1]):
        s = np.maximum(0.0, s + r[..., t] - k)
        out[..., t] = s
    return out


def first_alarm(path, h: float) -> int | None:
    """Index (0-based) of the first ``S_t > h`` in a 1-D CUSUM path, or None."""
    above = np.flatnonzero(np.asarray(path) > h)
    return int(above[0]) if above.size else None


@dataclass(frozen=True, eq=False)
class ItemMonitor:
    """Leak monitor of one item. ``status`` is ``ALARM``, ``NO_ALARM`` or ``INSUFFICIENT``;
    ``alarm_index`` (0-based position in time order) and ``alarm_time`` of the first
    ``S_t > h`` (None without alarm); ``cusum`` (n,) the path in time order, ``order`` the
    permutation that sorted the input by time; ``observed``/``expected`` proportions
    correct over all responses; ``k``, ``h`` as used."""

    status: str
    n: int
    observed: float
    expected: float
    alarm_index: int | None
    alarm_time: object
    max_cusum: float
    cusum: np.ndarray
    order: np.ndarray
    k: float
    h: float


def monitor(times, x, p, *, k: float = DEFAULT_K, h: float = DEFAULT_H, min_n: int = DEFAULT_MIN_N,
            start=None) -> ItemMonitor:
    """Run the upper CUSUM over one item's responses in time order.

    times (n,) numbers or datetime64 (ties keep input order); x (n,) 1/0; p (n,) predicted
    probabilities (``expected_correct``). ``start``: ignore responses before this time
    (restart after a recalibration). Fewer than ``min_n`` responses: ``INSUFFICIENT``, no
    alarm.
    """
    times = np.asarray(times)
    x = np.asarray(x, dtype=float)
    p = np.asarray(p, dtype=float)
    if not (times.shape == x.shape == p.shape) or x.ndim != 1:
        raise ValueError("times, x and p must be 1-D arrays of the same length")
    if np.any((x != 0) & (x != 1)) or np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("x must be 0/1 and p probabilities")
    keep = np.ones(x.size, dtype=bool) if start is None else times >= start
    idx = np.flatnonzero(keep)
    order = idx[np.argsort(times[idx], kind="stable")]
    xs, ps = x[order], p[order]
    n = int(xs.size)
    observed = float(xs.mean()) if n else float("nan")
    expected = float(ps.mean()) if n else float("nan")
    if n < min_n:
        return ItemMonitor(INSUFFICIENT, n, observed, expected, None, None, float("nan"),
                           np.zeros(0), order, k, h)
    path = cusum(residuals(xs, ps), k)
    at = first_alarm(path, h)
    return ItemMonitor(ALARM if at is not None else NO_ALARM, n, observed, expected, at,
                       None if at is None else times[order[at]], float(path.max()), path, order, k, h)


@dataclass(frozen=True)
class Window:
    """One window of the chart: ``start``/``end`` (first and last time in it, or the month),
    ``n`` responses, ``observed``/``expected`` proportion correct, ``z`` the standardised
    sum of residuals ``sum(x - p) / sqrt(sum p (1 - p))``."""

    start: object
    end: object
    n: int
    observed: float
    expected: float
    z: float


def windows(times, x, p, *, block: int | None = None, by: str | None = None) -> list[Window]:
    """Windowed observed vs expected proportion correct, in time order.

    Exactly one of ``block`` (consecutive blocks of that many responses; the last may be
    shorter) or ``by="month"`` (calendar months of datetime64 ``times``; ``start`` is the
    month as ``numpy.datetime64(..., "M")``, ``end`` the same). Empty input: [].
    """
    if (block is None) == (by is None):
        raise ValueError("give exactly one of block or by")
    if by is not None and by != "month":
        raise ValueError("by must be 'month'")
    if block is not None and block < 1:
        raise ValueError("block must be >= 1")
    times = np.asarray(times)
    x = np.asarray(x, dtype=float)
    p = np.clip(np.asarray(p, dtype=float), _EPS, 1.0 - _EPS)
    if not (times.shape == x.shape == p.shape):
        raise ValueError("times, x and p must have the same length")
    order = np.argsort(times, kind="stable")
    times, x, p = times[order], x[order], p[order]
    if block is not None:
        bounds = [(i, min(i + block, x.size)) for i in range(0, x.size, block)]
        labels = [(times[i], times[j - 1]) for i, j in bounds]
    else:
        months = times.astype("datetime64[M]")
        cuts = np.flatnonzero(months[1:] != months[:-1]) + 1
        starts = np.r_[0, cuts] if x.size else np.zeros(0, dtype=int)
        ends = np.r_[cuts, x.size] if x.size else np.zeros(0, dtype=int)
        bounds = list(zip(starts.tolist(), ends.tolist()))
        labels = [(months[i], months[i]) for i, _ in bounds]
    out = []
    for (i, j), (lo, hi) in zip(bounds, labels):
        xs, ps = x[i:j], p[i:j]
        var = float((ps * (1 - ps)).sum())
        out.append(Window(lo, hi, j - i, float(xs.mean()), float(ps.mean()), float((xs - ps).sum() / np.sqrt(var))))
    return out


def expected_correct(responses, a, b, c, *, exclude: bool = True, nodes=None, prior=None) -> np.ndarray:
    """Predicted probability of each administered response, given the candidate's answers.

    responses (P, I): 1/0, NaN where not administered; a, b, c (I,). Returns (P, I), NaN
    where not administered: ``sum_q P_j(theta_q) w_q L(theta_q) / sum_q w_q L(theta_q)``
    with ``L`` the likelihood of the candidate's other answers (``exclude=True``) or of all
    of them (``exclude=False``, the end-of-test posterior; for comparison), ``w`` the prior
    on the nodes (default ``irt.quadrature()``, N(0, 1)).
    """
    x = np.asarray(responses, dtype=float)
    if x.ndim != 2:
        raise ValueError("responses must be (persons, items)")
    a, b, c = (np.asarray(v, dtype=float) for v in (a, b, c))
    if nodes is None:
        nodes, default_prior = irt.quadrature()
        prior = default_prior if prior is None else prior
    nodes = np.asarray(nodes, dtype=float)
    prior = np.exp(-0.5 * nodes**2) if prior is None else np.asarray(prior, dtype=float)
    with np.errstate(divide="ignore"):
        log_prior = np.log(prior / prior.sum())
    full = irt.log_likelihood_grid(x, a, b, c, nodes) + log_prior  # (P, Q)
    pq = np.clip(irt.p3pl(nodes, a, b, c), 1e-12, 1 - 1e-12)  # (Q, I)
    out = np.full(x.shape, np.nan)
    for j in range(x.shape[1]):
        who = np.flatnonzero(~np.isnan(x[:, j]))
        if not who.size:
            continue
        lp = full[who].copy()
        if exclude:
            xj = x[who, j][:, None]
            lp -= xj * np.log(pq[:, j]) + (1 - xj) * np.log1p(-pq[:, j])
        lp -= lp.max(axis=1, keepdims=True)
        w = np.exp(lp)
        out[who, j] = (w @ pq[:, j]) / w.sum(axis=1)
    return out


def null_max_cusum(p_pool, rng: np.random.Generator, *, k: float = DEFAULT_K, horizon: int = DEFAULT_HORIZON,
                   n_sim: int = 20_000, chunk: int = 2_000) -> np.ndarray:
    """Maxima over ``horizon`` responses of ``n_sim`` CUSUM paths under the model: each
    response's ``p`` drawn with replacement from ``p_pool`` (predicted probabilities of
    real or simulated administrations), its answer ``x ~ Bernoulli(p)``. Returns (n_sim,)."""
    pool = np.clip(np.asarray(p_pool, dtype=float).ravel(), _EPS, 1 - _EPS)
    pool = pool[np.isfinite(pool)]
    if not pool.size:
        raise ValueError("p_pool is empty")
    out = np.empty(n_sim)
    for lo in range(0, n_sim, chunk):
        m = min(chunk, n_sim - lo)
        p = rng.choice(pool, size=(m, horizon))
        x = (rng.random((m, horizon)) < p).astype(float)
        out[lo:lo + m] = cusum(residuals(x, p), k).max(axis=1)
    return out


def calibrate_threshold(p_pool, rng: np.random.Generator, *, k: float = DEFAULT_K, horizon: int = DEFAULT_HORIZON,
                        alpha: float = DEFAULT_ALPHA, n_sim: int = 20_000) -> float:
    """Decision interval ``h``: the (1 - alpha) quantile of the null maxima
    (``null_max_cusum``), so P(alarm within ``horizon`` responses | model) <= alpha up to
    Monte Carlo error (with n_sim = 20,000 and alpha = 0.01, the SE of the achieved rate is
    0.0007)."""
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    maxima = null_max_cusum(p_pool, rng, k=k, horizon=horizon, n_sim=n_sim)
    return float(np.quantile(maxima, 1 - alpha, method="higher"))


__all__ = ["ALARM", "DEFAULT_ALPHA", "DEFAULT_H", "DEFAULT_HORIZON", "DEFAULT_K", "DEFAULT_MIN_N", "INSUFFICIENT",
           "ItemMonitor", "NO_ALARM", "Window", "calibrate_threshold", "cusum", "expected_correct", "first_alarm",
           "monitor", "null_max_cusum", "residuals", "windows"]
