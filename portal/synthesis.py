"""Synthesis of the evidence about one candidate against a requirement profile.

Pure functions (standard library + numpy; no Flask, no database), so the maths can be
read, tested and audited on its own. ``docs/synthesis.md`` is the model's documentation:
assumptions, formulas, parameters with their sources, limits, and the calibration study
(``bench/synthesis.py``) that checks that the probabilities mean what they say.

The model in one paragraph
--------------------------
Each competency has a true level ``L`` on the continuous 1-5 scale of its behavioural
anchors. Candidates come from a population with ``L ~ N(3, 1)`` (the prior: one level
per standard deviation, the middle anchor at the mean). Each source is a noisy linear
observation of ``L`` with a known error variance:

* a **test instrument** (the logic test; the personality inventory) gives scores ``y_j``
  on the norm group's z scale for the scales linked to the competency; a scale predicts
  the competency with validity ``rho_j``: ``y_j = rho_j C + sqrt(1 - rho_j^2) U_j + e_j``
  (``C = (L - 3) / 1``, ``U_j`` what the scale measures besides the competency, ``e_j``
  its measurement error, SE ``s_j``). Scales of one instrument are combined by
  generalised least squares with the correlations of what they measure, so two facets of
  one domain are not counted as independent evidence;
* the **interview**: each interviewer's rating ``r_k = L + d + e_k`` (``d`` shared by all
  interviewers of one candidate: same day, same answers; ``e_k`` the rater's own error,
  its variance estimated from the raters' agreement with a prior);
* the **references**: ``r_k = L + leniency + d' + e'_k`` likewise.

Evidence from an incomplete logic test or a flagged inventory protocol has its error
variance multiplied by ``1 / discount``. Sources are combined by precision with the
prior; when they disagree more than their errors explain (Cochran's ``Q`` against
chi-square), every source's variance is multiplied by the Birge ratio ``Q / df`` before
combining, and the disagreement is flagged at ``alpha``. The probability of meeting the
target is ``P(L >= target)`` under the Normal posterior.

Nothing here decides: the numbers are shown to a consultant, who makes every decision.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from statistics import NormalDist

import numpy as np

from item_banks.inventory_sim import DOMAIN_CORRELATIONS, DOMAINS, ResponseModel

#: Stamped on every synthesis result and every client report built with this model.
MODEL_VERSION = "synthesis-2"

SOURCES = ("test", "interview", "reference")
INSTRUMENTS = ("logic", "personality")
LEVEL_MIN, LEVEL_MAX = 1.0, 5.0
#: The link between a norm group's z scale and the competency levels: the norm group's
#: mean is the middle anchor (3), one standard deviation is one level.
LINK_MEAN, LINK_SD = 3.0, 1.0

#: z for the two-sided 90 % bands used throughout the reports (norms use level 0.90).
Z90 = 1.6448536269514722

_N = NormalDist()
#: Percentiles are stored clipped to [0.1, 99.9] (``norms.scores``); a band end there is
#: not an estimate of the band.
_P_CLIP = (0.1, 99.9)

#: Correlations of the Big Five domains and of facets within a domain: those of the
#: inventory's simulation and provisional norms (``item_banks.inventory_sim``; sizes from
#: meta-analyses of Big Five intercorrelations, van der Linden, te Nijenhuis & Bakker 2010).
_DOMAINS = DOMAINS
_DOMAIN_CORRELATIONS = DOMAIN_CORRELATIONS
_FACET_CORRELATION = ResponseModel().facet_correlation
_FACETS_PER_DOMAIN = 4


def _finite(value) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool) and math.isfinite(value)


def _check_positive(value, name: str) -> None:
    if not (_finite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, not {value!r}")


def _check_validity(value, name: str) -> None:
    if not (_finite(value) and 0 < value < 1):
        raise ValueError(f"{name} must be a number in (0, 1), not {value!r}")


def _check_level(value, name: str) -> None:
    if not (_finite(value) and LEVEL_MIN <= value <= LEVEL_MAX):
        raise ValueError(f"{name} must be a number in [{LEVEL_MIN:g}, {LEVEL_MAX:g}], not {value!r}")


@dataclass(frozen=True)
class Params:
    """Every parameter of the model (``docs/synthesis.md`` gives the source of each)."""

    #: Population of candidates: true level ~ N(prior_mean, prior_sd^2) on the 1-5 scale.
    prior_mean: float = 3.0
    prior_sd: float = 1.0
    #: Validity of a scale as a predictor of a linked competency, by instrument, unless
    #: the competency's scale link sets its own (``validity`` in competencies.json).
    validity: Mapping[str, float] = field(default_factory=lambda: {"logic": 0.50, "personality": 0.25})
    #: SE (z units) of a score stored without a band.
    se_unknown: float = 0.5
    #: Interview: SD of the error all interviewers of a candidate share, and of one
    #: interviewer's own error (prior value, with ``rater_prior_df`` degrees of freedom).
    interview_shared_sd: float = 0.5
    rater_sd: float = 0.6
    rater_prior_df: float = 4.0
    #: References: how much higher referees rate than the truth on average, and the SDs
    #: of the shared and the referee's own error.
    reference_leniency: float = 0.5
    reference_shared_sd: float = 1.0
    referee_sd: float = 0.8
    #: Precision kept by evidence from an incomplete test / a flagged inventory protocol.
    discount_incomplete: float = 0.5
    discount_flagged: float = 0.5
    #: Level of the disagreement tests (sources; raters).
    alpha: float = 0.05
    #: Correlation of one interview's errors across competencies (halo).
    halo: float = 0.3
    #: A must-have is "likely met" at P >= likely, "unlikely" at P <= 1 - likely.
    likely: float = 0.75

    def __post_init__(self) -> None:
        for name in ("prior_sd", "se_unknown", "interview_shared_sd", "rater_sd", "rater_prior_df",
                     "reference_shared_sd", "referee_sd"):
            _check_positive(getattr(self, name), name)
        for name in ("discount_incomplete", "discount_flagged"):
            value = getattr(self, name)
            if not (_finite(value) and 0 < value <= 1):
                raise ValueError(f"{name} must be in (0, 1], not {value!r}")
        for name in ("alpha", "halo", "likely"):
            value = getattr(self, name)
            if not (_finite(value) and 0 <= value < 1):
                raise ValueError(f"{name} must be in [0, 1), not {value!r}")
        for instrument in INSTRUMENTS:
            _check_validity(self.validity.get(instrument), f"validity[{instrument!r}]")

    def as_dict(self) -> dict:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["validity"] = dict(self.validity)
        return out


DEFAULT_PARAMS = Params()


def _phi(z: float) -> float:
    """Standard Normal CDF, Phi(z) = erfc(-z / sqrt 2) / 2 (accurate in both tails)."""
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def chi2_sf(x: float, df: float) -> float:
    """P(X >= x) for X ~ chi-square(df): the regularised upper incomplete gamma
    Q(df/2, x/2), by its series below a + 1 and its continued fraction above (Press et
    al., Numerical Recipes, section 6.2). Accurate to about 1e-12."""
    _check_positive(df, "df")
    if not (_finite(x) and x >= 0):
        raise ValueError(f"x must be a finite number >= 0, not {x!r}")
    a, y = df / 2.0, x / 2.0
    if y == 0:
        return 1.0
    log_front = -y + a * math.log(y) - math.lgamma(a)
    if y < a + 1.0:  # series for P(a, y)
        term = total = 1.0 / a
        ap = a
        for _ in range(1000):
            ap += 1.0
            term *= y / ap
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1.0 - total * math.exp(log_front))
    tiny = 1e-300  # Lentz's continued fraction for Q(a, y)
    b = y + 1.0 - a
    c, d = 1.0 / tiny, 1.0 / b
    h = d
    for i in range(1, 1000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return min(1.0, math.exp(log_front) * h)


# ------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class Evidence:
    """One source's evidence on a competency, as a likelihood on the level scale.

    ``level`` and ``sd``: the level this source alone would put the candidate at without
    the prior, and its error SD (a weak source can point beyond 1-5: a test scale with
    validity .25 multiplies its z by 4). ``source``: test, interview or reference;
    ``instrument``: logic or personality for a test; ``scales``: the test scales used;
    ``n``: interviewers or referees; ``discounts``: codes of what reduced its weight
    (``incomplete``, ``flagged``, ``single_rater``, ``single_referee``); ``raters_disagree``:
    the raters' spread is larger than rater error explains (interview and references).
    """

    source: str
    level: float
    sd: float
    instrument: str | None = None
    scales: tuple[str, ...] = ()
    n: int = 0
    discounts: tuple[str, ...] = ()
    raters_disagree: bool = False

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, not {self.source!r}")
        if not _finite(self.level):
            raise ValueError(f"level must be a finite number, not {self.level!r}")
        _check_positive(self.sd, "sd")

    @property
    def key(self) -> str:
        """``logic``, ``personality``, ``interview`` or ``reference``."""
        return self.instrument or self.source


@dataclass(frozen=True)
class ScaleScore:
    """A normed test score as the synthesis reads it: ``z`` on the norm group's scale with
    its SE (z units), the link's ``direction`` (+1 / -1) and ``validity`` (None: the
    instrument's default), and ``discount`` (None, ``incomplete`` or ``flagged``)."""

    scale: str
    z: float
    se: float
    direction: int = 1
    validity: float | None = None
    discount: str | None = None

    def __post_init__(self) -> None:
        if instrument_of(self.scale) not in INSTRUMENTS:
            raise ValueError(f"scale must start with one of {INSTRUMENTS}, not {self.scale!r}")
        if not _finite(self.z):
            raise ValueError(f"z must be a finite number, not {self.z!r}")
        _check_positive(self.se, "se")
        if self.direction not in (1, -1):
            raise ValueError(f"direction must be 1 or -1, not {self.direction!r}")
        if self.validity is not None:
            _check_validity(self.validity, "validity")
        if self.discount not in (None, "incomplete", "flagged"):
            raise ValueError(f"discount must be None, 'incomplete' or 'flagged', not {self.discount!r}")


