"""Item calibration from sparse (adaptive) response data: marginal maximum likelihood by EM.

Pure functions over numpy arrays; no I/O. Shapes use ``P`` for persons, ``I`` for items
and ``Q`` for quadrature nodes, as in ``item_banks.irt``.

Model. The 3PL of ``item_banks.irt`` (logistic metric, D = 1)::

    P_i(theta) = c_i + (1 - c_i) / (1 + exp(-a_i (theta - b_i)))

``model="3PL"`` estimates a and b with **c held at the given value** (the shipped bank
fixes c = 1 / number of options by design, docs/technical-manual.md 2.1, so by default
only a and b are free); ``estimate_c=True`` frees c with a beta prior. ``model="2PL"``
sets c = 0 for the free items.

Estimator. Marginal maximum likelihood (Bock & Aitkin, 1981) with Bayes-modal priors on
the item parameters (Mislevy, 1986), computed by the EM algorithm over a fixed quadrature
grid (``irt.quadrature``: 61 nodes on [-6, 6]):

- **E-step.** For every person, the posterior weights ``w_pq`` of the nodes given the
  answered items and the current parameters; then the expected number of persons at
  node q who answered item i, ``n_iq = sum_p m_pi w_pq``, and the expected number who
  answered it correctly, ``r_iq = sum_p x_pi w_pq`` (``m`` = administered mask). Two
  matrix products.
- **M-step.** For every free item separately, maximise
  ``sum_q [r_iq log P_i(x_q) + (n_iq - r_iq) log(1 - P_i(x_q))] + log prior`` by Fisher
  scoring (expected information ``sum_q n_iq P'_k P'_l / (P Q)``) with step halving,
  vectorised over items.

Priors (Mislevy, 1986; the forms used by BILOG-MG, Zimowski, Muraki, Mislevy & Bock,
2003): ``log a ~ N(mu_a, sigma_a^2)`` (a lognormal prior on a, default N(0, 0.5^2),
expressed on log a, which is the parameter we optimise), ``b ~ N(0, 3^2)`` (weak: only keeps
an item that nearly everyone answered the same way finite) and, when c is free,
``c ~ Beta(20 c0 + 1, 20 (1 - c0) + 1)`` with ``c0`` the given (a-priori) c, BILOG-MG's
default weight of 20 prior observations. At a few hundred responses per item the data
dominate the priors (bench/calibration.py reports the recovery).

Sparse adaptive data. A response matrix with NaN (or ``mask`` False) for items not
administered. Items a candidate did not see contribute nothing to the likelihood. In a CAT
the choice of items depends only on the candidate's earlier *observed* responses, so the
missingness is ignorable for likelihood-based inference (Rubin, 1976; Mislevy & Wu,
1996) and MML on the administered items is consistent, as long as the parameters used to
*select* items are not the ones that generated the data: the estimate is correct; it is
proportion-correct-based shortcuts that fail on adaptive data (every item is answered
correctly by about half of those who saw it).

Anchors and linking. ``anchors`` (boolean per item) marks items held at their given
parameters. They define the scale: with anchors, the latent distribution is estimated as
``N(mu, sigma^2)`` from the posterior weights after every E-step (Mislevy, 1984; Bock &
Aitkin, 1981), so a candidate population that is abler or more varied than the bank's
reference population shows up in ``mu``/``sigma`` instead of shifting every free item's b.
This is **fixed-parameter calibration** (Kim, 2006: "multiple weights updating and
multiple EM cycles", the variant that updates the prior each cycle), which puts the new
items on the bank's existing metric without a separate linking step. Without anchors the
population is fixed at N(0, 1), which fixes the scale instead (``estimate_population``
overrides either default).

Minimum N. Items with fewer than ``min_n`` responses are **not estimated and not used**:
they are left out of the likelihood (their a-priori parameters are not trusted to score
persons) and reported with ``status="insufficient_data"``. Default 200: the smallest
sample commonly advised for two-parameter calibration (de Ayala, 2009, ch. 4-5, reviews
recommendations of a few hundred to a thousand); bench/calibration.py shows the recovery
at 500-2,000.

Standard errors. From the **empirical cross-product information** at convergence:
``sum_p s_p s_p^T`` with ``s_p`` the gradient of person p's log marginal likelihood with
respect to the item's parameters (the "XPD" estimate; Mislevy, 1986; Paek & Cai, 2014),
plus the prior's information (minus the Hessian of the log prior), inverted per item
(a 2 x 2 or 3 x 3 block; covariances between items are neglected, which understates the
SEs slightly; bench/calibration.py compares mean SE with the empirical RMSE). The SE of a
is by the delta method, ``SE(a) = a SE(log a)``.

Determinism. No randomness; the same inputs give the same numbers.

References: Bock, R. D. & Aitkin, M. (1981). Marginal maximum likelihood estimation of
item parameters: Application of an EM algorithm. *Psychometrika, 46*, 443-459. de Ayala,
R. J. (2009). *The theory and practice of item response theory*. Guilford. Kim, S. (2006).
A comparative study of IRT fixed parameter calibration methods. *Journal of Educational
Measurement, 43*, 355-381. Mislevy, R. J. (1984). Estimating latent distributions.
*Psychometrika, 49*, 359-381. Mislevy, R. J. (1986). Bayes modal estimation in item response
models. *Psychometrika, 51*, 177-195. Mislevy, R. J. & Wu, P.-K. (1996). *Missing responses
and IRT ability estimation: Omits, choice, time limits, and adaptive testing* (ETS RR-96-30).
Paek, I. & Cai, L. (2014). A comparison of item parameter standard error estimation
procedures for unidimensional and multidimensional item response theory modeling.
*Educational and Psychological Measurement, 74*, 58-76. Rubin, D. B. (1976). Inference
and missing data. *Biometrika, 63*, 581-592. Zimowski, M. F., Muraki, E., Mislevy, R. J. &
Bock, R. D. (2003). *BILOG-MG 3* [manual]. Scientific Software International.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import irt

#: Items with fewer responses than this are not estimated (module docstring).
DEFAULT_MIN_N = 200
#: Prior of log a: (mean, SD).
DEFAULT_LOG_A_PRIOR = (0.0, 0.5)
#: Prior of b: (mean, SD); weak.
DEFAULT_B_PRIOR = (0.0, 3.0)
#: Weight (prior observations) of the beta prior on c when c is free (BILOG-MG's 20).
DEFAULT_C_PRIOR_WEIGHT = 20.0
MODELS = ("3PL", "2PL")
STATUSES = ("estimated", "anchor", "insufficient_data")

# Bounds that keep a diverging item finite (reported as not converged if it hits them).
_LOG_A_BOUNDS = (math.log(0.05), math.log(8.0))
_B_BOUNDS = (-8.0, 8.0)
_C_BOUNDS = (1e-4, 0.6)
_EPS = 1e-10


@dataclass(frozen=True)
class ItemCalibration:
    """One item's result. ``status``: "estimated", "anchor" (held at the given values) or
    "insufficient_data" (fewer than ``min_n`` responses: not estimated; a, b, c are the
    given values and the SEs NaN). ``n``: responses to the item; ``p_correct``: their
    proportion correct (NaN when n = 0). ``converged``: the item's parameters changed by
    less than the tolerance in the last EM cycle and stayed inside the bounds
    (log a in [log 0.05, log 8], b in [-8, 8], c in [0.0001, 0.6])."""

    index: int
    status: str
    a: float
    b: float
    c: float
    se_a: float
    se_b: float
    se_c: float
    n: int
    p_correct: float
    converged: bool

    @property
    def estimated(self) -> bool:
        return self.status == "estimated"


@dataclass(frozen=True, eq=False)
class CalibrationResult:
    """Result of ``calibrate``. Arrays over items (I,) and persons (P,).

    ``a``, ``b``, ``c``: the calibrated parameters (given values for anchors and for items
    not estimated); ``se_a``, ``se_b``, ``se_c``: NaN where not estimated (``se_c`` NaN
    also when c was held fixed); ``n``: responses per item; ``status``: per item, see
    ``ItemCalibration``. ``theta``/``theta_sd``: EAP and posterior SD of every person
    under the final parameters and latent distribution (on the items used).
    ``population_mean``/``population_sd``: the latent distribution (0 and 1 when fixed).
    ``log_likelihood``: the final marginal log-likelihood (without the priors).
    """

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    se_a: np.ndarray
    se_b: np.ndarray
    se_c: np.ndarray
    n: np.ndarray
    p_correct: np.ndarray
    status: np.ndarray
    item_converged: np.ndarray
    theta: np.ndarray
    theta_sd: np.ndarray
    population_mean: float
    population_sd: float
    iterations: int
    converged: bool
    log_likelihood: float
    model: str
    estimate_c: bool
    min_n: int

    @property
    def items(self) -> tuple[ItemCalibration, ...]:
        """One ``ItemCalibration`` per item, in bank order."""
        return tuple(
            ItemCalibration(i, str(self.status[i]), float(self.a[i]), float(self.b[i]), float(self.c[i]),
                            float(self.se_a[i]), float(self.se_b[i]), float(self.se_c[i]), int(self.n[i]),
                            float(self.p_correct[i]), bool(self.item_converged[i]))
            for i in range(self.a.size)
        )

    @property
    def estimated(self) -> np.ndarray:
        """Boolean (I,): items whose parameters were estimated."""
        return self.status == "estimated"


def _data(responses, mask) -> tuple[np.ndarray, np.ndarray]:
    """-> (x0, m): x0 (P, I) float with 0 where not administered, m (P, I) bool."""
    x = np.asarray(responses, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"responses must be a 2-D persons x items array, not shape {x.shape}")
    m = ~np.isnan(x)
    if mask is not None:
        mk = np.asarray(mask, dtype=bool)
        if mk.shape != x.shape:
            raise ValueError(f"mask shape {mk.shape} differs from responses shape {x.shape}")
        m &= mk
    x0 = np.where(m, x, 0.0)
    if not np.all((x0 == 0) | (x0 == 1)):
        raise ValueError("responses must be 1 (correct), 0 (wrong) or NaN (not administered)")
    return x0, m


def _grid_log_likelihood(x0, mf, a, b, c, nodes) -> np.ndarray:
    """(P, Q) log-likelihood of each person's administered items at each node."""
    p = np.clip(irt.p3pl(nodes, a, b, c), _EPS, 1.0 - _EPS)  # (Q, I)
    log_q = np.log1p(-p)
    return x0 @ (np.log(p) - log_q).T + mf @ log_q.T


