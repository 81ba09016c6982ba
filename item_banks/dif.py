"""Differential item functioning (DIF): Mantel-Haenszel with the ETS A/B/C classification.

Pure functions over numpy arrays; no I/O.

Question. Do candidates of a focal group (e.g. those who took the English version) and a
reference group (the Swedish version; or two equality-monitoring groups) *of the same
ability* have the same chance of answering an item correctly? Group differences in ability
are not DIF; only differences at equal ability are.

Matching variable (adaptive data). The classical Mantel-Haenszel procedure (Holland &
Thayer, 1988) matches on the total score, which is meaningless in an adaptive test where
every candidate answers different items. We match on the **EAP ability estimate** from
all the items the candidate answered (including the studied item, as Holland & Thayer
include it in the total score), computed with the bank's (calibrated) parameters, and
form strata of width 0.25 on [-3, 3] plus two open tails (``DEFAULT_EDGES``). This is
the approach Zwick, Thayer & Wingersky (1994) evaluated for CAT data (they matched on
the expected true score computed from the EAP, a monotone function of it, so the strata
are equivalent) and found close to MH on complete data. The stratum width trades
matching precision (a wide stratum hides ability differences between groups inside it
and inflates the statistic when the groups differ in mean ability) against sparse
strata (the MH estimator tolerates sparse strata; strata with only one group carry no
information and drop out).

Statistics per item (Mantel & Haenszel, 1959; Holland & Thayer, 1988), with stratum k
holding ``A_k`` reference right, ``B_k`` reference wrong, ``C_k`` focal right, ``D_k``
focal wrong, ``N_k`` in total:

- common odds ratio ``alpha_MH = sum(A_k D_k / N_k) / sum(B_k C_k / N_k)``; > 1 means
  the item is relatively easier for the reference group;
- ETS delta metric ``MH D-DIF = -2.35 ln(alpha_MH)``: negative values mean the item
  favours the reference group (is harder for equally able focal candidates);
- its SE, ``2.35 SE(ln alpha_MH)``, with the variance of ``ln alpha_MH`` by Robins,
  Breslow & Greenland (1986) (the estimator Phillips & Holland, 1987, showed to be the
  same for this case);
- the MH chi-square with continuity correction
  ``(|sum A_k - sum E(A_k)| - 0.5)^2 / sum Var(A_k)``,
  ``E(A_k) = n_Rk m_1k / N_k``, ``Var(A_k) = n_Rk n_Fk m_1k m_0k / (N_k^2 (N_k - 1))``,
  1 degree of freedom.

ETS classification (Dorans & Holland, 1993; Zwick, 2012), ``D = MH D-DIF``:

- **A** (negligible): D not significantly different from 0 (MH chi-square p >= .05) or
  ``|D| < 1``;
- **C** (large): ``|D| >= 1.5`` and ``|D|`` significantly greater than 1
  (``(|D| - 1) / SE > 1.645``, one-sided at .05);
- **B** (moderate): otherwise.

C items are reviewed by a person (content experts, both language versions) before any
decision; B and C carry a sign (``favours``).

Minimum sizes. An item is classified only when at least ``min_reference`` reference and
``min_focal`` focal candidates answered it (default 100 each) *and* the matched strata
hold data from both groups; otherwise its status is "insufficient_data" and no class is
given: MH with fewer candidates has little power, and a class printed on such data would
look like evidence of fairness.

References: Dorans, N. J. & Holland, P. W. (1993). DIF detection and description:
Mantel-Haenszel and standardization. In P. W. Holland & H. Wainer (Eds.), *Differential
item functioning* (pp. 35-66). Erlbaum. Holland, P. W. & Thayer, D. T. (1988).
Differential item performance and the Mantel-Haenszel procedure. In H. Wainer & H. I.
Braun (Eds.), *Test validity* (pp. 129-145). Erlbaum. Mantel, N. & Haenszel, W. (1959).
Statistical aspects of the analysis of data from retrospective studies of disease.
*Journal of the National Cancer Institute, 22*, 719-748. Phillips, A. & Holland, P. W.
(1987). Estimators of the variance of the Mantel-Haenszel log-odds-ratio estimate.
*Biometrics, 43*, 425-431. Robins, J., Breslow, N. & Greenland, S. (1986). Estimators of
the Mantel-Haenszel variance consistent in both sparse data and large-strata limiting
models. *Biometrics, 42*, 311-323. Zwick, R. (2012). *A review of ETS differential item
functioning assessment procedures* (ETS RR-12-08). Zwick, R., Thayer, D. T. &
Wingersky, M. (1994). A simulation study of methods for assessing differential item
functioning in computerized adaptive tests. *Applied Psychological Measurement, 18*,
121-140.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import irt
from .calibration import _data

#: Stratum edges on the EAP scale: width 0.25 on [-3, 3], plus the two open tails.
DEFAULT_EDGES = tuple(np.round(np.arange(-3.0, 3.0001, 0.25), 2).tolist())
DEFAULT_MIN_GROUP = 100
DELTA_SCALE = 2.35
#: Significance level of the MH chi-square (category A) and one-sided z of "greater than 1" (C).
ALPHA = 0.05
Z_ONE_SIDED = 1.645
CATEGORIES = ("A", "B", "C")


@dataclass(frozen=True)
class MantelHaenszel:
    """MH statistics of one item (module docstring). ``delta`` = MH D-DIF, ``se_delta`` its
    SE; ``chi2``/``p_value`` the MH test; ``strata`` the strata that held both groups."""

    alpha_mh: float
    delta: float
    se_delta: float
    chi2: float
    p_value: float
    n_reference: int
    n_focal: int
    strata: int


@dataclass(frozen=True)
class ItemDif:
    """DIF result of one item. ``status``: "classified" or "insufficient_data" (then
    ``category`` is None and ``mh`` may be None). ``favours``: "reference" (D < 0),
    "focal" (D > 0) or None for category A."""

    index: int
    status: str
    category: str | None
    favours: str | None
    n_reference: int
    n_focal: int
    mh: MantelHaenszel | None


def _chi2_sf_1df(x: float) -> float:
    """P(chi-square with 1 df > x) = erfc(sqrt(x / 2))."""
    return math.erfc(math.sqrt(max(x, 0.0) / 2.0))


def mantel_haenszel(tables) -> MantelHaenszel:
    """MH statistics of a stack of 2 x 2 tables.

    ``tables``: shape (K, 2, 2) counts, ``tables[k] = [[A_k, B_k], [C_k, D_k]]``: row 0 the
    reference group, row 1 the focal group; column 0 right, column 1 wrong. Strata without
    both groups or with fewer than 2 persons carry no information and are skipped. Raises
    ValueError when no stratum is informative or the odds ratio is 0 or infinite (every
    informative stratum has ``A D = 0`` or ``B C = 0``).
    """
    t = np.asarray(tables, dtype=float)
    if t.ndim != 3 or t.shape[1:] != (2, 2):
        raise ValueError(f"tables must have shape (K, 2, 2), not {t.shape}")
    if np.any(t < 0):
        raise ValueError("counts must be >= 0")
    a, b, c, d = t[:, 0, 0], t[:, 0, 1], t[:, 1, 0], t[:, 1, 1]
    n_r, n_f = a + b, c + d
    n = n_r + n_f
    keep = (n_r > 0) & (n_f > 0) & (n >= 2)
    if not keep.any():
        raise ValueError("no stratum holds both groups")
    a, b, c, d, n_r, n_f, n = (v[keep] for v in (a, b, c, d, n_r, n_f, n))
    m1, m0 = a + c, b + d
    r_k, s_k = a * d / n, b * c / n
    r, s = r_k.sum(), s_k.sum()
    if not (r > 0 and s > 0):
        raise ValueError("the common odds ratio is 0 or infinite (no discordant cells)")
    alpha_mh = r / s
    p_k, q_k = (a + d) / n, (b + c) / n
    var_log = ((p_k * r_k).sum() / (2 * r * r) + (p_k * s_k + q_k * r_k).sum() / (2 * r * s)
               + (q_k * s_k).sum() / (2 * s * s))
    expected = n_r * m1 / n
    var_a = n_r * n_f * m1 * m0 / (n * n * (n - 1))
    total_var = var_a.sum()
    chi2 = (max(abs(a.sum() - expected.sum()) - 0.5, 0.0) ** 2 / total_var) if total_var > 0 else 0.0
    return MantelHaenszel(
        alpha_mh=float(alpha_mh), delta=float(-DELTA_SCALE * math.log(alpha_mh)),
        se_delta=float(DELTA_SCALE * math.sqrt(var_log)), chi2=float(chi2), p_value=_chi2_sf_1df(chi2),
        n_reference=int(n_r.sum()), n_focal=int(n_f.sum()), strata=int(keep.sum()),
    )


def ets_category(delta: float, se_delta: float, p_value: float, *, alpha: float = ALPHA,
                 z_one_sided: float = Z_ONE_SIDED) -> str:
    """ETS A/B/C category of an item (module docstring): A if ``p_value >= alpha`` or
    ``|delta| < 1``; C if ``|delta| >= 1.5`` and ``(|delta| - 1) / se_delta > z_one_sided``;
    else B."""
    size = abs(delta)
    if p_value >= alpha or size < 1.0:
        return "A"
    if size >= 1.5 and (size - 1.0) / se_delta > z_one_sided:
        return "C"
    return "B"


def strata_of(matching, edges=DEFAULT_EDGES) -> np.ndarray:
    """Stratum index of each matching value (P,): 0 below ``edges[0]``, ``len(edges)`` at or
    above ``edges[-1]``."""
    return np.searchsorted(np.asarray(edges, dtype=float), np.asarray(matching, dtype=float), side="right")


def matching_theta(responses, a, b, c, *, mask=None, population: tuple[float, float] = (0.0, 1.0)) -> np.ndarray:
    """EAP of every person on all their answered items (``irt.eap`` with a N(mean, SD^2)
    prior on the default grid): the matching variable. responses (P, I) with NaN."""
    nodes, _ = irt.quadrature()
    prior = np.exp(-0.5 * ((nodes - population[0]) / population[1]) ** 2)
    theta, _ = irt.eap(responses, a, b, c, nodes=nodes, prior=prior, mask=mask)
    return np.asarray(theta)


def item_dif(responses, group, matching, *, reference, focal, mask=None, edges=DEFAULT_EDGES,
             min_reference: int = DEFAULT_MIN_GROUP, min_focal: int = DEFAULT_MIN_GROUP,
             items=None) -> tuple[ItemDif, ...]:
    """MH DIF of every item between the persons with ``group == reference`` and
    ``group == focal`` (others are ignored), matched on strata of ``matching`` (P,), e.g.
    ``matching_theta``. ``items``: indices to analyse (default all). Returns one ``ItemDif``
    per analysed item, in order.
    """
    x0, m = _data(responses, mask)
    group = np.asarray(group, dtype=object)
    if group.shape != (x0.shape[0],):
        raise ValueError("group must have one label per person")
    match = np.asarray(matching, dtype=float)
    if match.shape != (x0.shape[0],) or not np.all(np.isfinite(match)):
        raise ValueError("matching must be one finite value per person")
    is_ref, is_foc = group == reference, group == focal
    stratum = strata_of(match, edges)
    k = len(edges) + 1
    out = []
    for i in (range(x0.shape[1]) if items is None else items):
        answered = m[:, i]
        n_ref, n_foc = int((answered & is_ref).sum()), int((answered & is_foc).sum())
        if n_ref < min_reference or n_foc < min_focal:
            out.append(ItemDif(int(i), "insufficient_data", None, None, n_ref, n_foc, None))
            continue
        tables = np.zeros((k, 2, 2))
        for row, members in ((0, answered & is_ref), (1, answered & is_foc)):
            right = x0[members, i] == 1
            np.add.at(tables[:, row, 0], stratum[members][right], 1)
            np.add.at(tables[:, row, 1], stratum[members][~right], 1)
        try:
            mh = mantel_haenszel(tables)
        except ValueError:
            out.append(ItemDif(int(i), "insufficient_data", None, None, n_ref, n_foc, None))
            continue
        category = ets_category(mh.delta, mh.se_delta, mh.p_value)
        favours = None if category == "A" else ("reference" if mh.delta < 0 else "focal")
        out.append(ItemDif(int(i), "classified", category, favours, n_ref, n_foc, mh))
    return tuple(out)


__all__ = ["ALPHA", "CATEGORIES", "DEFAULT_EDGES", "DEFAULT_MIN_GROUP", "DELTA_SCALE", "Z_ONE_SIDED", "ItemDif",
           "MantelHaenszel", "ets_category", "item_dif", "mantel_haenszel", "matching_theta", "strata_of"]