def instrument_of(scale: str) -> str:
    return str(scale).split(".", 1)[0]


def scale_score(scale: str, percentile: float, band: tuple[float, float] | None, *, band_level: float | None = 0.90,
                direction: int = 1, validity: float | None = None, discount: str | None = None,
                params: Params = DEFAULT_PARAMS) -> ScaleScore:
    """A stored result (percentile, its band at ``band_level``) as a :class:`ScaleScore`.

    z = Phi^-1(p / 100). The SE is the band's half-width in z units divided by the band's
    z multiplier, from each end that is not clipped at 0.1 / 99.9 (their mean when both
    are usable); ``params.se_unknown`` when there is no usable band.
    """
    p = _check_percentile(percentile, "percentile")
    z = _N.inv_cdf(min(max(p, _P_CLIP[0]), _P_CLIP[1]) / 100.0)
    se = params.se_unknown
    if band is not None:
        low, high = (_check_percentile(v, "percentile band") for v in band)
        if low > high:
            raise ValueError(f"percentile band must be (low, high), not {band!r}")
        multiplier = _N.inv_cdf((1.0 + (band_level or 0.90)) / 2.0)
        halves = []
        if low > _P_CLIP[0] and low <= p:
            halves.append(z - _N.inv_cdf(low / 100.0))
        if high < _P_CLIP[1] and high >= p:
            halves.append(_N.inv_cdf(high / 100.0) - z)
        halves = [h for h in halves if h > 0]
        if halves:
            se = sum(halves) / len(halves) / multiplier
    return ScaleScore(scale, z, se, direction, validity, discount)