def _posterior(ll, log_prior) -> tuple[np.ndarray, np.ndarray]:
    """Normalised posterior weights (P, Q) and each person's log marginal likelihood (P,)."""
    z = ll + log_prior
    top = z.max(axis=1, keepdims=True)
    w = np.exp(z - top)
    total = w.sum(axis=1, keepdims=True)
    w /= total
    return w, (top + np.log(total)).ravel()


def _normal_log_weights(nodes, mean, sd) -> np.ndarray:
    z = -0.5 * ((nodes - mean) / sd) ** 2
    return z - np.log(np.exp(z - z.max()).sum()) - z.max()


@dataclass(frozen=True)
class _Priors:
    log_a: tuple[float, float]
    b: tuple[float, float]
    c_alpha: np.ndarray | None  # (F,) beta parameters, when c is free
    c_beta: np.ndarray | None


def _item_derivatives(theta, log_a, b, c):
    """P (F, Q) and its derivatives with respect to log a, b and c (each (F, Q))."""
    a = np.exp(log_a)[:, None]
    ps = 1.0 / (1.0 + np.exp(-np.clip(a * (theta[None, :] - b[:, None]), -40.0, 40.0)))
    cc = c[:, None]
    p = np.clip(cc + (1.0 - cc) * ps, _EPS, 1.0 - _EPS)
    slope = (1.0 - cc) * ps * (1.0 - ps)
    d_log_a = a * slope * (theta[None, :] - b[:, None])
    d_b = -a * slope
    d_c = 1.0 - ps
    return p, (d_log_a, d_b, d_c)


