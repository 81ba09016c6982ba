"""Standard scores derived from a z-score (percentile, T-score, sten, stanine) and the
inverse of the standard normal distribution function (for confidence bands).

The standard-score functions take one z-score (a finite float, or +/- infinity) and return
one value; they raise ``ValueError`` for NaN. The bands are half-open intervals
``[lower, upper)`` in z, so every function is monotone non-decreasing in z.

References
----------
- T-score: McCall, W. A. (1922). *How to measure in education*. Macmillan.
- Sten: Canfield, A. A. (1951). The "sten" scale: a modified C-scale. *Educational and
  Psychological Measurement*, 11(2), 295-297.
- Stanine ("standard nine"): introduced by psychologists of the US Army Air Forces
  Aviation Psychology Program in the Second World War (Flanagan, J. C., Ed., 1947,
  *The aviation psychology program in the Army Air Forces*, AAF Report No. 1); see any
  psychometrics text, e.g. Anastasi & Urbina (1997), *Psychological testing*, 7th ed.
- Normal distribution: the standard library's ``statistics.NormalDist`` (its ``inv_cdf``
  is Wichura, M. J. (1988). Algorithm AS 241: the percentage points of the normal
  distribution. *Applied Statistics*, 37(3), 477-484).
"""

from __future__ import annotations

import math
from statistics import NormalDist

__all__ = [
    "PERCENTILE_MAX",
    "PERCENTILE_MIN",
    "T_MAX",
    "T_MIN",
    "normal_quantile",
    "percentile_from_z",
    "stanine_from_z",
    "sten_from_z",
    "t_from_z",
    "z_for_level",
]

#: Percentiles are reported in [0.1, 99.9]: a normal model cannot justify "0" or "100".
PERCENTILE_MIN = 0.1
PERCENTILE_MAX = 99.9
#: T-scores are reported in [20, 80], i.e. z within +/- 3.
T_MIN = 20.0
T_MAX = 80.0
_STANDARD_NORMAL = NormalDist()


def _check(z: float) -> float:
    z = float(z)
    if math.isnan(z):
        raise ValueError("z-score is NaN")
    return z


def percentile_from_z(z: float) -> float:
    """Percentile rank of ``z`` under the standard normal, one decimal, in [0.1, 99.9].

    ``100 * Phi(z)`` (``NormalDist().cdf``, i.e. ``(1 + erf(z / sqrt(2))) / 2``), clipped
    to [0.1, 99.9] and rounded to one decimal. z = 0 gives 50.0, z = 1 gives 84.1.
    """
    z = _check(z)
    p = 100.0 * _STANDARD_NORMAL.cdf(z)
    return round(min(max(p, PERCENTILE_MIN), PERCENTILE_MAX), 1)


def t_from_z(z: float) -> float:
    """T-score ``50 + 10 z`` (mean 50, SD 10; McCall 1922), clipped to [20, 80], one decimal."""
    z = _check(z)
    t = 50.0 + 10.0 * z if math.isfinite(z) else math.copysign(T_MAX, z)
    return round(min(max(t, T_MIN), T_MAX), 1)


def sten_from_z(z: float) -> int:
    """Sten ("standard ten", Canfield 1951): mean 5.5, SD 2, integers 1..10.

    Each sten is half an SD wide and the mean lies on the boundary between stens 5 and 6:
    sten 1 is z < -2, sten k (2..9) is ``-2 + (k-2)/2 <= z < -2 + (k-1)/2``, sten 10 is
    z >= 2. Equivalently ``clip(floor(2 z + 6), 1, 10)``, which is the continuous sten
    ``2 z + 5.5`` rounded half up. So z = 0 gives sten 6 and z just below 0 gives 5.
    Expected proportions under a normal distribution, sten 1..10 (percent):
    2.3, 4.4, 9.2, 15.0, 19.1, 19.1, 15.0, 9.2, 4.4, 2.3.
    """
    return _half_sd_band(2.0 * _check(z) + 6.0, 10)


def stanine_from_z(z: float) -> int:
    """Stanine ("standard nine", US Army Air Forces): mean 5, SD 2, integers 1..9.

    Stanine 5 is the middle half-SD band ``-0.25 <= z < 0.25``; each further stanine is
    half an SD wide; stanine 1 is z < -1.75 and stanine 9 is z >= 1.75. Equivalently
    ``clip(round(2 z + 5), 1, 9)`` with rounding half up, i.e. ``floor(2 z + 5.5)``.
    Expected proportions under a normal distribution, stanine 1..9 (percent):
    4, 7, 12, 17, 20, 17, 12, 7, 4.
    """
    return _half_sd_band(2.0 * _check(z) + 5.5, 9)


def _half_sd_band(x: float, top: int) -> int:
    """``clip(floor(x), 1, top)`` for a continuous score ``x`` (also +/- infinity): the
    band 1 is ``x < 2``, the band ``top`` is ``x >= top``."""
    if x >= top:
        return top
    if x < 2.0:
        return 1
    return math.floor(x)


def normal_quantile(p: float) -> float:
    """Inverse of the standard normal distribution function: ``z`` with ``Phi(z) = p``.

    ``0 < p < 1``, otherwise ValueError (also for NaN). The standard library's
    ``statistics.NormalDist().inv_cdf`` (Wichura's AS241, about double precision), which
    is exactly antisymmetric: ``normal_quantile(p) == -normal_quantile(1 - p)`` for
    p >= 0.5 (``1 - p`` is exact there, and AS241 computes both from the same ``min(p,
    1 - p)``). Examples: p = 0.975 gives 1.959964, p = 0.95 gives 1.644854, p = 0.5 gives 0.
    """
    p = float(p)
    if not 0.0 < p < 1.0:  # also rejects NaN
        raise ValueError(f"probability must be strictly between 0 and 1, got {p!r}")
    return _STANDARD_NORMAL.inv_cdf(p)


def z_for_level(level: float) -> float:
    """Two-sided normal multiplier for a confidence ``level`` in (0, 1): ``z_{(1 + level)/2}``.

    level 0.90 gives 1.6449, 0.95 gives 1.9600, 0.68 gives 0.9945.
    """
    level = float(level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be strictly between 0 and 1, got {level!r}")
    return normal_quantile((1.0 + level) / 2.0)