def _check_percentile(value, name: str) -> float:
    if not (_finite(value) and 0 <= value <= 100):
        raise ValueError(f"{name} must be a number in [0, 100], not {value!r}")
    return float(value)


def true_score_correlation(a: str, b: str) -> float:
    """Correlation of what two scales measure (their true scores).

    Same scale 1. Personality (scales ``personality.D`` and ``personality.D.facet``):
    facets of one domain ``rho_f`` = .55; facets of domains d and e ``rho_f R_de``; a
    domain score is the mean of its 4 facets, so facet-own domain
    ``sqrt((1 + 3 rho_f) / 4)``, facet-other domain ``rho_f R_de / sqrt((1 + 3 rho_f) / 4)``,
    domain-domain ``rho_f R_de / ((1 + 3 rho_f) / 4)``. Different instruments: 0 (an
    assumption: reasoning and personality correlate weakly, and the specific parts of the
    scales that do not predict the competency even less).
    """
    if a == b:
        return 1.0
    if instrument_of(a) != instrument_of(b) or instrument_of(a) != "personality":
        return 0.0
    pa, pb = a.split("."), b.split(".")
    da, db = _DOMAINS.index(pa[1]), _DOMAINS.index(pb[1])
    rho = _FACET_CORRELATION
    domain_var = (1.0 + (_FACETS_PER_DOMAIN - 1) * rho) / _FACETS_PER_DOMAIN
    r_de = _DOMAIN_CORRELATIONS[da][db]
    facet_a, facet_b = len(pa) > 2, len(pb) > 2
    if facet_a and facet_b:
        return rho if da == db else rho * r_de
    if facet_a != facet_b:
        return math.sqrt(domain_var) if da == db else rho * r_de / math.sqrt(domain_var)
    return rho * r_de / domain_var


