"""Adverse impact of a cut-off: selection rates per group, the four-fifths rule, a test and a CI.

Pure functions (standard library and numpy); no I/O. Input is aggregate: per group the
number of candidates and the number at or above the cut-off ("selected"). Groups come
from the voluntary equality-monitoring questionnaire and are only ever analysed in
aggregate.

Figures per group (Uniform Guidelines on Employee Selection Procedures, 29 CFR
1607.4(D), 1978; Morris & Lobsenz, 2000):

- **selection rate** ``x / n``;
- **impact ratio**: the group's rate divided by the rate of the group with the highest
  rate (the comparison group, ratio 1);
- **four-fifths rule**: an impact ratio below 0.8 is "generally regarded as evidence of
  adverse impact" by the Uniform Guidelines, which also note that a smaller difference
  may matter with large numbers and a larger one may not with small numbers. So:
- **significance**: the group's rate against the comparison group's, two-sided, by the
  two-proportion z-test with pooled variance when every expected cell count is at least 5,
  otherwise by **Fisher's exact test** (two-sided: the sum of the probabilities of all
  tables with the same margins that are no more probable than the observed one; Agresti,
  2013, 3.5), computed here from log-factorials;
- **confidence interval of the impact ratio**: the log method for a ratio of two
  independent proportions (Katz, Baptista, Azen & Pike, 1978):
  ``exp(ln IR +- z sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2))``; when a group has no one or
  everyone selected, 0.5 is added to the selected and not-selected counts of both groups
  for the interval only (Haldane-Anscombe correction).
- **flagged** ("adverse impact indicated"): the impact ratio is below 0.8 *and* the
  difference is significant at ``alpha`` (default .05). Both parts are shown, so a reader
  sees a four-fifths shortfall that small numbers cannot confirm.

Small groups. A group with fewer than ``min_group`` candidates (default 30) is
**suppressed**: no count, rate or ratio is returned for it, and it is never the comparison
group. Callers must not show totals from which a suppressed group's figures could be
derived (for example the overall number selected when exactly one group is suppressed).

References: Agresti, A. (2013). *Categorical data analysis* (3rd ed.). Wiley. Equal
Employment Opportunity Commission et al. (1978). Uniform guidelines on employee selection
procedures. *29 CFR Part 1607*. Katz, D., Baptista, J., Azen, S. P. & Pike, M. C. (1978).
Obtaining confidence intervals for the risk ratio in cohort studies. *Biometrics, 34*,
469-474. Morris, S. B. & Lobsenz, R. E. (2000). Significance tests and confidence intervals
for the adverse impact ratio. *Personnel Psychology, 53*, 89-111.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .scores import z_for_level

#: Groups with fewer candidates are suppressed.
MIN_GROUP = 30
FOUR_FIFTHS = 0.8
ALPHA = 0.05
LEVEL = 0.95
#: Smallest expected cell count for the z-test; below it Fisher's exact test is used.
MIN_EXPECTED = 5.0


@dataclass(frozen=True)
class GroupImpact:
    """One group's figures. For a suppressed group every figure is None. For the comparison
    group ``impact_ratio`` is 1 and the test fields are None."""

    group: str
    suppressed: bool
    n: int | None = None
    selected: int | None = None
    selection_rate: float | None = None
    impact_ratio: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    four_fifths: bool | None = None
    test: str | None = None
    p_value: float | None = None
    significant: bool | None = None
    flagged: bool | None = None


@dataclass(frozen=True)
class AdverseImpact:
    """``groups`` in the order given; ``comparison`` the highest-rate group (None when fewer
    than two groups are shown); ``flagged`` True if any group is flagged."""

    groups: tuple[GroupImpact, ...]
    comparison: str | None
    min_group: int
    alpha: float
    level: float

    @property
    def flagged(self) -> bool:
        return any(g.flagged for g in self.groups)

    def group(self, name: str) -> GroupImpact:
        for g in self.groups:
            if g.group == name:
                return g
        raise KeyError(name)


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact(table) -> float:
    """Two-sided p-value of Fisher's exact test for a 2 x 2 table ``[[a, b], [c, d]]``.

    Sums the hypergeometric probabilities (margins fixed) of every table no more probable
    than the observed one (with a relative tolerance of 1e-7 for ties), as R's
    ``fisher.test`` and SciPy do.
    """
    (a, b), (c, d) = np.asarray(table, dtype=int).tolist()
    if min(a, b, c, d) < 0:
        raise ValueError("counts must be >= 0")
    row1, col1, n = a + b, a + c, a + b + c + d
    lo, hi = max(0, col1 - (n - row1)), min(row1, col1)
    log_total = _log_choose(n, col1)
    log_p = {k: _log_choose(row1, k) + _log_choose(n - row1, col1 - k) - log_total for k in range(lo, hi + 1)}
    observed = log_p[a]
    p = sum(math.exp(v) for v in log_p.values() if v <= observed + 1e-7 * abs(observed) + 1e-12)
    return min(1.0, p)


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (no continuity correction)."""
    pooled = (x1 + x2) / (n1 + n2)
    var = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if var <= 0:
        return 1.0
    z = (x1 / n1 - x2 / n2) / math.sqrt(var)
    return math.erfc(abs(z) / math.sqrt(2.0))