def _objective(theta, r, n, log_a, b, c, priors: _Priors, free_c: bool):
    """Per-item M-step objective, gradient (F, K) and expected information (F, K, K)."""
    p, derivs = _item_derivatives(theta, log_a, b, c)
    derivs = derivs if free_c else derivs[:2]
    k = len(derivs)
    f = (r * np.log(p) + (n - r) * np.log1p(-p)).sum(axis=1)
    pq = p * (1.0 - p)
    resid = (r - n * p) / pq
    weight = n / pq
    grad = np.stack([(resid * d).sum(axis=1) for d in derivs], axis=1)
    info = np.empty((log_a.size, k, k))
    for i in range(k):
        for j in range(i, k):
            info[:, i, j] = info[:, j, i] = (weight * derivs[i] * derivs[j]).sum(axis=1)
    # Priors: log a ~ N, b ~ N, c ~ Beta.
    (ma, sa), (mb, sb) = priors.log_a, priors.b
    f = f - 0.5 * ((log_a - ma) / sa) ** 2 - 0.5 * ((b - mb) / sb) ** 2
    grad[:, 0] -= (log_a - ma) / sa**2
    grad[:, 1] -= (b - mb) / sb**2
    info[:, 0, 0] += 1.0 / sa**2
    info[:, 1, 1] += 1.0 / sb**2
    if free_c:
        al, be = priors.c_alpha, priors.c_beta
        f = f + (al - 1.0) * np.log(c) + (be - 1.0) * np.log1p(-c)
        grad[:, 2] += (al - 1.0) / c - (be - 1.0) / (1.0 - c)
        info[:, 2, 2] += (al - 1.0) / c**2 + (be - 1.0) / (1.0 - c) ** 2
    return f, grad, info