def instrument_evidence(scores: Sequence[ScaleScore], params: Params = DEFAULT_PARAMS, *,
                        correlation=None) -> Evidence:
    """One instrument's evidence on a competency from its linked scales.

    With ``v = rho * direction`` per scale, the scores' error covariance around ``v C`` is
    ``S_jk = (r_jk d_j d_k - v_j v_k)`` off the diagonal (``r_jk`` from
    :func:`true_score_correlation`) and ``1 - rho_j^2 + s_j^2`` on it. Generalised least
    squares: information ``I = v' S^-1 v``, estimate ``c = v' S^-1 y / I`` with variance
    ``1 / I`` (z units of the competency), as level ``LINK_MEAN + LINK_SD c`` with SD
    ``LINK_SD / sqrt(I)``. A discount ``f`` (incomplete test, flagged protocol; the
    smallest among the scales) multiplies the information by ``f``. ``correlation``
    replaces :func:`true_score_correlation` (tests, sensitivity studies).
    """
    correlation = correlation or true_score_correlation
    items = list(scores)
    if not items:
        raise ValueError("no scale scores")
    instruments = {instrument_of(s.scale) for s in items}
    if len(instruments) != 1:
        raise ValueError(f"scores of one instrument expected, not {sorted(instruments)}")
    if len({s.scale for s in items}) != len(items):
        raise ValueError("a scale appears twice")
    instrument = instruments.pop()
    rho = np.array([s.validity if s.validity is not None else params.validity[instrument] for s in items])
    d = np.array([s.direction for s in items], dtype=float)
    v = rho * d
    y = np.array([s.z for s in items], dtype=float)
    k = len(items)
    cov = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            if i == j:
                cov[i, j] = 1.0 - rho[i] ** 2 + items[i].se ** 2
            else:
                cov[i, j] = correlation(items[i].scale, items[j].scale) * d[i] * d[j] - v[i] * v[j]
    # Correlations set by hand need not be consistent with every pair of validities:
    # keep the covariance positive definite.
    values, vectors = np.linalg.eigh(cov)
    floor = 1e-6 * float(np.max(values))
    if values.min() < floor:
        cov = (vectors * np.maximum(values, floor)) @ vectors.T
    weights = np.linalg.solve(cov, v)
    info = float(v @ weights)
    estimate = float(weights @ y) / info
    discounts = tuple(sorted({s.discount for s in items if s.discount}))
    factor = min([_discount(code, params) for code in discounts], default=1.0)
    info *= factor
    return Evidence("test", LINK_MEAN + LINK_SD * estimate, LINK_SD / math.sqrt(info),
                    instrument=instrument, scales=tuple(s.scale for s in items), discounts=discounts)


