"""Standard scores derived from a z-score: percentile, T-score, sten and stanine.

All functions take one z-score (a finite float, or +/- infinity) and return one value;
they raise ``ValueError`` for NaN. The bands are half-open intervals ``[lower, upper)``
in z, so every function is monotone non-decreasing in z.

References
----------
- T-score: McCall, W. A. (1922). *How to measure in education*. Macmillan.
- Sten: Canfield, A. A. (1951). The "sten" scale: a modified C-scale. *Educational and
  Psychological Measurement*, 11(2), 295-297.
- Stanine ("standard nine"): introduced by psychologists of the US Army Air Forces
  Aviation Psychology Program in the Second World War (Flanagan, J. C., Ed., 1947,
  *The aviation psychology program in the Army Air Forces*, AAF Report No. 1); see any
  psychometrics text, e.g. Anastasi & Urbina (1997), *Psychological testing*, 7th ed.
"""

from __future__ import annotations

import math

__all__ = [
    "PERCENTILE_MIN",
    "PERCENTILE_MAX",
    "T_MIN",
    "T_MAX",
    "percentile_from_z",
    "t_from_z",
    "sten_from_z",
    "stanine_from_z",
]

#: Percentiles are reported in [0.1, 99.9]: a normal model cannot justify "0" or "100".
PERCENTILE_MIN = 0.1
PERCENTILE_MAX = 99.9
#: T-scores are reported in [20, 80], i.e. z within +/- 3.
T_MIN = 20.0
T_MAX = 80.0


def _check(z: float) -> float:
    z = float(z)
    if math.isnan(z):
        raise ValueError("z-score is NaN")
    return z


def percentile_from_z(z: float) -> float:
    """Percentile rank of ``z`` under the standard normal, one decimal, in [0.1, 99.9].

    ``100 * Phi(z)`` with ``Phi(z) = (1 + erf(z / sqrt(2))) / 2``, clipped to
    [0.1, 99.9] and rounded to one decimal. z = 0 gives 50.0, z = 1 gives 84.1.
    """
    z = _check(z)
    p = 50.0 * (1.0 + math.erf(z / math.sqrt(2.0)))
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
    z = _check(z)
    x = 2.0 * z + 6.0
    if x >= 10.0:
        return 10
    if x < 2.0:
        return 1
    return math.floor(x)


def stanine_from_z(z: float) -> int:
    """Stanine ("standard nine", US Army Air Forces): mean 5, SD 2, integers 1..9.

    Stanine 5 is the middle half-SD band ``-0.25 <= z < 0.25``; each further stanine is
    half an SD wide; stanine 1 is z < -1.75 and stanine 9 is z >= 1.75. Equivalently
    ``clip(round(2 z + 5), 1, 9)`` with rounding half up, i.e. ``floor(2 z + 5.5)``.
    Expected proportions under a normal distribution, stanine 1..9 (percent):
    4, 7, 12, 17, 20, 17, 12, 7, 4.
    """
    z = _check(z)
    x = 2.0 * z + 5.5
    if x >= 9.0:
        return 9
    if x < 2.0:
        return 1
    return math.floor(x)