def _clamp(log_a, b, c, free_c: bool):
    return (np.clip(log_a, *_LOG_A_BOUNDS), np.clip(b, *_B_BOUNDS), np.clip(c, *_C_BOUNDS) if free_c else c)


def _m_step(theta, r, n, log_a, b, c, priors, free_c, steps: int):
    """Fisher scoring with step halving on every free item at once."""
    f, grad, info = _objective(theta, r, n, log_a, b, c, priors, free_c)
    for _ in range(steps):
        try:
            delta = np.linalg.solve(info, grad[..., None])[..., 0]
        except np.linalg.LinAlgError:  # a singular item: gradient ascent step instead
            delta = grad / np.maximum(np.abs(np.diagonal(info, axis1=1, axis2=2)), 1.0)
        delta = np.clip(delta, -1.0, 1.0)  # at most one unit of log a, b or c per step
        scale = np.ones(log_a.size)
        accepted = np.zeros(log_a.size, dtype=bool)
        new = (log_a, b, c)
        for _halving in range(10):
            cand_la, cand_b, cand_c = _clamp(log_a + scale * delta[:, 0], b + scale * delta[:, 1],
                                             c + scale * delta[:, 2] if free_c else c, free_c)
            f_new = _objective(theta, r, n, cand_la, cand_b, cand_c, priors, free_c)[0]
            ok = (f_new >= f - 1e-12) & ~accepted
            new = tuple(np.where(ok, cand, old) for cand, old in zip((cand_la, cand_b, cand_c), new))
            accepted |= ok
            if accepted.all():
                break
            scale = np.where(accepted, scale, scale / 2.0)
        moved = max(float(np.abs(new[0] - log_a).max(initial=0.0)), float(np.abs(new[1] - b).max(initial=0.0)))
        log_a, b, c = new
        f, grad, info = _objective(theta, r, n, log_a, b, c, priors, free_c)
        if moved < 1e-8:
            break
    return log_a, b, c