def _discount(code: str, params: Params) -> float:
    return {"incomplete": params.discount_incomplete, "flagged": params.discount_flagged}[code]


def _ratings(ratings: Sequence[float]) -> np.ndarray:
    values = [float(r) for r in ratings]
    if not values:
        raise ValueError("at least one rating is needed")
    for r in values:
        _check_level(r, "rating")
    return np.asarray(values, dtype=float)


def rater_variance(ratings: Sequence[float], prior_sd: float, prior_df: float) -> float:
    """Posterior estimate of one rater's error variance from the raters' agreement:
    ``(nu0 sd0^2 + (n - 1) s^2) / (nu0 + n - 1)`` (a scaled inverse chi-square prior with
    ``nu0`` degrees of freedom; ``s^2`` the ratings' sample variance). Two or three raters
    say little about rater error, so the prior carries most of the weight until they
    disagree clearly."""
    values = _ratings(ratings)
    n = values.size
    s2 = float(values.var(ddof=1)) if n > 1 else 0.0
    return (prior_df * prior_sd ** 2 + (n - 1) * s2) / (prior_df + n - 1)


def raters_disagree(ratings: Sequence[float], rater_sd: float = DEFAULT_PARAMS.rater_sd,
                    alpha: float = DEFAULT_PARAMS.alpha) -> bool:
    """True when the raters' spread is larger than rater error explains:
    ``(n - 1) s^2 / rater_sd^2`` against chi-square(n - 1) at ``alpha``. Two raters on
    the 1-5 scale: 2 levels apart is flagged (p = .018), 1 level is not."""
    values = _ratings(ratings)
    if values.size < 2:
        return False
    stat = (values.size - 1) * float(values.var(ddof=1)) / rater_sd ** 2
    return chi2_sf(stat, values.size - 1) < alpha


def interview_evidence(ratings: Sequence[float], params: Params = DEFAULT_PARAMS) -> Evidence:
    """Interview evidence from the interviewers' 1-5 ratings of one competency: level =
    their mean, variance ``shared^2 + rater_variance / n``. One interviewer: their own
    error is not averaged out and their agreement cannot be checked (``single_rater``)."""
    values = _ratings(ratings)
    n = values.size
    variance = params.interview_shared_sd ** 2 + rater_variance(values, params.rater_sd, params.rater_prior_df) / n
    return Evidence("interview", float(values.mean()), math.sqrt(variance), n=n,
                    discounts=("single_rater",) if n == 1 else (),
                    raters_disagree=raters_disagree(values, params.rater_sd, params.alpha))


def reference_evidence(ratings: Sequence[float], params: Params = DEFAULT_PARAMS) -> Evidence:
    """Reference evidence from referees' 1-5 ratings: level = mean - leniency, variance
    ``shared^2 + referee_variance / n`` (as for the interview, with the referees'
    parameters)."""
    values = _ratings(ratings)
    n = values.size
    variance = (params.reference_shared_sd ** 2
                + rater_variance(values, params.referee_sd, params.rater_prior_df) / n)
    return Evidence("reference", float(values.mean()) - params.reference_leniency, math.sqrt(variance), n=n,
                    discounts=("single_referee",) if n == 1 else (),
                    raters_disagree=raters_disagree(values, params.referee_sd, params.alpha))