def compare_rates(x1: int, n1: int, x2: int, n2: int) -> tuple[str, float]:
    """(test name, two-sided p) for group 1 against group 2: "z" when every expected cell is
    at least ``MIN_EXPECTED``, else "fisher"."""
    total, sel = n1 + n2, x1 + x2
    expected = [n1 * sel / total, n1 * (total - sel) / total, n2 * sel / total, n2 * (total - sel) / total]
    if min(expected) >= MIN_EXPECTED:
        return "z", two_proportion_z(x1, n1, x2, n2)
    return "fisher", fisher_exact([[x1, n1 - x1], [x2, n2 - x2]])


def impact_ratio_ci(x1: int, n1: int, x2: int, n2: int, level: float = LEVEL) -> tuple[float, float]:
    """Log-method CI of ``(x1 / n1) / (x2 / n2)`` (Katz et al. 1978), with 0.5 added to the
    cells when a count is 0 or equals its n."""
    if min(x1, x2, n1 - x1, n2 - x2) == 0:
        x1, n1, x2, n2 = x1 + 0.5, n1 + 1.0, x2 + 0.5, n2 + 1.0
    ratio = (x1 / n1) / (x2 / n2)
    se = math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
    z = z_for_level(level)
    return ratio * math.exp(-z * se), ratio * math.exp(z * se)


def adverse_impact(counts: Mapping[str, tuple[int, int]], *, min_group: int = MIN_GROUP, alpha: float = ALPHA,
                   level: float = LEVEL) -> AdverseImpact:
    """Adverse impact of a cut-off (module docstring).

    ``counts``: group -> ``(selected, n)``, the number of candidates at or above the cut-off
    and the number in the group. Groups with ``n < min_group`` are suppressed. Raises
    ValueError for impossible counts.
    """
    if isinstance(min_group, bool) or not isinstance(min_group, int) or min_group < 1:
        raise ValueError("min_group must be a positive integer")
    if not 0 < alpha < 1 or not 0 < level < 1:
        raise ValueError("alpha and level must be in (0, 1)")
    for name, (x, n) in counts.items():
        if not (isinstance(x, (int, np.integer)) and isinstance(n, (int, np.integer))) or not 0 <= x <= n:
            raise ValueError(f"group {name!r}: need whole numbers 0 <= selected <= n, got {x}/{n}")
    shown = {g: (int(x), int(n)) for g, (x, n) in counts.items() if n >= min_group}
    if len(shown) < 2:
        groups = tuple(
            GroupImpact(g, False, n, x, x / n) if g in shown else GroupImpact(g, True) for g, (x, n) in counts.items())
        return AdverseImpact(groups, None, min_group, alpha, level)
    comparison = max(shown, key=lambda g: (shown[g][0] / shown[g][1], shown[g][1]))
    xr, nr = shown[comparison]
    rate_r = xr / nr
    out = []
    for g, (x, n) in counts.items():
        if g not in shown:
            out.append(GroupImpact(g, True))
            continue
        rate = x / n
        if g == comparison:
            out.append(GroupImpact(g, False, n, x, rate, 1.0, four_fifths=False, flagged=False))
            continue
        ratio = rate / rate_r if rate_r > 0 else float("nan")
        low, high = impact_ratio_ci(x, n, xr, nr, level)
        test, p = compare_rates(x, n, xr, nr)
        four_fifths = bool(ratio < FOUR_FIFTHS)
        significant = bool(p < alpha)
        out.append(GroupImpact(g, False, n, x, rate, ratio, low, high, four_fifths, test, p, significant,
                               four_fifths and significant))
    return AdverseImpact(tuple(out), comparison, min_group, alpha, level)


def selection_counts(scores: Sequence[float], groups: Sequence[str | None], cutoff: float) -> dict[str, tuple[int, int]]:
    """Per group ``(selected, n)`` for candidates with ``score >= cutoff``. Candidates whose
    group is None (questionnaire not answered, or "prefer not to say") are left out."""
    s = np.asarray(scores, dtype=float)
    if s.shape != (len(groups),):
        raise ValueError("one group label per score")
    out: dict[str, list[int]] = {}
    for score, group in zip(s, groups):
        if group is None:
            continue
        cell = out.setdefault(str(group), [0, 0])
        cell[0] += int(score >= cutoff)
        cell[1] += 1
    return {g: (x, n) for g, (x, n) in out.items()}


__all__ = ["ALPHA", "FOUR_FIFTHS", "LEVEL", "MIN_EXPECTED", "MIN_GROUP", "AdverseImpact", "GroupImpact",
           "adverse_impact", "compare_rates", "fisher_exact", "impact_ratio_ci", "selection_counts",
           "two_proportion_z"]
