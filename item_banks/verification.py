"""The supervised verification test (issue 17): a short adaptive re-test from items the
candidate has not seen, and a reliable-change verdict on the two estimates.

Pure Python + numpy; the portal wires the pages. Three parts:

Settings (``verification_settings``)
    The same engine as the logic test (``item_banks.cat``; selection by maximum
    information at the EAP, content balance over item types, at most one item per
    family, Warm's WLE as the score with ``1 / sqrt(test information)`` as its SE).
    Stopping: a **fixed length** (``VERIFICATION_LENGTH`` items; ``min_items = max_items``,
    no SE target), so a supervised session has a known duration. Exposure: randomesque
    among the ``randomesque_k`` most informative eligible items (Kingsbury & Zara 1989);
    the main test's Sympson-Hetter parameters were calibrated for its own design and do
    not hold for a short test on a pool that differs per candidate. Selection starts at
    the unsupervised estimate (``verification_test(..., start_theta=theta_unsupervised)``:
    a N(start_theta, 1) prior for the EAP that drives selection); the WLE score uses no
    prior, so the verification estimate rests on the verification answers alone.

Item exclusion (``eligible_item_ids``, ``verification_test``)
    Nothing the candidate saw (operational, pretest or practice items) is ever eligible.
    Items of a family the candidate met (``item_banks.families``: same item model and
    structure, i.e. the same question with other surface details) are excluded too, so
    the verification test does not ask a question the candidate may have solved with
    help. Like the main test's family rule, this is relaxed for an item type only when
    the type would otherwise have fewer than ``min_per_type`` items left; seen items stay
    excluded whatever happens.

Verdict (``verdict``)
    A reliable-change test (Jacobson & Truax 1991) on the difference of two independent
    estimates, each with its own standard error::

        d  = theta_verification - theta_unsupervised
        se = sqrt(se_unsupervised^2 + se_verification^2)
        z  = d / se,   p = Phi(z)   (one-sided)

    "lower_than_expected" when ``z < -z_alpha`` (``alpha`` = 0.05 by default,
    ``z_alpha`` = 1.645), otherwise "consistent". ``p`` is the probability of a difference
    at least this far below zero if the candidate's ability were the same on both
    occasions. Jacobson & Truax use the standard error of measurement of a fixed test for
    both occasions; with IRT each estimate carries its own SE, so the SE of the difference
    is the root of the sum of the two squared SEs. The test is one-sided because only a
    lower verification result is at issue (a better result is not in question).

    The verdict is a statement about two measurements, not about conduct: a lower result
    has honest explanations (a bad day, stress under supervision, a lucky unsupervised
    run: at alpha = 0.05 about 1 honest candidate in 20 is expected to be flagged, and the
    simulation says how many are), and "consistent" does not prove that the unsupervised
    test was taken alone. Confirming a result of unproctored internet testing by a short
    proctored follow-up ("verification") test is the practice discussed by Tippins et al.
    (2006); the International Test Commission's guidelines (ITC 2006) distinguish the
    unsupervised ("open", "controlled") from the supervised and managed modes of
    administration this comparison spans.

Simulation (``simulate_verification``) runs candidates through the production test
(``adaptive.start_state``/``next_item``/``cat.update``/``final_score``, as
``item_banks.simulation`` does) and then through the verification test from the items
left, and reports how often the verdict is "lower_than_expected": the false-alarm rate
for honest candidates, the power for candidates whose unsupervised answers were those of
a candidate ``inflation`` higher. Figures: docs/technical-manual.md, "Verification test";
``bench/verification.py``.

References: International Test Commission (2006). International guidelines on
computer-based and internet-delivered testing. *International Journal of Testing, 6*,
143-171. Jacobson, N. S. & Truax, P. (1991). Clinical significance: a statistical
approach to defining meaningful change in psychotherapy research. *Journal of Consulting
and Clinical Psychology, 59*, 12-19. Kingsbury, G. G. & Zara, A. R. (1989). Procedures
for selecting items for computerized adaptive tests. *Applied Measurement in Education,
2*, 359-375. Tippins, N. T., Beaty, J., Drasgow, F., Gibson, W. M., Pearlman, K., Segall,
D. O. & Shepherd, W. (2006). Unproctored Internet testing in employment settings.
*Personnel Psychology, 59*, 189-225. Warm, T. A. (1989). Weighted likelihood estimation of ability in item
response theory. *Psychometrika, 54*, 427-450.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from . import adaptive, cat, irt
from .families import family_key
from .loader import LogicBank
from .simulation import run_one

#: Items in a verification test (docs/technical-manual.md, "Verification test": the
#: shortest of the simulated lengths that met both requirements).
VERIFICATION_LENGTH = 12
#: Default level of the one-sided test.
DEFAULT_ALPHA = 0.05
#: Verdict codes.
CONSISTENT = "consistent"
LOWER = "lower_than_expected"
VERDICTS = (CONSISTENT, LOWER)
RANDOMESQUE_K = 3
#: Stamped with a verdict and both scores in results and reports (like
#: ``adaptive.ENGINE_VERSION``); change it when the settings or the verdict change.
VERIFICATION_VERSION = ("verify-1 (12-item fixed-length CAT on unseen items and families, randomesque k=3, "
                        "WLE; one-sided reliable-change z on the difference, alpha 0.05)")


def verification_settings(length: int = VERIFICATION_LENGTH) -> cat.CatSettings:
    """Settings of a verification test of ``length`` items (module docstring)."""
    return cat.CatSettings(se_target=0.0, min_items=int(length), max_items=int(length),
                           exposure="randomesque", randomesque_k=RANDOMESQUE_K, overlap="none",
                           content_balance=True, item_families=True, stop_se="posterior",
                           estimator="wle")


VERIFICATION_SETTINGS = verification_settings()


# ----------------------------------------------------------------------------- exclusion


def eligible_item_ids(bank: LogicBank, seen_ids: Iterable[str], *,
                      min_per_type: int = VERIFICATION_LENGTH) -> tuple[str, ...]:
    """Operational items of ``bank`` a verification test may give, in bank order.

    ``seen_ids``: every item id the candidate was shown (operational, pretest, practice).
    Excluded: every seen item, and every item of a family of a seen item; for an item type
    with fewer than ``min_per_type`` items left after the family rule, that type's unseen
    items of seen families come back (seen items never do). Ids not in ``bank`` (an item
    of another bank version) exclude nothing: their family is unknown here.
    """
    if min_per_type < 0:
        raise ValueError("min_per_type must be >= 0")
    seen = set(seen_ids)
    known = {i.id: i for i in bank.practice + bank.items + bank.pretest}
    seen_families = {family_key(known[i]) for i in seen if i in known}
    unseen = [i for i in bank.items if i.id not in seen]
    strict = [i for i in unseen if family_key(i) not in seen_families]
    keep = {i.id for i in strict}
    for item_type in {i.type for i in bank.items}:
        if sum(i.type == item_type for i in strict) < min_per_type:
            keep |= {i.id for i in unseen if i.type == item_type}
    return tuple(i.id for i in bank.items if i.id in keep)


@dataclass(frozen=True)
class VerificationTest:
    """A verification test on the eligible items (duck-types ``adaptive.AdaptiveBank`` for
    ``adaptive.start_state``/``next_item``/``final_score``): ``item_ids[j]`` is item j of
    ``cat_bank``."""

    cat_bank: cat.CatBank
    item_ids: tuple[str, ...]
    settings: cat.CatSettings

    def position_of(self, item_id: str) -> int:
        """Position of ``item_id`` in ``cat_bank``; ValueError if it is not in the test."""
        return self.item_ids.index(item_id)


def verification_test(bank: LogicBank, seen_ids: Iterable[str],
                      settings: cat.CatSettings = VERIFICATION_SETTINGS, *,
                      start_theta: float | None = None) -> VerificationTest:
    """The verification test of a candidate who saw ``seen_ids``: the eligible items
    (``eligible_item_ids``, families relaxed per type below ``settings.max_items``) as a CAT
    bank with their families, run with ``settings``. Raises ValueError when fewer than
    ``settings.max_items`` items are eligible."""
    ids = eligible_item_ids(bank, seen_ids, min_per_type=settings.max_items)
    if len(ids) < settings.max_items:
        raise ValueError(f"only {len(ids)} unseen items left, the verification test needs {settings.max_items}")
    full, position = _full_bank(bank)
    idx = np.array([position[i] for i in ids], dtype=np.intp)
    prior = None
    if start_theta is not None:
        # Selection starts at the unsupervised estimate (a N(start_theta, 1) prior for the
        # EAP that drives selection); the WLE score does not use the prior.
        prior = np.exp(-0.5 * (full.nodes - _finite("start_theta", start_theta)) ** 2)
    sub = cat.CatBank(full.a[idx], full.b[idx], full.c[idx], full.types[idx], families=full.families[idx],
                      nodes=full.nodes, prior=prior)
    return VerificationTest(sub, ids, settings)


_FULL: dict[tuple, tuple[cat.CatBank, dict[str, int]]] = {}


def _full_bank(bank: LogicBank) -> tuple[cat.CatBank, dict[str, int]]:
    # Keyed like adaptive.adaptive_bank: a bank version is immutable, and a key with the
    # object's id would grow with every parse of a version kept in the database.
    key = (str(bank.path), bank.bank_id, bank.version)
    if key not in _FULL:
        _FULL[key] = (adaptive.plain_cat_bank(bank), {item.id: n for n, item in enumerate(bank.items)})
    return _FULL[key]


# ----------------------------------------------------------------------------- verdict


@dataclass(frozen=True)
class Verdict:
    """The comparison of the two estimates (``verdict``).

    difference: theta_verification - theta_unsupervised; se: its standard error; z:
    difference / se; p_value: one-sided, Phi(z); alpha: the level; code: ``CONSISTENT`` or
    ``LOWER``.
    """

    difference: float
    se: float
    z: float
    p_value: float
    alpha: float
    code: str

    @property
    def lower_than_expected(self) -> bool:
        return self.code == LOWER


def _finite(name: str, value) -> float:
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, not {value!r}")
    return x


def verdict(theta_unsupervised: float, se_unsupervised: float, theta_verification: float,
            se_verification: float, alpha: float = DEFAULT_ALPHA) -> Verdict:
    """Reliable-change verdict on the verification estimate against the unsupervised one.

    ``z = (theta_v - theta_u) / sqrt(se_u^2 + se_v^2)``; "lower_than_expected" iff
    ``z < -z_alpha`` with ``z_alpha = Phi^-1(1 - alpha)``, i.e. iff the one-sided p-value
    ``Phi(z)`` is below ``alpha`` (Jacobson & Truax 1991; module docstring). Thetas must be
    finite, SEs finite and > 0, ``0 < alpha < 0.5``.
    """
    tu = _finite("theta_unsupervised", theta_unsupervised)
    tv = _finite("theta_verification", theta_verification)
    su = _finite("se_unsupervised", se_unsupervised)
    sv = _finite("se_verification", se_verification)
    if su <= 0 or sv <= 0:
        raise ValueError("standard errors must be > 0")
    alpha = float(alpha)
    if not 0 < alpha < 0.5:
        raise ValueError("alpha must be in (0, 0.5)")
    diff = tv - tu
    se = math.hypot(su, sv)
    z = diff / se
    p = 0.5 * math.erfc(-z / math.sqrt(2.0))
    critical = NormalDist().inv_cdf(1.0 - alpha)
    return Verdict(diff, se, z, p, alpha, LOWER if z < -critical else CONSISTENT)


# ----------------------------------------------------------------------------- simulation


@dataclass(frozen=True, eq=False)
class VerificationSimulation:
    """Simulated candidates (arrays of shape (N,)): true ability, the unsupervised and the
    verification estimates with their SEs, the z of each verdict and whether it was
    "lower_than_expected"; the test settings and the inflation simulated."""

    true_theta: np.ndarray
    theta_unsupervised: np.ndarray
    se_unsupervised: np.ndarray
    theta_verification: np.ndarray
    se_verification: np.ndarray
    z: np.ndarray
    lower: np.ndarray
    inflation: float
    alpha: float
    length: int

    @property
    def flagged_rate(self) -> float:
        """Share of candidates with a "lower_than_expected" verdict: the false-alarm rate
        when ``inflation`` is 0, the power otherwise."""
        return float(self.lower.mean())


def run_verification(test: VerificationTest, theta: float, seed: int, uniforms: np.ndarray) -> cat.FinalScore:
    """One simulee through ``test`` with the attempt functions of the portal; answers item
    j correctly iff ``uniforms[j] < P_j(theta)`` (uniforms of shape (test's items,))."""
    bank = test.cat_bank
    p_true = irt.p3pl(float(theta), bank.a, bank.b, bank.c)
    state = adaptive.start_state(test, seed)
    while (item := adaptive.next_item(test, state, seed)) is not None:
        state = cat.update(state, item, int(uniforms[item] < p_true[item]))
    return adaptive.final_score(test, state)


def simulate_verification(ab: adaptive.AdaptiveBank, n: int, rng: np.random.Generator, *,
                          inflation: float = 0.0, length: int = VERIFICATION_LENGTH,
                          alpha: float = DEFAULT_ALPHA, settings: cat.CatSettings | None = None,
                          start_at_unsupervised: bool = True) -> VerificationSimulation:
    """``n`` candidates with true theta ~ N(0, 1) take the production test ``ab`` unsupervised
    (answering as a candidate of ability ``theta + inflation`` would, the practice items
    counted as seen) and then a verification test of ``length`` items from what is left.

    Draws per candidate, in order: theta, the unsupervised attempt seed and answer uniforms
    (as ``simulation.run``), the verification attempt seed and its uniforms. Deterministic
    given ``rng``.
    """
    if n < 1:
        raise ValueError("n must be >= 1")
    settings = verification_settings(length) if settings is None else settings
    length = settings.max_items
    practice = [i.id for i in ab.bank.practice]
    pretest = [i.id for i in ab.bank.pretest]
    out = {k: np.empty(n) for k in ("theta", "tu", "su", "tv", "sv", "z")}
    lower = np.zeros(n, dtype=bool)
    for k in range(n):
        theta = float(rng.standard_normal())
        seed = int(rng.integers(2**62))
        u = rng.random(ab.cat_bank.n_items)
        state, score, _, _ = run_one(ab, theta + inflation, seed, u)
        seen = [ab.item_ids[i] for i in state.administered] + practice + pretest
        test = verification_test(ab.bank, seen, settings,
                                 start_theta=score.theta if start_at_unsupervised else None)
        v_seed = int(rng.integers(2**62))
        v = run_verification(test, theta, v_seed, rng.random(test.cat_bank.n_items))
        result = verdict(score.theta, score.se, v.theta, v.se, alpha)
        out["theta"][k], out["tu"][k], out["su"][k] = theta, score.theta, score.se
        out["tv"][k], out["sv"][k], out["z"][k] = v.theta, v.se, result.z
        lower[k] = result.lower_than_expected
    return VerificationSimulation(out["theta"], out["tu"], out["su"], out["tv"], out["sv"], out["z"], lower,
                                  float(inflation), float(alpha), int(length))


__all__ = [
    "CONSISTENT", "DEFAULT_ALPHA", "LOWER", "VERDICTS", "VERIFICATION_LENGTH", "VERIFICATION_SETTINGS",
    "VERIFICATION_VERSION",
    "Verdict", "VerificationSimulation", "VerificationTest", "eligible_item_ids", "run_verification",
    "simulate_verification", "verdict", "verification_settings", "verification_test",
]