def alone(evidence: Evidence, params: Params = DEFAULT_PARAMS) -> tuple[float, float]:
    """What one source alone says about the level, with the prior: ``(level, sd)``. This
    is the figure the pages show per source: a weak source stays near the middle."""
    return _posterior([(evidence.level, evidence.sd ** 2)], params)


def _posterior(items: Sequence[tuple[float, float]], params: Params) -> tuple[float, float]:
    precision = 1.0 / params.prior_sd ** 2 + sum(1.0 / v for _, v in items)
    mean = (params.prior_mean / params.prior_sd ** 2 + sum(x / v for x, v in items)) / precision
    return mean, 1.0 / math.sqrt(precision)


# -------------------------------------------------------------------------- combine


@dataclass(frozen=True)
class Assessment:
    """The synthesis of one competency.

    ``level``/``sd``: the posterior of the true level; ``probability``: P(true level >=
    ``target``); ``q``, ``df``, ``p_value``: Cochran's heterogeneity test of the sources
    (None with fewer than two); ``birge``: the factor (>= 1) by which the sources'
    variances were multiplied; ``disagree``: p < alpha; ``follow_up``: (higher, lower)
    sources of the most discrepant pair when they disagree (``discrepant``: as evidence
    keys); ``shares``: each
    evidence key's share of the posterior precision (the prior has the rest).
    """

    target: float
    evidence: tuple[Evidence, ...]
    level: float
    sd: float
    probability: float
    q: float | None = None
    df: int | None = None
    p_value: float | None = None
    birge: float = 1.0
    disagree: bool = False
    follow_up: tuple[str, str] | None = None
    #: The same pair as evidence keys (``logic``, ``personality``, ``interview``, ``reference``).
    discrepant: tuple[str, str] | None = None
    shares: Mapping[str, float] = field(default_factory=dict)


def heterogeneity(evidence: Sequence[Evidence]) -> tuple[float, int, float] | None:
    """Cochran's Q = sum((x_i - x_bar)^2 / v_i) with x_bar the precision-weighted mean,
    its degrees of freedom K - 1 and p = P(chi2(K-1) >= Q); None for fewer than two."""
    items = list(evidence)
    if len(items) < 2:
        return None
    w = np.array([1.0 / e.sd ** 2 for e in items])
    x = np.array([e.level for e in items])
    mean = float(w @ x / w.sum())
    q = float(w @ (x - mean) ** 2)
    df = len(items) - 1
    return q, df, chi2_sf(q, df)


def assess(evidence: Sequence[Evidence], target: float, params: Params = DEFAULT_PARAMS) -> Assessment:
    """Combine the evidence on one competency with the prior (see the module docstring).

    Raises ``ValueError`` for a target outside 1-5. With no evidence the prior alone is
    returned (a caller shows "no evidence" rather than that).
    """
    _check_level(target, "target")
    items = tuple(evidence)
    for e in items:
        if not isinstance(e, Evidence):
            raise TypeError(f"expected Evidence, not {e!r}")
    het = heterogeneity(items)
    birge, disagree, follow, discrepant = 1.0, False, None, None
    q = df = p_value = None
    if het is not None:
        q, df, p_value = het
        birge = max(1.0, q / df)
        disagree = p_value < params.alpha
        if disagree:
            a, b = max(combinations(items, 2),
                       key=lambda pair: abs(pair[0].level - pair[1].level) / math.hypot(pair[0].sd, pair[1].sd))
            hi, lo = (a, b) if a.level >= b.level else (b, a)
            follow, discrepant = (hi.source, lo.source), (hi.key, lo.key)
    parts = [(e.level, e.sd ** 2 * birge) for e in items]
    level, sd = _posterior(parts, params)
    precision = 1.0 / sd ** 2
    shares: dict[str, float] = {}
    for e, (_, v) in zip(items, parts):
        shares[e.key] = shares.get(e.key, 0.0) + (1.0 / v) / precision
    return Assessment(target=float(target), evidence=items, level=level, sd=sd,
                      probability=probability_meets(level, sd, target), q=q, df=df, p_value=p_value,
                      birge=birge, disagree=disagree, follow_up=follow, discrepant=discrepant, shares=shares)


