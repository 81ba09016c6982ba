"""Computerised adaptive testing (CAT) for the logic test: selection, update, stopping, scoring.

Pure functions over a validated, read-only ``CatBank`` and an immutable ``CatState``; no
clock, no database. Randomness comes only from the ``rng`` argument, so an attempt is
replayed exactly from its stored seed (see "Replaying an attempt" below).

One step of a test::

    bank = CatBank(a, b, c, item_types, families=families)   # once per bank version
    bank = calibrate_exposure(bank, settings, rng).bank      # once; store bank.exposure_k
    state = start(bank, settings, rng)       # or replay(bank, administered, responses, settings, rng)
    item = select_next(state, settings, rng)                 # None: a stopping rule is met
    state = update(state, item, response)                    # response 1 = correct, 0 = wrong
    score = final_score(state, settings)                     # complete or not (FinalScore)

The portal's settings and the four steps of an attempt live in ``item_banks.adaptive``;
``docs/technical-manual.md`` ("The adaptive test") explains every choice with the figures
of ``flask --app wsgi banks simulate`` that back it.

Ability estimation: during the test, EAP on a 61-node quadrature grid on [-6, 6] with a
N(0, 1) prior (Bock & Mislevy 1982; ``item_banks.irt``), updated incrementally in O(grid)
per response; it drives selection and (``stop_se="posterior"``) stopping. The final score
(``estimate``, ``final_score``) is the EAP with its posterior SD (``estimator="eap"``) or
Warm's weighted likelihood estimate with ``1 / sqrt(test information)`` as its SE
(``estimator="wle"``; Warm 1989), which has almost no bias where EAP shrinks abilities
towards the prior mean by about ``SE^2 * theta``.

Item selection: maximum Fisher information at the current EAP (Lord 1980), among
items not yet administered, with

- **content balancing** over item types (Kingsbury & Zara 1989, "constrained CAT"): the
  next item comes from the type whose count is furthest below its target share
  (``target_share * (n + 1) - count``); ties go to the most informative item among the
  tied types. Targets default to equal shares over the bank's types. After every item each
  type's count is within 1 of ``target_share * n`` (tested, also for unequal shares).
- **item families** (``item_families``): at most one item per family (same item model and
  structure, ``item_banks.families``), so one test never repeats a construction.
- **exposure control**, Sympson-Hetter (Sympson & Hetter 1985; Hetter & Sympson 1997) by
  default. Target: no item seen by more than 25 % of candidates
  (``CatSettings.max_exposure_target``). Each item has a parameter ``k_i`` in (0, 1],
  calibrated by simulation over the population (``calibrate_exposure``); for each
  candidate, item i may be given only if its lottery ``u_i < k_i`` succeeds, drawn once at
  ``start``. Randomesque (Kingsbury & Zara 1989: a uniform draw among the
  ``randomesque_k`` most informative items) is available, but it does not bound any
  item's rate (``bench/cat.py``). ``exposure = "none"`` is pure maximum information.
- **overlap control**, progressive selection (``overlap="progressive"``; Revuelta &
  Ponsoda 1998): the criterion of item i at step n (of horizon H) is
  ``(1 - w) * R_i + w * I_i(theta)`` with ``w = min(n / H, 1)``, ``R_i`` a uniform draw
  scaled to the largest information among the eligible items; early items are close to
  random among the eligible ones, later items pure maximum information. Sympson-Hetter
  caps how often each item is seen but lets candidates of similar ability follow the same
  path; the random component makes their tests differ.

Stopping (``should_stop``): the SE (``stop_se``: the posterior SD, or ``1 / sqrt(test
information)``) is <= ``se_target`` after at least ``min_items`` items, or ``max_items``
items were given, or the bank is exhausted. The **time limit is enforced by the web
application**, not here: when it expires the app stops asking for items and scores the
attempt with ``final_score``.

Incomplete-test policy ("stopping early never raises a score")
--------------------------------------------------------------
If the time runs out before a stopping rule is met, the **timed score** counts the items
not reached as wrong answers along the path this CAT would have taken: ``final_score``
continues the test from the current state, answering every further item wrong, with the
same rules (content balancing, item families, the candidate's Sympson-Hetter lottery;
the most informative item, no random component), until a stopping rule is met (at the
latest ``max_items``), and reports the smaller of that estimate and the estimate of the
items answered. The estimate of the answered items is kept beside it
(``FinalScore.answered_theta``, ``answered_se``) and the reports show both, the timed
score marked as such; the SE reported with the timed score is that of the answered
items, so the band says how little was measured.

Guarantees:

1. By construction, the timed score is at most what the candidate would have received by
   going on and answering every remaining item wrong: running out the clock is worth no
   more than failing the rest of the test.
2. By construction, it is never above the estimate of the items actually answered (for
   EAP each wrong answer multiplies the posterior by a decreasing function, which lowers
   its mean; the WLE is monotone in the responses as well, and ``final_score`` takes the
   minimum in any case).
3. Tested (``tests/test_cat.py``): for simulated candidates over the whole ability range,
   cut off after every possible number of items, the incomplete score is never above the
   score of the same attempt completed, whatever the candidate answered in the rest.
   This is checked, not proved: in an adaptive test a right answer leads to harder items,
   so "all wrong is the worst continuation" is not a theorem, but no counterexample
   occurs with maximum information and Sympson-Hetter selection. With randomesque the
   random choice can give easier items than the penalty path and the score of a completed
   test can be (slightly) lower: one more reason Sympson-Hetter is the default.

Rejected alternatives:

- *EAP of the administered items alone.* EAP is a martingale, so stopping early does not
  raise the score on average over the population; but for a given candidate the estimate
  is shrunk towards the prior mean 0, so a weak candidate (theta = -2) who stops after a
  few items expects a clearly higher score than after a full test (tested). Running out
  the clock would pay for weak candidates.
- *Unreached items up to min_items counted as wrong.* The test may go on beyond
  ``min_items`` (to the SE target or ``max_items``), so this is no bound.
- *A worst case over every item of the bank* (a likelihood-ratio bound that holds for any
  continuation whatsoever). Provable, but a wrong answer to a very easy item is far more
  damaging than anything this CAT would give, so it put every incomplete test near the
  bottom of the scale, even four items from the end.

Replaying an attempt
--------------------
Everything is a function of the bank, the settings, the responses and the ``rng``.
Sympson-Hetter draws ``I`` uniforms in ``start`` (the lottery) and nothing afterwards;
randomesque draws one integer per selected item; "none" draws nothing. ``run_cat`` also
draws one uniform per item for the simulated response. A web app that handles one item
per request stores a seed per attempt and uses ``default_rng([seed, 0])`` for ``start``/
``replay`` and, for randomesque, ``default_rng([seed, n + 1])`` for the selection of
item n + 1; the sequence then depends only on the seed and the answers.

A replay costs one ``update`` per answer so far. To do constant work per answer, a web
app can store the posterior (``log_posterior``, ``theta``, ``se``) with the items and
responses after each answer and continue from it with ``restore``, which gives the very
state the replay would: the posterior is the stored one, not a recomputation, so the
floats agree to the last bit (``update`` rounds at every step).

Rapid guessing
--------------
``rapid_guess_flags`` applies the normative threshold NT10 (Wise & Ma 2012): a response
faster than 10 % of the item's typical response time, capped at 10 s, is a rapid guess.
Until the bank has response-time data, the typical time is the a-priori expectation per
item type (``A_PRIORI_TYPICAL_MS``). Flags are shown to the consultant; they do not change
the score.

References: Bock, R. D. & Mislevy, R. J. (1982). Adaptive EAP estimation of ability in a
microcomputer environment. *Applied Psychological Measurement, 6*, 431-444. Kingsbury,
G. G. & Zara, A. R. (1989). Procedures for selecting items for computerized adaptive
tests. *Applied Measurement in Education, 2*, 359-375. Hetter, R. D. & Sympson, J. B.
(1997). Item exposure control in CAT-ASVAB. In W. A. Sands, B. K. Waters & J. R. McBride
(Eds.), *Computerized adaptive testing: From inquiry to operation* (pp. 141-144). APA.
Lord, F. M. (1980). *Applications of item response theory to practical testing
problems*. Erlbaum. Sympson, J. B. & Hetter, R. D. (1985). Controlling item-exposure
rates in computerized adaptive testing. *Proceedings of the 27th annual meeting of the
Military Testing Association*, 973-977. Revuelta, J. & Ponsoda, V. (1998). A comparison
of item exposure control methods in computerized adaptive testing. *Journal of
Educational Measurement, 35*, 311-327. Warm, T. A. (1989). Weighted likelihood estimation
of ability in item response theory. *Psychometrika, 54*, 427-450. Wise, S. L. & Ma, L. (2012). Setting response
time thresholds for a CAT item pool: the normative threshold method. Annual meeting of
NCME, Vancouver.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from . import irt

EXPOSURE_METHODS = ("sympson_hetter", "randomesque", "none")
OVERLAP_METHODS = ("progressive", "none")
STOP_SE = ("posterior", "information")
ESTIMATORS = ("eap", "wle")

#: Stopping reasons returned by ``should_stop`` (the app adds its own "time_limit").
REASONS = ("se_target", "max_items", "bank_exhausted")

#: A-priori typical (median) response time per item type (ms), for rapid-guess thresholds
#: and for the time limit (``item_banks.adaptive.time_limit_minutes``) until the bank has
#: observed times. Expert estimates for items of median difficulty: a series is read at a
#: glance and solved by trying rules; a 3 x 3 figure matrix has three rows of figures and
#: eight figure options to compare (Raven's Advanced Progressive Matrices allow 40 minutes
#: for 36 items, about 67 s per item; Raven, Raven & Court, 1998); a deductive item has
#: two to five premises and six sentences as options to read.
A_PRIORI_TYPICAL_MS: Mapping[str, float] = {
    "number_series": 45_000.0,
    "letter_series": 45_000.0,
    "matrix": 60_000.0,
    "deductive": 60_000.0,
}
DEFAULT_TYPICAL_MS = 45_000.0

#: Step of the ability grid on which item information is tabulated for selection.
INFO_STEP = 0.02


@dataclass(frozen=True)
class CatSettings:
    """Rules of one adaptive test.

    se_target: stop when the posterior SD is at most this (0.32 ~ reliability 0.90 on a
        N(0, 1) population, since 1 - 0.32^2 = 0.90), once ``min_items`` are given.
    max_items / min_items: length bounds, ``1 <= min_items <= max_items``. For a
        fixed-length CAT use ``min_items = max_items``.
    exposure: "sympson_hetter" (default; needs a calibrated bank, see
        ``calibrate_exposure``), "randomesque" or "none" (pure maximum information).
    randomesque_k: for "randomesque", draw among this many most informative items.
    content_balance: balance item types (Kingsbury & Zara 1989).
    type_targets: ((type, share), ...) or a mapping; None = equal shares over the bank's
        types. Shares are normalised to sum to 1; unlisted types get share 0.
    max_exposure_target: highest acceptable item exposure rate (share of candidates who see
        an item). ``calibrate_exposure`` calibrates Sympson-Hetter parameters to it.
    overlap: "progressive" (Revuelta & Ponsoda 1998: a random component that fades out
        over the first ``progressive_horizon`` items, so tests of candidates of similar
        ability differ) or "none".
    progressive_horizon: items after which selection is pure maximum information.
    item_families: at most one item per item family (``CatBank(families=...)``); no
        effect on a bank without families.
    stop_se: which standard error the SE target applies to: "posterior" (the posterior SD
        of the EAP) or "information" (``1 / sqrt(test information at the EAP)``, the SE
        of a maximum-likelihood-type final estimate such as the WLE).
    estimator: the final score of a test: "eap" (posterior mean and SD) or "wle" (Warm's
        weighted likelihood estimate on the answered items, SE from the test information;
        ``final_score``). Selection always uses the EAP.
    """

    se_target: float = 0.32
    max_items: int = 24
    min_items: int = 8
    exposure: str = "sympson_hetter"
    randomesque_k: int = 5
    content_balance: bool = True
    type_targets: tuple[tuple[object, float], ...] | None = None
    max_exposure_target: float = 0.25
    overlap: str = "none"
    progressive_horizon: int = 20
    item_families: bool = True
    stop_se: str = "posterior"
    estimator: str = "eap"

    def __post_init__(self):
        if isinstance(self.type_targets, Mapping):
            object.__setattr__(self, "type_targets", tuple(self.type_targets.items()))
        if self.type_targets is not None:
            targets = tuple((key, float(share)) for key, share in self.type_targets)
            if not targets or any(not share >= 0 for _, share in targets) or sum(s for _, s in targets) <= 0:
                raise ValueError("type_targets must be non-negative shares with a positive sum")
            object.__setattr__(self, "type_targets", targets)
        if not (1 <= self.min_items <= self.max_items):
            raise ValueError("need 1 <= min_items <= max_items")
        if not self.se_target >= 0:
            raise ValueError("se_target must be >= 0")
        if self.exposure not in EXPOSURE_METHODS:
            raise ValueError(f"exposure must be one of {EXPOSURE_METHODS}")
        if self.randomesque_k < 1:
            raise ValueError("randomesque_k must be >= 1")
        if not 0 < self.max_exposure_target <= 1:
            raise ValueError("max_exposure_target must be in (0, 1]")
        if self.overlap not in OVERLAP_METHODS:
            raise ValueError(f"overlap must be one of {OVERLAP_METHODS}")
        if self.progressive_horizon < 1:
            raise ValueError("progressive_horizon must be >= 1")
        if self.stop_se not in STOP_SE:
            raise ValueError(f"stop_se must be one of {STOP_SE}")
        if self.estimator not in ESTIMATORS:
            raise ValueError(f"estimator must be one of {ESTIMATORS}")


class CatBank:
    """Validated, read-only 3PL parameters of an item bank, with arrays cached for CAT.

    a, b, c: shape (I,), logistic metric (``item_banks.irt``); item_types: shape (I,) of str
    or int; exposure_k: Sympson-Hetter exposure-control parameters in (0, 1], shape (I,),
    from ``calibrate_exposure`` (None = not calibrated); families: shape (I,), the item
    family of each item (``item_banks.families``; None = every item its own family).
    Caches log P and log(1 - P) of every item on the quadrature grid (I x Q), so an EAP
    update is one row addition, and a table of item information for selection.
    """

    def __init__(self, a, b, c, item_types, *, exposure_k=None, nodes=None, prior=None,
                 families=None):
        a, b, c = irt._item_params(a, b, c)
        if a.ndim != 1 or a.size == 0:
            raise ValueError("a bank needs 1-D parameter arrays with at least one item")
        types = np.asarray(item_types)
        if types.shape != a.shape:
            raise ValueError(f"item_types has shape {types.shape}, parameters {a.shape}")
        if exposure_k is not None:
            exposure_k = np.array(exposure_k, dtype=float)
            if exposure_k.shape != a.shape or np.any(~((exposure_k > 0) & (exposure_k <= 1))):
                raise ValueError("exposure_k must have one value in (0, 1] per item")
        if nodes is None:
            nodes, default_prior = irt.quadrature()
            prior = default_prior if prior is None else prior
        nodes = np.asarray(nodes, dtype=float)
        prior = np.exp(-0.5 * nodes**2) if prior is None else np.asarray(prior, dtype=float)
        if prior.shape != nodes.shape or np.any(prior <= 0):
            raise ValueError("prior must be positive weights, one per node")
        self.a, self.b, self.c = (np.array(x, dtype=float) for x in (a, b, c))
        self.n_items = int(a.size)
        self.type_names, codes = np.unique(types, return_inverse=True)
        self.type_codes = codes.astype(np.intp).ravel()
        self.types = types.copy()
        self.exposure_k = exposure_k
        if families is None:
            self.families = None
            self.family_codes = None
        else:
            fams = np.asarray(families)
            if fams.shape != a.shape:
                raise ValueError(f"families has shape {fams.shape}, parameters {a.shape}")
            self.families = fams.copy()
            self.family_codes = np.unique(fams, return_inverse=True)[1].astype(np.intp).ravel()
        self.nodes = nodes.copy()
        self.log_prior = np.log(prior / prior.sum())
        p = np.clip(irt.p3pl(nodes, a, b, c).T, irt._EPS, 1.0 - irt._EPS)  # (I, Q)
        self.log_p = np.log(p)
        self.log_q = np.log1p(-p)
        # Item information tabulated on [lo, hi] in steps of INFO_STEP, for selection by
        # linear interpolation: 2 array operations per step instead of ~11.
        lo, hi = float(nodes[0]), float(nodes[-1])
        self._info_grid = np.linspace(lo, hi, round((hi - lo) / INFO_STEP) + 1)
        self._info_step = float(self._info_grid[1] - self._info_grid[0])
        self._info_table = irt.information(self._info_grid, self.a, self.b, self.c)  # (G, I)
        self._info_diff = np.diff(self._info_table, axis=0)
        self._nodes2 = self.nodes * self.nodes
        self.type_masks = self.type_codes[None, :] == np.arange(len(self.type_names))[:, None]
        self.type_totals = tuple(int(n) for n in self.type_masks.sum(axis=1))
        self._targets: dict = {}
        for arr in (self.a, self.b, self.c, self.type_codes, self.types, self.nodes, self.log_prior,
                    self.log_p, self.log_q, self._info_grid, self._info_table,
                    self._info_diff, self._nodes2,
                    self.type_masks, self.exposure_k, self.families, self.family_codes):
            if arr is not None:
                arr.setflags(write=False)

    def __len__(self) -> int:
        return self.n_items

    def with_exposure_k(self, exposure_k) -> CatBank:
        """The same bank with Sympson-Hetter parameters ``exposure_k`` (shape (I,))."""
        return CatBank(self.a, self.b, self.c, self.types, exposure_k=exposure_k,
                       nodes=self.nodes, prior=np.exp(self.log_prior), families=self.families)

    def item_information(self, theta: float) -> np.ndarray:
        """Fisher information of every item at one ability, shape (I,).

        Linear interpolation in a table of ``irt.information`` with step ``INFO_STEP``
        (0.02) over the quadrature range; theta outside it is clamped. The interpolation
        error is below 0.1 % of an item's maximum information for a <= 3, so it can only
        change the choice between items whose information differs by less than that.
        """
        x = (min(max(theta, self._info_grid[0]), self._info_grid[-1]) - self._info_grid[0]) / self._info_step
        j = min(int(x), self._info_diff.shape[0] - 1)
        return self._info_table[j] + (x - j) * self._info_diff[j]

    def targets(self, settings: CatSettings) -> tuple[float, ...]:
        """Target share per type code (in the order of ``type_names``), summing to 1."""
        key = settings.type_targets
        if key not in self._targets:
            k = len(self.type_names)
            if key is None:
                out = np.full(k, 1.0 / k)
            else:
                shares = dict(key)
                names = self.type_names.tolist()
                unknown = [t for t in shares if t not in names]
                if unknown:
                    raise ValueError(f"type_targets names types not in the bank: {unknown}")
                out = np.array([shares.get(t, 0.0) for t in names], dtype=float)
                out /= out.sum()
            self._targets[key] = tuple(float(x) for x in out)
        return self._targets[key]


@dataclass(frozen=True, eq=False)
class CatState:
    """An attempt in progress. Immutable: ``update`` returns a new state.

    administered / responses: item indices into the bank and 1/0 answers, in order.
    theta / se: EAP and posterior SD after the responses so far (0 and ~1 before the first
    item). log_posterior: shape (Q,) on ``bank.nodes``, unnormalised. available: shape
    (I,), True for items not yet administered. exposure_ok: shape (I,), the items this
    candidate may be given under Sympson-Hetter (None when ``start`` drew no lottery).
    type_counts: items given per type code. family_ok: shape (I,), False for items whose
    family was already given (None for a bank without families).
    """

    bank: CatBank = field(repr=False)
    administered: tuple[int, ...]
    responses: tuple[int, ...]
    theta: float
    se: float
    log_posterior: np.ndarray = field(repr=False)
    available: np.ndarray = field(repr=False)
    exposure_ok: np.ndarray | None = field(repr=False)
    type_counts: tuple[int, ...] = field(repr=False)
    family_ok: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_items(self) -> int:
        return len(self.administered)


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)
    return arr


def start(bank: CatBank, settings: CatSettings | None = None,
          rng: np.random.Generator | None = None) -> CatState:
    """The state before the first item: the prior.

    With ``settings.exposure == "sympson_hetter"`` this is also where the exposure lottery
    is drawn: item i may be given to this candidate iff ``u_i < bank.exposure_k[i]``, with
    ``u = rng.random(I)``. This is Sympson & Hetter's (1985) procedure, in which an item
    that loses its lottery when first selected is withdrawn for the rest of the test; the
    lotteries are independent of the responses, so drawing them up front is equivalent and
    makes replay trivial. Other methods need neither ``settings`` nor ``rng`` here.
    """
    theta, se = irt.posterior_moments(bank.log_prior, bank.nodes)
    family_ok = None if bank.family_codes is None else _frozen(np.ones(bank.n_items, dtype=bool))
    return CatState(bank, (), (), float(theta), float(se), bank.log_prior,
                    _frozen(np.ones(bank.n_items, dtype=bool)), _lottery(bank, settings, rng),
                    (0,) * len(bank.type_names), family_ok)


def _lottery(bank: CatBank, settings: CatSettings | None, rng: np.random.Generator | None):
    """The Sympson-Hetter lottery of ``start`` (None for other methods)."""
    if settings is None or settings.exposure != "sympson_hetter":
        return None
    if bank.exposure_k is None:
        raise ValueError("exposure='sympson_hetter' needs a calibrated bank: see calibrate_exposure()")
    if rng is None:
        raise ValueError("exposure='sympson_hetter' draws its lottery from rng at start()")
    return _frozen(rng.random(bank.n_items) < bank.exposure_k)


def update(state: CatState, item_index: int, response: int) -> CatState:
    """Add one response (1 correct, 0 wrong) to item ``item_index``: incremental EAP, O(Q)."""
    bank = state.bank
    item = int(item_index)
    if not 0 <= item < bank.n_items:
        raise ValueError(f"item index {item} out of range (bank has {bank.n_items} items)")
    if not state.available[item]:
        raise ValueError(f"item {item} was already administered")
    if isinstance(response, bool) or response not in (0, 1):
        raise ValueError(f"response must be 0 or 1, not {response!r}")
    response = int(response)
    log_post = state.log_posterior + (bank.log_p[item] if response else bank.log_q[item])
    log_post -= np.maximum.reduce(log_post)
    w = np.exp(log_post)
    total = np.add.reduce(w)
    theta = float(w @ bank.nodes) / total
    se = math.sqrt(max(float(w @ bank._nodes2) / total - theta * theta, 0.0))
    available = state.available.copy()
    available[item] = False
    counts = list(state.type_counts)
    counts[bank.type_codes[item]] += 1
    family_ok = state.family_ok
    if family_ok is not None:
        family_ok = _frozen(family_ok & (bank.family_codes != bank.family_codes[item]))
    return CatState(bank, state.administered + (item,), state.responses + (response,), theta, se,
                    _frozen(log_post), _frozen(available), state.exposure_ok, tuple(counts),
                    family_ok)


def replay(bank: CatBank, administered: Sequence[int], responses: Sequence[int],
           settings: CatSettings | None = None, rng: np.random.Generator | None = None) -> CatState:
    """Rebuild a state from stored item indices and responses (same order).

    ``settings``/``rng`` as for ``start`` (needed for Sympson-Hetter: pass a generator in
    the same state as the one given to ``start``, e.g. made from the attempt's seed).
    """
    if len(administered) != len(responses):
        raise ValueError("administered and responses differ in length")
    state = start(bank, settings, rng)
    for item, response in zip(administered, responses, strict=True):
        state = update(state, item, response)
    return state


def restore(bank: CatBank, administered: Sequence[int], responses: Sequence[int], log_posterior,
            theta: float, se: float, settings: CatSettings | None = None,
            rng: np.random.Generator | None = None) -> CatState:
    """The state ``replay`` would rebuild, from a stored posterior instead of the responses.

    ``log_posterior`` (shape (Q,)), ``theta`` and ``se`` are those of a state reached by
    ``update`` (e.g. stored after each answer): ``update`` accumulates the posterior
    step by step, rounding at every step, so only the stored values themselves give the
    same floats as a replay. ``available``, the type counts and ``family_ok`` follow from
    ``administered``; the exposure lottery is drawn from ``rng`` as in ``start``. O(I + Q)
    whatever the number of items answered.
    """
    if len(administered) != len(responses):
        raise ValueError("administered and responses differ in length")
    log_post = np.array(log_posterior, dtype=float)
    if log_post.shape != bank.nodes.shape or not np.all(np.isfinite(log_post)):
        raise ValueError(f"log_posterior must be {bank.nodes.size} finite values")
    items = np.array(administered, dtype=np.intp)
    if items.size and (items.min() < 0 or items.max() >= bank.n_items or np.unique(items).size != items.size):
        raise ValueError("administered must be distinct item indices of the bank")
    if any(isinstance(r, bool) or r not in (0, 1) for r in responses):
        raise ValueError("responses must be 0 or 1")
    available = np.ones(bank.n_items, dtype=bool)
    available[items] = False
    counts = np.bincount(bank.type_codes[items], minlength=len(bank.type_names))
    family_ok = None
    if bank.family_codes is not None:
        given = np.zeros(int(bank.family_codes.max()) + 1, dtype=bool)
        given[bank.family_codes[items]] = True
        family_ok = _frozen(~given[bank.family_codes])
    return CatState(bank, tuple(int(i) for i in items), tuple(int(r) for r in responses), float(theta),
                    float(se), _frozen(log_post), _frozen(available), _lottery(bank, settings, rng),
                    tuple(int(n) for n in counts), family_ok)


def information_se(state: CatState, theta: float | None = None) -> float:
    """``1 / sqrt(test information)`` of the administered items at ``theta`` (default: the
    current EAP); infinite before the first item. The SE of a maximum-likelihood-type
    estimate (Lord 1980), which ``stop_se="information"`` compares with the target."""
    if not state.administered:
        return math.inf
    info = state.bank.item_information(state.theta if theta is None else float(theta))
    total = float(info[list(state.administered)].sum())
    return 1.0 / math.sqrt(total) if total > 0 else math.inf


def current_se(state: CatState, settings: CatSettings) -> float:
    """The standard error the SE target applies to (``settings.stop_se``)."""
    return state.se if settings.stop_se == "posterior" else information_se(state)


def should_stop(state: CatState, settings: CatSettings) -> tuple[bool, str]:
    """``(True, reason)`` when a stopping rule is met, else ``(False, "")``.

    Reasons: "max_items" (length reached), "bank_exhausted", "se_target" (the SE chosen by
    ``settings.stop_se`` <= se_target after at least min_items). The time limit is the web
    app's: it stops asking for items and calls ``final_score``.
    """
    n = len(state.administered)
    if n >= settings.max_items:
        return True, "max_items"
    if n >= state.bank.n_items:
        return True, "bank_exhausted"
    if n >= settings.min_items and current_se(state, settings) <= settings.se_target:
        return True, "se_target"
    return False, ""


def select_next(state: CatState, settings: CatSettings, rng: np.random.Generator) -> int | None:
    """Index of the next item, or None when ``should_stop`` says stop.

    1. Eligible: items not yet administered; with ``content_balance``, only of the type(s)
       furthest below target (``share * (n + 1) - count`` largest). With
       ``item_families``, only items of a family not given yet (if the chosen type has
       none left, the rule is relaxed for that step). With "sympson_hetter", only items
       that won this candidate's exposure lottery (``state.exposure_ok``, drawn in
       ``start``); if none of the eligible items did, the lottery is ignored for that step.
    2. Ranked by Fisher information at ``state.theta`` (ties by item index).
    3. "none" and "sympson_hetter": the most informative; with ``overlap="progressive"``
       (Revuelta & Ponsoda 1998) the item with the largest ``(1 - w) R_i + w I_i``, where
       ``I_i`` is its information, ``R_i ~ U(0, max I)`` over the eligible items (one
       ``rng.random`` draw per eligible item) and ``w = min(1, n / progressive_horizon)``
       after n items: the first item is a random eligible one, and from item
       ``progressive_horizon + 1`` on selection is pure maximum information.
       "randomesque": uniform among the ``randomesque_k`` most informative, one
       ``rng.integers`` draw. ``rng=None`` means no random component (the deterministic
       penalty path of ``final_score``).
    """
    if should_stop(state, settings)[0]:
        return None
    bank = state.bank
    eligible = state.available
    n_types = len(bank.type_names)
    if settings.content_balance and n_types > 1:
        n = len(state.administered) + 1
        counts, targets = state.type_counts, bank.targets(settings)
        deficit = [targets[t] * n - counts[t] if counts[t] < bank.type_totals[t] else -math.inf
                   for t in range(n_types)]
        top = max(deficit)
        chosen = [t for t in range(n_types) if deficit[t] >= top - 1e-9]
        if len(chosen) == 1:
            eligible = eligible & bank.type_masks[chosen[0]]
        else:
            eligible = eligible & bank.type_masks[chosen].any(axis=0)
    if settings.item_families and state.family_ok is not None:
        other_family = eligible & state.family_ok
        if other_family.any():
            eligible = other_family
    if settings.exposure == "sympson_hetter":
        if state.exposure_ok is None:
            raise ValueError("exposure='sympson_hetter': start the attempt with start(bank, settings, rng)")
        lottery = eligible & state.exposure_ok
        if lottery.any():
            eligible = lottery
    info = bank.item_information(state.theta)
    if settings.exposure == "randomesque":
        candidates = np.flatnonzero(eligible)
        k = min(settings.randomesque_k, candidates.size)
        return int(_ranked(candidates, info[candidates], k)[rng.integers(k)])
    if settings.overlap == "progressive" and rng is not None:
        weight = min(1.0, len(state.administered) / settings.progressive_horizon)
        if weight < 1.0:
            candidates = np.flatnonzero(eligible)
            own = info[candidates]
            score = (1.0 - weight) * rng.random(candidates.size) * own.max() + weight * own
            return int(candidates[int(score.argmax())])
    return int(np.where(eligible, info, -1.0).argmax())


def _ranked(candidates: np.ndarray, info: np.ndarray, k: int) -> np.ndarray:
    """The k most informative candidates, most informative first, ties by item index."""
    if k < candidates.size:
        part = np.argpartition(-info, k - 1)[:k]
    else:
        part = np.arange(candidates.size)
    order = np.lexsort((candidates[part], -info[part]))
    return candidates[part[order]]


def estimate(state: CatState, settings: CatSettings) -> tuple[float, float]:
    """The final estimator on the administered items: ``(theta, se)``.

    "eap": the posterior mean and SD kept in the state. "wle": Warm's (1989) weighted
    likelihood estimate (``irt.wle``, bounded to [-4, 4]) with SE ``1 / sqrt(test
    information)`` at the estimate; before the first item the prior mean and SD.
    """
    if settings.estimator == "eap" or not state.administered:
        return state.theta, state.se
    bank = state.bank
    items = np.array(state.administered, dtype=np.intp)
    theta, se = irt.wle(np.array(state.responses, dtype=float), bank.a[items], bank.b[items], bank.c[items])
    return float(theta), float(se)


@dataclass(frozen=True)
class FinalScore:
    """The score of an ended test (``final_score``).

    theta, se: the reported score and its standard error. For a complete test the
    estimate on the answered items. For an incomplete test ``theta`` is the **timed
    score** (unreached items scored as wrong, see "Incomplete-test policy") and ``se`` the
    SE of the answered items: the timed score is a rule, not a measurement, so its only
    honest uncertainty is that of what was measured.
    complete: a stopping rule was met (``reason``: "se_target", "max_items",
    "bank_exhausted"); otherwise ``reason`` is "incomplete".
    n_answered / n_unreached: items answered, and items the test would still have given
    (scored as wrong in the timed score; 0 for a complete test).
    answered_theta / answered_se: the estimate on the answered items alone, shown beside
    the timed score so that a reader sees what the candidate showed before time ran out.
    """

    theta: float
    se: float
    complete: bool
    reason: str
    n_answered: int
    n_unreached: int
    answered_theta: float
    answered_se: float
    estimator: str
    note: str


def final_score(state: CatState, settings: CatSettings) -> FinalScore:
    """Score an attempt that ended, by time limit or otherwise.

    Complete (a stopping rule is met): ``estimate`` on the answered items. Incomplete:
    the timed score is the estimate after continuing the test with wrong answers to every
    further item the CAT would select, until a stopping rule is met (module docstring:
    "Incomplete-test policy"), and never above the estimate of the answered items.
    Deterministic: the penalty path takes the most informative eligible item (item
    families and the candidate's Sympson-Hetter lottery apply; no random component).
    """
    theta, se = estimate(state, settings)
    n = state.n_items
    done, reason = should_stop(state, settings)
    name = settings.estimator.upper()
    if done:
        return FinalScore(theta, se, True, reason, n, 0, theta, se, settings.estimator,
                          f"complete ({reason}): {name} of {n} items")
    path = replace(settings, exposure="none") if settings.exposure == "randomesque" else settings
    penalised = state
    while (item := select_next(penalised, path, None)) is not None:
        penalised = update(penalised, item, 0)
    unreached = penalised.n_items - n
    timed = min(estimate(penalised, settings)[0], theta)
    note = (f"incomplete: {n} items answered; the {unreached} items the test would still have "
            f"given are scored as wrong ({name} of the answered items alone: {theta:.3f})")
    return FinalScore(timed, se, False, "incomplete", n, unreached, theta, se, settings.estimator, note)


def score_incomplete(state: CatState, settings: CatSettings) -> tuple[float, float, str]:
    """``(theta, se, policy_note)`` of ``final_score`` (kept for callers that need only those)."""
    score = final_score(state, settings)
    return score.theta, score.se, score.note


# ----------------------------------------------------------------------------- simulation


@dataclass(frozen=True, eq=False)
class CatResult:
    """One simulated attempt: items and responses in order, the final estimate and its SE
    (``estimate``: EAP or WLE by ``settings.estimator``), stop reason, and the EAP and
    posterior SD after each item (shape (n,))."""

    administered: np.ndarray
    responses: np.ndarray
    theta: float
    se: float
    reason: str
    theta_history: np.ndarray
    se_history: np.ndarray


def run_cat(true_theta: float, bank: CatBank, settings: CatSettings, rng: np.random.Generator,
            *, uniforms=None) -> CatResult:
    """Simulate one candidate of ability ``true_theta`` until a stopping rule is met.

    The response to item j is correct iff ``u < P_j(true_theta)``, with ``u = uniforms[j]``
    when ``uniforms`` (shape (I,)) is given (common random numbers across engines), else a
    fresh ``rng.random()`` drawn after the selection of each item.
    """
    state = start(bank, settings, rng)
    thetas, ses = [], []
    p_true = irt.p3pl(float(true_theta), bank.a, bank.b, bank.c)
    while (item := select_next(state, settings, rng)) is not None:
        u = rng.random() if uniforms is None else uniforms[item]
        state = update(state, item, int(u < p_true[item]))
        thetas.append(state.theta)
        ses.append(state.se)
    theta, se = estimate(state, settings)
    return CatResult(np.array(state.administered, dtype=np.intp),
                     np.array(state.responses, dtype=np.int8), theta, se,
                     should_stop(state, settings)[1], np.array(thetas), np.array(ses))


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Many simulated attempts. Arrays over simulees (N,), or (N, max_items) padded with -1."""

    true_theta: np.ndarray
    theta: np.ndarray
    se: np.ndarray
    n_items: np.ndarray
    administered: np.ndarray
    responses: np.ndarray
    reasons: np.ndarray
    n_bank: int

    @property
    def exposure(self) -> np.ndarray:
        """Exposure rate per bank item: the share of simulees who saw it, shape (I,)."""
        used = self.administered[self.administered >= 0]
        return np.bincount(used, minlength=self.n_bank) / len(self.theta)

    @property
    def max_exposure(self) -> float:
        return float(self.exposure.max())

    @property
    def unused_share(self) -> float:
        """Share of the bank that no simulee saw."""
        return float(np.mean(self.exposure == 0))

    @property
    def bias(self) -> float:
        return float(np.mean(self.theta - self.true_theta))

    @property
    def rmse(self) -> float:
        return float(np.sqrt(np.mean((self.theta - self.true_theta) ** 2)))


def simulate(thetas, bank: CatBank, settings: CatSettings, rng: np.random.Generator,
             *, uniforms=None) -> SimulationResult:
    """Run ``run_cat`` for each true ability in ``thetas`` (N,).

    Simulee i uses the i-th generator of ``rng.spawn(N)``: its attempt is the same as
    ``run_cat(thetas[i], ...)`` with that generator. ``uniforms``, shape (N, I), fixes the
    response draws (common random numbers: the same answer for the same simulee and item).
    """
    thetas = np.asarray(thetas, dtype=float).ravel()
    n = thetas.size
    children = rng.spawn(n)
    width = settings.max_items
    administered = np.full((n, width), -1, dtype=np.intp)
    responses = np.full((n, width), -1, dtype=np.int8)
    theta_hat, se, lengths = np.empty(n), np.empty(n), np.empty(n, dtype=np.intp)
    reasons = np.empty(n, dtype=object)
    for i in range(n):
        res = run_cat(thetas[i], bank, settings, children[i],
                      uniforms=None if uniforms is None else uniforms[i])
        k = res.administered.size
        administered[i, :k] = res.administered
        responses[i, :k] = res.responses
        theta_hat[i], se[i], lengths[i], reasons[i] = res.theta, res.se, k, res.reason
    return SimulationResult(thetas.copy(), theta_hat, se, lengths, administered, responses,
                            reasons, bank.n_items)


@dataclass(frozen=True, eq=False)
class ExposureCalibration:
    """Result of ``calibrate_exposure``: the calibrated bank and the max exposure rate of
    each iteration's simulation (the last one used the returned parameters)."""

    bank: CatBank
    max_exposure: tuple[float, ...]


def calibrate_exposure(bank: CatBank, settings: CatSettings, rng: np.random.Generator, *,
                       thetas=None, n_simulees: int = 2000, iterations: int = 10,
                       margin: float = 0.05) -> ExposureCalibration:
    """Calibrate Sympson-Hetter exposure parameters by simulation (Sympson & Hetter 1985).

    ``k_i`` is the probability that item i may be given once selected, so its exposure
    rate is ``P(A_i) = k_i P(S_i)``. Each iteration simulates the test (``settings`` with
    exposure "sympson_hetter") for the same simulees (``thetas``, or ``n_simulees`` draws
    from N(0, 1)), estimates the selection rate ``P(S_i) = P(A_i) / k_i`` and sets
    ``k_i = min(1, r / P(S_i))`` with ``r = max_exposure_target - margin`` (the margin
    absorbs sampling error). The parameters of the iteration with the lowest maximum
    exposure are kept. Deterministic given ``rng``; costs ``iterations * n_simulees``
    simulated tests, 10-20 s with the defaults for 20-item tests: an offline step per bank
    version, whose result (``bank.exposure_k``) is stored with the bank. With 2,000
    simulees and the 0.05 margin, the reference bank (``bench/cat.py``) showed a maximum
    exposure of 0.235-0.241 on 1,000 fresh simulees for a 0.25 target; with 1,000
    calibration simulees, sampling noise in the parameters took it to 0.26.

    Raises ValueError when the target is infeasible: tests of ``max_items`` items from a
    bank of I items have a mean exposure rate of ``max_items / I``.
    """
    target = settings.max_exposure_target - margin
    if settings.max_items / bank.n_items > target:
        raise ValueError(f"a bank of {bank.n_items} items cannot keep {settings.max_items}-item tests "
                         f"below an exposure rate of {target:.2f}")
    if thetas is None:
        thetas = rng.standard_normal(n_simulees)
    sh = replace(settings, exposure="sympson_hetter")
    k = np.ones(bank.n_items)
    best_k, best_max, history = k, np.inf, []
    for seed in rng.spawn(iterations):
        exposure = simulate(thetas, bank.with_exposure_k(k), sh, seed).exposure
        history.append(float(exposure.max()))
        if history[-1] < best_max:
            best_k, best_max = k, history[-1]
        selected = exposure / k
        k = np.where(selected > target, target / np.maximum(selected, 1e-12), 1.0)
    return ExposureCalibration(bank.with_exposure_k(best_k), tuple(history))


# ----------------------------------------------------------------------------- response times


def a_priori_typical_ms(item_types) -> np.ndarray:
    """Typical response time (ms) per item from ``A_PRIORI_TYPICAL_MS``, by type; shape (I,).

    Unknown types get ``DEFAULT_TYPICAL_MS``. Replace by the bank's observed median time per
    item once enough responses exist.
    """
    return np.array([A_PRIORI_TYPICAL_MS.get(t, DEFAULT_TYPICAL_MS) for t in np.asarray(item_types).tolist()],
                    dtype=float)


def rapid_guess_flags(response_times_ms, typical_ms, threshold: float = 0.10,
                      cap_ms: float = 10_000.0) -> np.ndarray:
    """Flag rapid guesses with the normative threshold NTxx (Wise & Ma 2012).

    A response is a rapid guess iff its time is below ``min(threshold * typical_ms,
    cap_ms)``: NT10 (10 % of the item's typical time, at most 10 s) by default.
    response_times_ms and typical_ms broadcast (e.g. both shape (I,), or (P, I) and (I,)).
    A missing time (NaN) is not flagged. Returns a boolean array.
    """
    times = np.asarray(response_times_ms, dtype=float)
    typical = np.asarray(typical_ms, dtype=float)
    if np.any(times < 0):
        raise ValueError("response times must be >= 0")
    if np.any(~(typical > 0)):
        raise ValueError("typical times must be > 0")
    if not 0 < threshold < 1 or not cap_ms > 0:
        raise ValueError("threshold must be in (0, 1) and cap_ms > 0")
    limit = np.minimum(threshold * typical, cap_ms)
    with np.errstate(invalid="ignore"):
        return np.asarray(times < limit)


def exposure_report(result: SimulationResult) -> dict[str, float]:
    """Summary for release checks: max and mean exposure, unused share of the bank."""
    exp = result.exposure
    return {"max_exposure": float(exp.max()), "mean_exposure": float(exp.mean()),
            "unused_share": float(np.mean(exp == 0))}


__all__ = [
    "A_PRIORI_TYPICAL_MS", "CatBank", "CatResult", "CatSettings", "CatState", "SimulationResult",
    "a_priori_typical_ms", "exposure_report", "rapid_guess_flags", "replay", "restore", "run_cat",
    "score_incomplete", "select_next", "should_stop", "simulate", "start", "update",
]
