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
- Inverse normal: Acklam, P. J. (2003). An algorithm for computing the inverse normal
  cumulative distribution function (rational approximations, relative error < 1.15e-9,
  published on the author's web page), refined by one step of Halley's method, which
  brings it to about double precision.
"""

from __future__ import annotations

import math

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


# Acklam's rational approximations: central region |p - 0.5| <= 0.5 - _P_LOW, tails outside.
_A = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
      1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
      6.680131188771972e01, -1.328068155288572e01)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
      -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00,
      3.754408661907416e00)
_P_LOW = 0.02425
_SQRT_2PI = math.sqrt(2.0 * math.pi)


def _lower_quantile(p: float) -> float:
    """Quantile for 0 < p <= 0.5 (so the result is <= 0)."""
    if p < _P_LOW:
        q = math.sqrt(-2.0 * math.log(p))
        x = (((((_C[0] * q + _C[1]) * q + _C[2]) * q + _C[3]) * q + _C[4]) * q + _C[5]) / (
            (((_D[0] * q + _D[1]) * q + _D[2]) * q + _D[3]) * q + 1.0
        )
    else:
        q = p - 0.5
        r = q * q
        x = (((((_A[0] * r + _A[1]) * r + _A[2]) * r + _A[3]) * r + _A[4]) * r + _A[5]) * q / (
            ((((_B[0] * r + _B[1]) * r + _B[2]) * r + _B[3]) * r + _B[4]) * r + 1.0
        )
    # One Halley step on Phi(x) - p = 0 (Acklam's refinement). Skipped beyond |x| = 37.5
    # (p < ~1e-307), where exp(x^2 / 2) would overflow; the approximation alone is good
    # to ~1e-9 relative there.
    if abs(x) < 37.5:
        e = 0.5 * math.erfc(-x / math.sqrt(2.0)) - p
        u = e * _SQRT_2PI * math.exp(x * x / 2.0)
        x = x - u / (1.0 + x * u / 2.0)
    return x


def normal_quantile(p: float) -> float:
    """Inverse of the standard normal distribution function: ``z`` with ``Phi(z) = p``.

    ``0 < p < 1``, otherwise ValueError (also for NaN). Acklam's (2003) rational
    approximation refined by one Halley step; agrees with the standard library's
    ``statistics.NormalDist().inv_cdf`` (Wichura's AS241) to about 1e-13 (tested).
    Exactly antisymmetric for p >= 0.5: ``normal_quantile(p) == -normal_quantile(1 - p)``
    (the upper half is computed as ``-quantile(1 - p)``, and ``1 - p`` is exact there).
    Examples: p = 0.975 gives 1.959964, p = 0.95 gives 1.644854, p = 0.5 gives 0.
    """
    p = float(p)
    if not 0.0 < p < 1.0:  # also rejects NaN
        raise ValueError(f"probability must be strictly between 0 and 1, got {p!r}")
    if p > 0.5:
        return -_lower_quantile(1.0 - p)
    return _lower_quantile(p)


def z_for_level(level: float) -> float:
    """Two-sided normal multiplier for a confidence ``level`` in (0, 1): ``z_{(1 + level)/2}``.

    level 0.90 gives 1.6449, 0.95 gives 1.9600, 0.68 gives 0.9945.
    """
    level = float(level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be strictly between 0 and 1, got {level!r}")
    return normal_quantile((1.0 + level) / 2.0)