def probability_meets(level: float, sd: float, target: float) -> float:
    """P(true level >= target) when the true level ~ Normal(level, sd):
    ``Phi((level - target) / sd)``. The target itself is the bar: a candidate estimated
    exactly at the target has a probability of one half."""
    if not _finite(level):
        raise ValueError(f"level must be a finite number, not {level!r}")
    _check_level(target, "target")
    _check_positive(sd, "sd")
    return min(max(_phi((level - target) / sd), 0.0), 1.0)


# --------------------------------------------------------------------------- overall


@dataclass(frozen=True)
class FitRow:
    """One competency for :func:`overall`: its assessment, weight and must-have flag, and
    the test scales behind its evidence (shared scales make competencies' errors correlate)."""

    key: str
    assessment: Assessment
    weight: float = 1.0
    must: bool = False


def must_status(probability: float, params: Params = DEFAULT_PARAMS) -> str:
    """``likely`` (P >= params.likely), ``unlikely`` (P <= 1 - likely) or ``uncertain``."""
    if probability >= params.likely:
        return "likely"
    if probability <= 1.0 - params.likely:
        return "unlikely"
    return "uncertain"


def error_correlation(a: Assessment, b: Assessment, params: Params = DEFAULT_PARAMS) -> float:
    """Approximate correlation of two competencies' posterior errors through shared
    evidence: the sum over evidence keys both use of ``c sqrt(share_a share_b)``, with
    ``c`` = 1 for a test instrument whose scales overlap (the same scores enter both),
    ``params.halo`` for the interview (the same interviewers rate both), 0 otherwise."""
    total = 0.0
    scales_a = {e.key: set(e.scales) for e in a.evidence}
    scales_b = {e.key: set(e.scales) for e in b.evidence}
    for key in set(a.shares) & set(b.shares):
        if key in INSTRUMENTS:
            c = 1.0 if scales_a.get(key, set()) & scales_b.get(key, set()) else 0.0
        elif key == "interview":
            c = params.halo
        else:
            c = 0.0
        total += c * math.sqrt(a.shares[key] * b.shares[key])
    return min(total, 0.99)


def overall(rows: Sequence[FitRow], params: Params = DEFAULT_PARAMS, *, draws: int = 20_000,
            seed: int = 20261206) -> dict:
    """The profile as a whole, accounting for evidence shared between competencies.

    True levels are drawn jointly from the competencies' posteriors with the correlation
    of :func:`error_correlation` (``draws`` draws, fixed ``seed``: the same data give the
    same figures). Returns ``expected_met`` (expected number of targets met),
    ``met_low``/``met_high`` (10th and 90th percentile of that number),
    ``n`` (competencies), ``p_all_musts`` (probability that every must-have is met; None
    without musts) and ``musts``: ``[{key, probability, status}]`` with
    :func:`must_status`. Raises ``ValueError`` for no rows or a negative weight.
    """
    items = list(rows)
    if not items:
        raise ValueError("no competencies")
    for row in items:
        if not (_finite(row.weight) and row.weight >= 0):
            raise ValueError(f"weight must be a finite number >= 0, not {row.weight!r}")
    k = len(items)
    corr = np.eye(k)
    for i, j in combinations(range(k), 2):
        corr[i, j] = corr[j, i] = error_correlation(items[i].assessment, items[j].assessment, params)
    values, vectors = np.linalg.eigh(corr)
    root = vectors * np.sqrt(np.maximum(values, 0.0))
    z = np.random.default_rng(seed).standard_normal((draws, k)) @ root.T
    mean = np.array([r.assessment.level for r in items])
    sd = np.array([r.assessment.sd for r in items])
    target = np.array([r.assessment.target for r in items])
    met = (mean + sd * z) >= target
    count = met.sum(axis=1)
    musts = [i for i, r in enumerate(items) if r.must]
    return {
        "model": MODEL_VERSION,
        "n": k,
        "expected_met": float(count.mean()),
        "met_low": int(np.percentile(count, 10)),
        "met_high": int(np.percentile(count, 90)),
        "p_all_musts": float(met[:, musts].all(axis=1).mean()) if musts else None,
        "musts": [{"key": items[i].key, "probability": items[i].assessment.probability,
                   "status": must_status(items[i].assessment.probability, params)} for i in musts],
    }