def calibrate(
    responses, a, b, c, *, mask=None, anchors=None, min_n: int = DEFAULT_MIN_N, model: str = "3PL",
    estimate_c: bool = False, log_a_prior: tuple[float, float] = DEFAULT_LOG_A_PRIOR,
    b_prior: tuple[float, float] = DEFAULT_B_PRIOR, c_prior_weight: float = DEFAULT_C_PRIOR_WEIGHT,
    estimate_population: bool | None = None, nodes=None, max_iter: int = 500, tol: float = 1e-4,
    newton_steps: int = 3,
) -> CalibrationResult:
    """Calibrate item parameters by marginal maximum likelihood (EM) on sparse responses.

    responses: (P, I), 1 correct, 0 wrong, NaN not administered (or 0/1 with ``mask``, True
    = administered). a, b, c: (I,) the bank's current parameters: starting values for free
    items, the held values for anchors and for c when it is fixed. anchors: (I,) bool, items
    held at the given parameters (module docstring, "Anchors and linking"); None = none.
    min_n: items (other than anchors) with fewer responses are not estimated and not used.
    model: "3PL" (c as given, or estimated with ``estimate_c``) or "2PL" (c = 0 for the free
    items). Priors: ``log_a_prior`` (mean, SD) of log a, ``b_prior`` (mean, SD) of b, and
    ``c_prior_weight`` of the beta prior on a free c. estimate_population: estimate the
    latent mean and SD (default: True with anchors, False without). nodes: quadrature nodes
    (default ``irt.quadrature()``). Stops when no free parameter (log a, b, c) changes by
    more than ``tol`` in an EM cycle, or after ``max_iter`` cycles.

    Returns a ``CalibrationResult``. Raises ValueError for malformed input.
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}")
    if model == "2PL" and estimate_c:
        raise ValueError("estimate_c needs model='3PL'")
    a0, b0, c0 = (np.array(v, dtype=float) for v in irt._item_params(a, b, c))
    if a0.ndim != 1:
        raise ValueError("a, b, c must be 1-D arrays, one value per item")
    x0, m = _data(responses, mask)
    if x0.shape[1] != a0.size:
        raise ValueError(f"responses have {x0.shape[1]} items, the parameters {a0.size}")
    n_items = a0.size
    anchor = np.zeros(n_items, dtype=bool) if anchors is None else np.asarray(anchors, dtype=bool)
    if anchor.shape != (n_items,):
        raise ValueError("anchors must be one boolean per item")
    if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1:
        raise ValueError("min_n must be a positive integer")
    if not (log_a_prior[1] > 0 and b_prior[1] > 0 and c_prior_weight >= 0):
        raise ValueError("prior SDs must be > 0 and c_prior_weight >= 0")
    if estimate_population is None:
        estimate_population = bool(anchor.any())
    if nodes is None:
        nodes = irt.quadrature()[0]
    nodes = np.asarray(nodes, dtype=float)

    counts = m.sum(axis=0)
    correct = x0.sum(axis=0)
    free = ~anchor & (counts >= min_n)
    used = anchor | free
    status = np.where(anchor, "anchor", np.where(free, "estimated", "insufficient_data"))

    log_a, b_cur, c_cur = np.log(a0), b0.copy(), c0.copy()
    if model == "2PL":
        c_cur[free] = 0.0
    if estimate_c:
        c_cur[free] = np.clip(c_cur[free], *_C_BOUNDS)
    log_a[free] = np.clip(log_a[free], *_LOG_A_BOUNDS)
    b_cur[free] = np.clip(b_cur[free], *_B_BOUNDS)
    priors = _Priors(tuple(map(float, log_a_prior)), tuple(map(float, b_prior)),
                     c_prior_weight * c0[free] + 1.0 if estimate_c else None,
                     c_prior_weight * (1.0 - c0[free]) + 1.0 if estimate_c else None)

    xu, mu_ = x0[:, used], m[:, used].astype(float)
    free_in_used = free[used]
    # Persons without a response to any item used carry no information about the latent
    # distribution (their posterior is the prior); they are left out of its estimate.
    informative = mu_.any(axis=1)
    mean, sd = 0.0, 1.0
    log_prior = _normal_log_weights(nodes, mean, sd)
    converged, iterations = False, 0
    change = np.zeros(int(free.sum()))
    for iterations in range(1, max_iter + 1):
        ll = _grid_log_likelihood(xu, mu_, np.exp(log_a[used]), b_cur[used], c_cur[used], nodes)
        w, _ = _posterior(ll, log_prior)
        if estimate_population:
            marginal = w[informative].mean(axis=0) if informative.any() else w.mean(axis=0)
            mean = float(marginal @ nodes)
            sd = float(np.sqrt(max(marginal @ nodes**2 - mean**2, 1e-6)))
            log_prior = _normal_log_weights(nodes, mean, sd)
        if not free.any():
            converged = True
            break
        r = (xu[:, free_in_used].T @ w)
        n = (mu_[:, free_in_used].T @ w)
        old = (log_a[free].copy(), b_cur[free].copy(), c_cur[free].copy())
        la, bb, cc = _m_step(nodes, r, n, log_a[free], b_cur[free], c_cur[free], priors, estimate_c, newton_steps)
        log_a[free], b_cur[free], c_cur[free] = la, bb, cc
        change = np.maximum.reduce([np.abs(la - old[0]), np.abs(bb - old[1]), np.abs(cc - old[2])])
        if change.max(initial=0.0) < tol:
            converged = True
            break

    # Final posterior, persons' EAPs and the marginal log-likelihood at the final parameters.
    ll = _grid_log_likelihood(xu, mu_, np.exp(log_a[used]), b_cur[used], c_cur[used], nodes)
    w, log_marginal = _posterior(ll, log_prior)
    theta = w @ nodes
    theta_sd = np.sqrt(np.maximum(w @ nodes**2 - theta**2, 0.0))

    se_a, se_b, se_c = (np.full(n_items, np.nan) for _ in range(3))
    item_converged = np.zeros(n_items, dtype=bool)
    item_converged[anchor] = True
    if free.any():
        cov = _xpd_covariance(xu[:, free_in_used], mu_[:, free_in_used], w, nodes, log_a[free], b_cur[free],
                              c_cur[free], priors, estimate_c)
        se_log_a = np.sqrt(cov[:, 0, 0])
        se_a[free] = np.exp(log_a[free]) * se_log_a
        se_b[free] = np.sqrt(cov[:, 1, 1])
        if estimate_c:
            se_c[free] = np.sqrt(cov[:, 2, 2])
        inside = ((log_a[free] > _LOG_A_BOUNDS[0]) & (log_a[free] < _LOG_A_BOUNDS[1])
                  & (b_cur[free] > _B_BOUNDS[0]) & (b_cur[free] < _B_BOUNDS[1]))
        if estimate_c:
            inside &= (c_cur[free] > _C_BOUNDS[0]) & (c_cur[free] < _C_BOUNDS[1])
        item_converged[free] = (change < tol) & inside & np.isfinite(se_b[free])

    with np.errstate(invalid="ignore", divide="ignore"):
        p_correct = np.where(counts > 0, correct / np.maximum(counts, 1), np.nan)
    a_out = np.where(free, np.exp(log_a), a0)
    return CalibrationResult(
        a=a_out, b=np.where(free, b_cur, b0), c=np.where(free, c_cur, c0),
        se_a=se_a, se_b=se_b, se_c=se_c, n=counts.astype(int), p_correct=p_correct,
        status=status, item_converged=item_converged, theta=theta, theta_sd=theta_sd,
        population_mean=mean, population_sd=sd, iterations=iterations, converged=converged,
        log_likelihood=float(log_marginal.sum()), model=model,
        estimate_c=estimate_c, min_n=min_n,
    )


def _xpd_covariance(x0, mf, w, nodes, log_a, b, c, priors, free_c) -> np.ndarray:
    """Inverse of (empirical cross-product information + prior information), per item.

    Person p's score for parameter k of item i is
    ``m_pi sum_q w_pq [x_pi P'_k / P - (1 - x_pi) P'_k / (1 - P)]`` at node q.
    """
    p, derivs = _item_derivatives(nodes, log_a, b, c)  # (F, Q)
    derivs = derivs if free_c else derivs[:2]
    scores = []
    for d in derivs:
        right = w @ (d / p).T  # (P, F)
        wrong = w @ (d / (1.0 - p)).T
        scores.append(x0 * right - (mf - x0) * wrong)
    k = len(scores)
    info = np.empty((log_a.size, k, k))
    for i in range(k):
        for j in range(i, k):
            info[:, i, j] = info[:, j, i] = (scores[i] * scores[j]).sum(axis=0)
    info[:, 0, 0] += 1.0 / priors.log_a[1] ** 2
    info[:, 1, 1] += 1.0 / priors.b[1] ** 2
    if free_c:
        info[:, 2, 2] += (priors.c_alpha - 1.0) / c**2 + (priors.c_beta - 1.0) / (1.0 - c) ** 2
    out = np.full_like(info, np.nan)
    for i in range(log_a.size):
        try:
            out[i] = np.linalg.inv(info[i])
        except np.linalg.LinAlgError:
            pass
    return out


__all__ = ["DEFAULT_B_PRIOR", "DEFAULT_C_PRIOR_WEIGHT", "DEFAULT_LOG_A_PRIOR", "DEFAULT_MIN_N", "MODELS",
           "STATUSES", "CalibrationResult", "ItemCalibration", "calibrate"]
