"""Synthesis of the evidence about one candidate against a requirement profile.

Pure functions (standard library + numpy; no Flask, no database), so the maths can be
read, tested and audited on its own. Design document section 5: per competency, the
evidence from each source, its agreement, a combined level, and the probability that
the candidate meets the target given measurement error; then an overall fit.

Scale and model
---------------
Competency levels are on the 1-5 behaviourally anchored rating scale (BARS). Every
piece of evidence is an :class:`Evidence`: a level on that scale and an SD, read as the
standard error of that level as an estimate of the candidate's true level (classical
test theory: observed = true + error, errors Normal and independent between sources;
Lord & Novick 1968). The independence assumption is optimistic when, for example, the
interviewers have seen the test report, which is why the interview guide has them rate
before seeing each other's ratings.

Nothing here decides: the numbers are shown to a consultant, who makes every decision.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

SOURCES = ("test", "interview", "reference")
LEVEL_MIN, LEVEL_MAX = 1.0, 5.0

#: Typical disagreement between trained interviewers on a 1-5 BARS item: the SD of one
#: rater's rating around the consensus is usually about 0.5-0.7 of a scale point
#: (single-rater reliabilities of structured-interview ratings are around .5-.7;
#: Conway, Jako & Goodman 1995). 0.6 is the middle of that range.
DEFAULT_RATER_SD = 0.6

#: Source weights used by :func:`combine` unless the caller passes its own. Structured
#: interviews and cognitive/personality tests both have useful operational validity
#: (structured interview ~.51, general mental ability ~.51, conscientiousness ~.31),
#: reference checks a weak one (~.26) (Schmidt & Hunter 1998, Table 1). The interview
#: gets the full weight because its ratings are made directly on the competency's
#: behavioural anchors; a test scale measures the competency only indirectly, so it is
#: down-weighted like the references.
DEFAULT_WEIGHTS: Mapping[str, float] = {"interview": 1.0, "test": 0.5, "reference": 0.5}

#: z for the two-sided 90 % bands used throughout the reports (norms use level 0.90).
Z90 = 1.6448536269514722

#: Smallest SD given to test-based evidence (level units). A test band reflects only the
#: test's *reliability*; a test scale (e.g. a logic test for "problem solving") is an
#: imperfect proxy for the competency, so its *validity* limits how precisely it can
#: locate the competency level however reliable the test is.
TEST_SD_FLOOR = 0.5

#: SD given to test-based evidence whose percentile comes without a confidence band.
TEST_SD_UNKNOWN = 0.75


@dataclass(frozen=True)
class Evidence:
    """One source's estimate of a competency level.

    ``source``: ``"test"``, ``"interview"`` or ``"reference"``; ``level``: in [1, 5];
    ``sd``: > 0, the standard error of ``level`` as an estimate of the true level.
    Raises ``ValueError`` on anything else.
    """

    source: str
    level: float
    sd: float

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, not {self.source!r}")
        _check_level(self.level, "level")
        _check_sd(self.sd, "sd")


def _check_level(value: float, name: str) -> None:
    if not (isinstance(value, (int, float, np.number)) and math.isfinite(value)
            and LEVEL_MIN <= value <= LEVEL_MAX):
        raise ValueError(f"{name} must be a number in [{LEVEL_MIN:g}, {LEVEL_MAX:g}], not {value!r}")


def _check_sd(value: float, name: str) -> None:
    if not (isinstance(value, (int, float, np.number)) and math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, not {value!r}")


def _ratings_array(ratings: Sequence[float]) -> np.ndarray:
    values = [float(r) for r in ratings]
    if not values:
        raise ValueError("at least one rating is needed")
    for r in values:
        _check_level(r, "rating")
    return np.asarray(values, dtype=float)


def _phi(z: float) -> float:
    """Standard Normal CDF, Phi(z) = erfc(-z / sqrt 2) / 2 (accurate in both tails)."""
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def rating_evidence(ratings: Sequence[float], *, rater_sd: float = DEFAULT_RATER_SD) -> Evidence:
    """Interview evidence from several interviewers' 1-5 ratings of one competency.

    level = mean(ratings); sd = sqrt(max(rater_sd**2, s**2) / n), with s**2 the sample
    variance (ddof=1; taken as 0 when n = 1) and n the number of raters: the standard
    error of a mean of n independent ratings (Spearman-Brown logic for averaged raters).

    The observed spread of two or three raters is a very noisy estimate of rater error
    (it is often 0 by chance), so ``rater_sd`` (see :data:`DEFAULT_RATER_SD`) is a floor:
    agreement among a few raters never makes the evidence look more precise than trained
    raters typically are. Averaging removes idiosyncratic rater error only; error shared
    by all raters (the candidate's day, the same questions) is not reduced (Kenny 1994's
    separation of target, perceiver and relationship variance) — another reason for the
    floor.
    """
    _check_sd(rater_sd, "rater_sd")
    values = _ratings_array(ratings)
    n = values.size
    variance = float(values.var(ddof=1)) if n > 1 else 0.0
    sd = math.sqrt(max(rater_sd ** 2, variance) / n)
    return Evidence("interview", float(values.mean()), sd)


def disagreement(ratings: Sequence[float]) -> bool:
    """True when the raters are two or more scale points apart (max - min >= 2).

    Two anchors apart means the raters saw different behaviour or read the anchors
    differently; the consultant should discuss it rather than average it away.
    """
    values = _ratings_array(ratings)
    return bool(values.max() - values.min() >= 2.0 - 1e-9)


def percentile_evidence(percentile: float, percentile_band: tuple[float, float] | None, *,
                        direction: int = 1, sd_floor: float = TEST_SD_FLOOR,
                        sd_unknown: float = TEST_SD_UNKNOWN) -> Evidence:
    """Test evidence: map a normed test percentile onto the 1-5 competency scale.

    level = 1 + 4 * p / 100, p in [0, 100] (p = 50 -> 3, the norm group's median is the
    scale's middle anchor). ``direction=-1`` is for scales keyed against the competency
    (p is replaced by 100 - p). The mapping is linear in percentiles, a deliberate
    simplification: it spreads the norm group evenly over the scale and makes no claim
    that the distances between anchors are equal in test-score units.

    ``percentile_band`` is the (low, high) 90 % band of the percentile as stored with the
    test result (``norms`` convert with level 0.90). Its width in level units,
    4 * (high - low) / 100, is 2 * 1.645 SD under a Normal error model, so
    sd = max(sd_floor, 4 * (high - low) / 100 / (2 * 1.645)). The floor
    (:data:`TEST_SD_FLOOR`) expresses validity, not reliability: a test scale is a proxy
    for the competency. Without a band, sd = max(sd_floor, sd_unknown).

    (Named ``percentile_evidence``, not ``test_evidence``: the conventions forbid library
    functions whose names start with ``test_``, which pytest would collect.)
    """
    if direction not in (1, -1):
        raise ValueError(f"direction must be 1 or -1, not {direction!r}")
    _check_sd(sd_floor, "sd_floor")
    _check_sd(sd_unknown, "sd_unknown")
    p = _check_percentile(percentile, "percentile")
    if direction == -1:
        p = 100.0 - p
    if percentile_band is None:
        sd = max(sd_floor, sd_unknown)
    else:
        low, high = (_check_percentile(v, "percentile band") for v in percentile_band)
        if low > high:
            raise ValueError(f"percentile band must be (low, high), not {percentile_band!r}")
        width = 4.0 * (high - low) / 100.0
        sd = max(sd_floor, width / (2.0 * Z90))
    return Evidence("test", 1.0 + 4.0 * p / 100.0, sd)


def _check_percentile(value: float, name: str) -> float:
    if not (isinstance(value, (int, float, np.number)) and math.isfinite(value) and 0 <= value <= 100):
        raise ValueError(f"{name} must be a number in [0, 100], not {value!r}")
    return float(value)


def combine(evidence: Sequence[Evidence], *,
            weights: Mapping[str, float] | None = None) -> tuple[float, float]:
    """Combined level and its SD from several pieces of evidence: ``(level, sd)``.

    Weighted mean with w_i = s_i / sd_i**2: the inverse-variance (fixed-effect)
    weighting of meta-analysis (Hedges & Olkin 1985), multiplied by a source weight s_i
    (:data:`DEFAULT_WEIGHTS` unless ``weights`` is given; a weight of 0 leaves a source
    out). level = sum(w_i x_i) / sum(w_i), and, for independent errors,

        sd = sqrt(sum(w_i**2 sd_i**2)) / sum(w_i),

    the exact SD of that weighted mean. With equal source weights it reduces to the
    familiar 1 / sqrt(sum(1 / sd_i**2)), which is never larger than the smallest sd_i;
    unequal source weights trade some precision for validity. The SD covers measurement
    error only, not disagreement between sources (see :func:`agreement`).

    Raises ``ValueError`` for empty evidence, a source without a weight, a negative
    weight, or weights that are all 0.
    """
    items = list(evidence)
    if not items:
        raise ValueError("no evidence to combine")
    source_weights = DEFAULT_WEIGHTS if weights is None else weights
    for item in items:
        if not isinstance(item, Evidence):
            raise TypeError(f"expected Evidence, not {item!r}")
        if item.source not in source_weights:
            raise ValueError(f"no weight for source {item.source!r}")
        s = source_weights[item.source]
        if not (isinstance(s, (int, float, np.number)) and math.isfinite(s) and s >= 0):
            raise ValueError(f"weight for {item.source!r} must be a finite number >= 0, not {s!r}")
    x = np.array([e.level for e in items], dtype=float)
    sd = np.array([e.sd for e in items], dtype=float)
    w = np.array([source_weights[e.source] for e in items], dtype=float) / sd ** 2
    total = float(w.sum())
    if total <= 0:
        raise ValueError("all evidence has weight 0")
    level = float(np.dot(w, x) / total)
    combined_sd = math.sqrt(float(np.dot(w ** 2, sd ** 2))) / total
    # Guard against rounding just outside the scale; a weighted mean of 1..5 is in 1..5.
    return min(max(level, LEVEL_MIN), LEVEL_MAX), combined_sd


def probability_meets(level: float, sd: float, target: float) -> float:
    """P(true level >= target - 0.5) when the true level ~ Normal(level, sd).

    = Phi((level - target + 0.5) / sd). A rating of ``target`` stands for the band
    [target - 0.5, target + 0.5) of the continuous scale, so a candidate "meets" the
    target when the true level is at least in the target's band; a candidate estimated
    exactly at the target therefore has a probability above 0.5 (Phi(0.5 / sd)).
    ``level`` and ``target`` must be in [1, 5] and ``sd`` > 0. The result is in [0, 1].
    """
    _check_level(level, "level")
    _check_level(target, "target")
    _check_sd(sd, "sd")
    return min(max(_phi((level - target + 0.5) / sd), 0.0), 1.0)


def overall_fit(items: Sequence[tuple[float, float, bool]]) -> dict:
    """Overall fit to the profile from per-competency ``(weight, probability, must)``.

    fit = sum(w_i p_i) / sum(w_i), the profile-weighted mean probability of meeting the
    targets (equivalently: the expected weighted share of targets met). Its uncertainty
    treats each competency as an independent Bernoulli(p_i) outcome:
    sd = sqrt(sum(w_i**2 p_i (1 - p_i))) / sum(w_i). A competency marked as a must is
    met when p_i >= 0.5 (more likely met than not).

    Returns ``{"fit": float in [0, 1], "sd": float >= 0, "musts_met": bool,
    "unmet_musts": [indices of items that are musts with p < 0.5]}``. Raises
    ``ValueError`` for no items, negative or all-zero weights, or p outside [0, 1].
    """
    rows = list(items)
    if not rows:
        raise ValueError("no competencies to fit")
    weights, probs, unmet = [], [], []
    for i, (weight, p, must) in enumerate(rows):
        if not (isinstance(weight, (int, float, np.number)) and math.isfinite(weight) and weight >= 0):
            raise ValueError(f"weight must be a finite number >= 0, not {weight!r}")
        if not (isinstance(p, (int, float, np.number)) and 0 <= p <= 1):
            raise ValueError(f"probability must be in [0, 1], not {p!r}")
        weights.append(float(weight))
        probs.append(float(p))
        if must and p < 0.5:
            unmet.append(i)
    w, p = np.array(weights), np.array(probs)
    total = float(w.sum())
    if total <= 0:
        raise ValueError("all competencies have weight 0")
    fit = min(max(float(np.dot(w, p)) / total, 0.0), 1.0)
    sd = math.sqrt(float(np.dot(w ** 2, p * (1 - p)))) / total
    return {"fit": fit, "sd": sd, "musts_met": not unmet, "unmet_musts": unmet}


def discrepant_pairs(evidence: Sequence[Evidence]) -> list[tuple[Evidence, Evidence]]:
    """Every pair of discrepant evidence as ``(higher, lower)``, in input order.

    Two pieces of evidence are discrepant when |x_1 - x_2| > 1.96 * sqrt(sd_1**2 + sd_2**2),
    i.e. their difference is larger than measurement error explains at the 5 % level
    (two-sided z test of the difference of independent estimates).
    """
    pairs = []
    for a, b in combinations(list(evidence), 2):
        if abs(a.level - b.level) > 1.96 * math.hypot(a.sd, b.sd):
            pairs.append((a, b) if a.level >= b.level else (b, a))
    return pairs


def agreement(evidence: Sequence[Evidence]) -> str:
    """``"agree"`` or ``"discrepant"``: do the sources tell the same story?

    ``"discrepant"`` when any pair is (see :func:`discrepant_pairs`); a single piece of
    evidence agrees with itself. Many sources mean many pairs, so with several sources an
    occasional false alarm is expected: it is a prompt for the consultant to look, not a
    verdict. Raises ``ValueError`` when empty.
    """
    items = list(evidence)
    if not items:
        raise ValueError("no evidence to compare")
    return "discrepant" if discrepant_pairs(items) else "agree"


def bands_overlap(a: tuple[float, float], b: tuple[float, float], *, z: float = Z90) -> bool:
    """Do two candidates' bands level ± z * sd overlap? ``a`` and ``b`` are (level, sd).

    Overlap iff |level_a - level_b| <= z * (sd_a + sd_b). Used to say "the data does not
    separate them". Overlap of two 90 % bands is a deliberately cautious criterion: it is
    stricter than a test of the difference (Schenker & Gentleman 2001), so the report
    errs toward not ranking candidates on differences within measurement error.
    """
    (la, sa), (lb, sb) = a, b
    for level in (la, lb):
        if not (isinstance(level, (int, float, np.number)) and math.isfinite(level)):
            raise ValueError(f"level must be a finite number, not {level!r}")
    _check_sd(sa, "sd")
    _check_sd(sb, "sd")
    _check_sd(z, "z")
    return abs(la - lb) <= z * (sa + sb)


def compare_first_opinion(client_level: float, level: float, sd: float, *, z: float = Z90) -> str:
    """Does the second opinion confirm the client's own rating of a competency?

    ``"confirms"`` when the client's level lies within our combined level's 90 % band
    (``level -/+ z * sd``) or within half a level of it (ratings are whole numbers, so a
    narrower tolerance would call 3 against 3.4 a difference); otherwise ``"higher"`` or
    ``"lower"``: whether *our* level is higher or lower than the client's.
    """
    _check_level(client_level, "client_level")
    _check_level(level, "level")
    _check_sd(sd, "sd")
    if abs(level - client_level) <= max(z * sd, 0.5):
        return "confirms"
    return "higher" if level > client_level else "lower"