# ------------------------------------------------------------------ between candidates


def bands_overlap(a: tuple[float, float], b: tuple[float, float], *, z: float = Z90) -> bool:
    """Do two candidates' bands level ± z * sd overlap? ``a`` and ``b`` are (level, sd).

    Overlap iff |level_a - level_b| <= z * (sd_a + sd_b). Used to say "the data does not
    separate them". Overlap of two 90 % bands is a deliberately cautious criterion: it is
    stricter than a test of the difference (Schenker & Gentleman 2001), so the page errs
    toward not ranking candidates on differences within measurement error.
    """
    (la, sa), (lb, sb) = a, b
    for level in (la, lb):
        if not _finite(level):
            raise ValueError(f"level must be a finite number, not {level!r}")
    _check_positive(sa, "sd")
    _check_positive(sb, "sd")
    _check_positive(z, "z")
    return abs(la - lb) <= z * (sa + sb)


def inseparable_groups(bands: Sequence[tuple[float, float]], *, z: float = Z90) -> list[list[int]]:
    """Groups of candidates the data does not separate on one competency.

    ``bands``: one (level, sd) per candidate. Returns the connected components with two
    or more members of the relation "bands overlap" (:func:`bands_overlap`), as lists of
    indices into ``bands``: ascending within a group, groups ordered by their first index
    (never by level: the page lists them in the order it shows the candidates). A group
    is joined by a chain of overlapping bands, so it may hold two candidates whose own
    bands do not overlap with a third between them; none of them is separated from its
    neighbours. A candidate in no group is separated from every other one.

    O(n log n), for the pairs are never enumerated: band ``i`` is the interval
    ``level ± z·sd`` and two bands overlap iff the intervals meet, so sorting by the lower
    end and merging while the next interval starts before the reach of the group so far
    (the member with the highest upper end, compared with :func:`bands_overlap` itself)
    gives the components.
    """
    _check_positive(z, "z")
    for level, sd in bands:
        if not _finite(level):
            raise ValueError(f"level must be a finite number, not {level!r}")
        _check_positive(sd, "sd")
    order = sorted(range(len(bands)), key=lambda i: bands[i][0] - z * bands[i][1])
    groups: list[list[int]] = []
    reach = None  # index of the current group's member with the highest upper end
    for i in order:
        if reach is not None and bands_overlap(bands[i], bands[reach], z=z):
            groups[-1].append(i)
            if bands[i][0] + z * bands[i][1] > bands[reach][0] + z * bands[reach][1]:
                reach = i
        else:
            groups.append([i])
            reach = i
    return sorted((sorted(g) for g in groups if len(g) > 1), key=lambda g: g[0])


def compare_first_opinion(client_level: float, level: float, sd: float, *, z: float = Z90) -> str:
    """Does the second opinion confirm the client's own rating of a competency?

    ``"confirms"`` when the client's level lies within our combined level's 90 % band
    (``level -/+ z * sd``) or within half a level of it (ratings are whole numbers, so a
    narrower tolerance would call 3 against 3.4 a difference); otherwise ``"higher"`` or
    ``"lower"``: whether *our* level is higher or lower than the client's.
    """
    _check_level(client_level, "client_level")
    if not _finite(level):
        raise ValueError(f"level must be a finite number, not {level!r}")
    _check_positive(sd, "sd")
    if abs(level - client_level) <= max(z * sd, 0.5):
        return "confirms"
    return "higher" if level > client_level else "lower"
