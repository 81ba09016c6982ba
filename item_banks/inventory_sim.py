"""Simulated inventory protocols: the power of the validity flags, by simulation.

``run(inv, n, rng)`` simulates ``n`` protocols of each responder type in
``RESPONDER_TYPES`` on the inventory ``inv``, computes every validity indicator of every
protocol with :func:`item_banks.validity.indicators` called exactly as the portal calls
it (``portal/services/scoring.py``, ``score_inventory_attempt``: presentation order a
random permutation of all statements, pages of ``PAGE_SIZE`` statements, page times,
scored ids, consistency pairs, infrequency sides, keying), and returns the rate at which
each flag is raised per responder type (``KEYS`` lists the keys). ``format_report`` prints
it as a table. The cut-offs in ``item_banks/validity.py`` are set from these figures:
honest responders raise any flag in at most 5 % of protocols, purely random responders
in at least 90 %. ``bench/validity.py`` and ``flask --app wsgi banks simulate-inventory``
print the same report.

Honest responders (a five-factor threshold model)
-------------------------------------------------
Per person ``j``: domain scores ``D_j ~ N(0, R)`` (5 domains, correlations
``DOMAIN_CORRELATIONS``), facet scores ``F_jf = sqrt(rho) D_j,d(f) + sqrt(1 - rho) U_jf``
(``rho`` = ``facet_correlation``: facets of one domain correlate ``rho``), and a
yes-saying tendency ``a_j ~ N(0, acquiescence_sd^2)`` (acquiescence as a person's response
style; Paulhus 1991). The agreement propensity of person ``j`` for scored statement ``i``
(facet ``f``, keying ``k_i`` = +1/-1) is::

    z_ji = k_i (mu_d + lam F_jf + sqrt(1 - lam^2) e_ji) + delta_i + a_j
    e_ji = sqrt(kappa) s_ji + sqrt(1 - kappa) u_ji         s, u ~ N(0, 1)

``lam`` (``loading``) is the statement's loading on its facet, ``delta_i ~ N(0,
location_sd^2)`` its location (some statements are easier to agree with), ``s_ji`` the
statement-specific part that a near-synonymous consistency statement shares (share
``kappa`` = ``pair_shared`` of the unique variance), ``u_ji`` answer noise. A consistency
statement paired with ``i`` uses the same ``F``, ``s_ji`` and keying with its own ``u``
and ``delta``, so the latent correlation of a pair is ``lam^2 + (1 - lam^2) kappa``.
``mu_d`` is set so that the mean keyed answer of a domain equals ``domain_means`` (the
provisional norms' general group, ``norms/build_provisional.py``). An infrequency
statement has ``z_ji = side_i * infrequency_location + n_ji + a_j`` (side +1 when almost
everyone agrees, -1 when almost everyone disagrees; ``n ~ N(0, 1)``).

The answer is the number of thresholds ``thresholds`` (4 cut points on the latent scale,
a cumulative threshold model with a normal link as in Samejima's 1969 graded response
model) that ``z`` exceeds, plus 1 (answers 1-5). With probability ``lapse_rate`` an
answer is replaced by a uniformly random one (a slip of attention).

Page times follow the log-normal response-time model of van der Linden (2006,
*J. Educational and Behavioral Statistics* 31, 181-204): ``log t_ji = log beta_i - tau_j +
eps_ji`` with ``beta_i = decision_seconds + 60 * words_i / reading_wpm`` (reading the
statement, mean of its sv and en word counts, at an average silent reading rate of
238 words a minute: Brysbaert 2019, *J. Memory and Language* 109, 104047; then choosing
an answer), person speed ``tau_j ~ N(0, person_speed_sd^2)`` and ``eps ~ N(0,
statement_time_sd^2)``. A page's time is the sum over its statements.

Aberrant responders
-------------------
``random``
    every answer uniform on 1-5; honest page times (so only the content can give them away).
``straight_line``
    long strings: after the first answer, each answer repeats the previous one (in
    presentation order) with probability ``straight_line_repeat``, otherwise it is an
    honest answer; honest page times.
``acquiescent``
    yes-saying: an honest responder whose agreement propensity is shifted up by
    ``acquiescent_shift`` on every statement; honest page times.
``half_random``
    honest for the first ``half_random_from`` share of the statements in presentation
    order, uniformly random for the rest (careless responding that sets in midway);
    honest page times.
``too_fast``
    speeding: honest answers, but a typical time of ``too_fast_seconds`` per statement
    (``tau_j`` shifted so), i.e. not enough to read the statement.

Every parameter is a field of :class:`ResponseModel`; ``DEFAULT_MODEL`` holds the values
used for the documented figures, ``PESSIMISTIC_MODEL`` a harsher honest responder (weaker
near-synonyms, more yes-saying, more slips) whose false-positive rates are reported as
``honest_pessimistic`` to show how much the cut-offs depend on the model. ``model_check``
in the report shows what the default values imply (facet and domain alphas, pair
correlation, domain means, seconds per statement), to compare with published inventories.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Mapping, Sequence

import numpy as np

from . import validity
from .inventory import CONSISTENCY, INFREQUENCY, SCORED, Inventory

#: Statements per inventory page in the portal (``portal.services.journey.INVENTORY_PAGE_SIZE``).
PAGE_SIZE = 10
DEFAULT_SEED = 20261111
DEFAULT_N = 10_000
RESPONDER_TYPES = ("honest", "random", "straight_line", "acquiescent", "half_random", "too_fast")
DOMAINS = ("ES", "EX", "OP", "AG", "CO")

#: Correlations of the domain latent scores (order ES, EX, OP, AG, CO). Sizes as reported
#: in meta-analyses of Big Five scale intercorrelations (e.g. van der Linden, te Nijenhuis
#: & Bakker 2010, J. Research in Personality 44, 315-327; emotional stability = reversed
#: neuroticism), rounded: an assumption of this simulation, not an estimate.
DOMAIN_CORRELATIONS = (
    (1.00, 0.20, 0.10, 0.25, 0.30),
    (0.20, 1.00, 0.40, 0.20, 0.25),
    (0.10, 0.40, 1.00, 0.15, 0.15),
    (0.25, 0.20, 0.15, 1.00, 0.35),
    (0.30, 0.25, 0.15, 0.35, 1.00),
)


@dataclass(frozen=True)
class ResponseModel:
    """Parameters of the simulated responders (see the module docstring for the formulas)."""

    #: mean keyed answer per domain on the 1-5 scale (the provisional general norms)
    domain_means: Mapping[str, float] = field(default_factory=lambda: {
        "ES": 3.40, "EX": 3.40, "OP": 3.60, "AG": 3.90, "CO": 3.80})
    domain_correlations: tuple[tuple[float, ...], ...] = DOMAIN_CORRELATIONS
    facet_correlation: float = 0.55  #: rho, as assumed for the norms (norms/README.md)
    loading: float = 0.63  #: lam, statement on facet: facet alpha about .70
    pair_shared: float = 0.45  #: kappa: latent pair correlation lam^2 + (1 - lam^2) kappa = .67
    location_sd: float = 0.25  #: spread of statement locations delta_i
    thresholds: tuple[float, ...] = (-1.5, -0.5, 0.5, 1.5)
    acquiescence_sd: float = 0.20  #: a_j, yes-saying style of honest responders
    lapse_rate: float = 0.02  #: share of honest answers replaced by a random answer
    infrequency_location: float = 2.0  #: |location| of infrequency statements
    reading_wpm: float = 238.0  #: Brysbaert (2019), silent reading of non-fiction
    decision_seconds: float = 1.5  #: choosing and clicking an answer after reading
    person_speed_sd: float = 0.30  #: SD of log speed between persons
    statement_time_sd: float = 0.40  #: SD of log time within a person
    too_fast_seconds: float = 1.2  #: typical seconds per statement of a speeder
    straight_line_repeat: float = 0.80  #: P(repeat the previous answer), straight-liners
    acquiescent_shift: float = 1.5  #: added agreement propensity, yes-sayers
    half_random_from: float = 0.5  #: share answered attentively by half-random responders


DEFAULT_MODEL = ResponseModel()
#: A harsher honest model for a robustness check (``honest_pessimistic`` in the report):
#: weaker near-synonyms, twice the spread of yes-saying, twice the slips.
PESSIMISTIC_MODEL = ResponseModel(pair_shared=0.30, acquiescence_sd=0.35, lapse_rate=0.04)

#: Keys of the report returned by :func:`run` (stable: documented in INVENTORY.md and
#: quoted by docs/technical-manual.md).
KEYS = (
    "inventory", "seed", "n", "responder_types", "thresholds", "rates",
    "honest_false_positive", "detection", "honest_pessimistic", "indicator_quantiles",
    "model_check", "model", "seconds",
)
#: Keys of ``model_check``.
MODEL_CHECK_KEYS = ("facet_alpha", "domain_alpha", "pair_correlation", "domain_means",
                    "seconds_per_statement")


# --------------------------------------------------------------------------- inventory layout


@dataclass(frozen=True)
class _Layout:
    """Arrays describing the statements of an inventory in file order (length S)."""

    ids: tuple[str, ...]
    role: np.ndarray  #: (S,) 0 scored, 1 consistency, 2 infrequency
    keyed: np.ndarray  #: (S,) +1/-1, 0 for infrequency
    facet: np.ndarray  #: (S,) facet index (consistency: its pair's), -1 for infrequency
    domain: np.ndarray  #: (S,) domain index, -1 for infrequency
    partner: np.ndarray  #: (S,) index of the paired scored statement, -1 otherwise
    side: np.ndarray  #: (S,) +1 expected agree, -1 expected disagree, 0 otherwise
    words: np.ndarray  #: (S,) mean word count of the sv and en texts
    facet_domain: np.ndarray  #: (F,) domain index of each facet


def _layout(inv: Inventory) -> _Layout:
    facets = [f.id for f in inv.facets]
    if not facets:
        raise ValueError("the simulation needs a format 2 inventory (facets)")
    domains = [d.id for d in inv.domains]
    index = {s.id: i for i, s in enumerate(inv.statements)}
    n = len(inv.statements)
    role = np.zeros(n, int)
    keyed = np.zeros(n, int)
    facet = np.full(n, -1)
    partner = np.full(n, -1)
    side = np.zeros(n, int)
    for i, s in enumerate(inv.statements):
        if s.role == SCORED:
            keyed[i], facet[i] = s.keyed, facets.index(s.facet)
        elif s.role == CONSISTENCY:
            role[i], keyed[i], partner[i] = 1, s.keyed, index[s.pair]
            facet[i] = facets.index(inv.get(s.pair).facet)
        elif s.role == INFREQUENCY:
            role[i], side[i] = 2, 1 if s.expected == "agree" else -1
    facet_domain = np.array([domains.index(f.domain) for f in inv.facets])
    domain = np.where(facet >= 0, facet_domain[np.maximum(facet, 0)], -1)
    words = np.array([np.mean([len(t.split()) for t in s.text.values()]) for s in inv.statements])
    return _Layout(tuple(index), role, keyed, facet, domain, partner, side, words, facet_domain)


# --------------------------------------------------------------------------- honest model


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def expected_answer(mu: float, sd: float, thresholds: Sequence[float]) -> float:
    """E[answer] when the propensity is N(mu, sd^2): ``1 + sum_k P(z > tau_k)``."""
    return 1.0 + sum(1.0 - _phi((t - mu) / sd) for t in thresholds)


def latent_mean(target: float, sd: float, thresholds: Sequence[float]) -> float:
    """The ``mu`` with ``expected_answer(mu, sd) == target`` (bisection; target in (1, 5))."""
    lo, hi = -10.0, 10.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if expected_answer(mid, sd, thresholds) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _propensity(lay: _Layout, model: ResponseModel, n: int, rng: np.random.Generator) -> np.ndarray:
    """Honest agreement propensities z, shape (n, S), before thresholds (see module docstring)."""
    n_facets = len(lay.facet_domain)
    chol = np.linalg.cholesky(np.asarray(model.domain_correlations, float))
    dom = rng.standard_normal((n, len(DOMAINS))) @ chol.T
    rho, lam, kappa = model.facet_correlation, model.loading, model.pair_shared
    fac = math.sqrt(rho) * dom[:, lay.facet_domain] + math.sqrt(1 - rho) * rng.standard_normal((n, n_facets))
    acq = model.acquiescence_sd * rng.standard_normal((n, 1))
    n_st = len(lay.ids)
    delta = model.location_sd * rng.standard_normal(n_st)
    specific = rng.standard_normal((n, n_st))
    noise = rng.standard_normal((n, n_st))
    # a consistency statement shares the specific part of its pair
    specific = np.where(lay.partner >= 0, specific[:, np.maximum(lay.partner, 0)], specific)
    unique = math.sqrt(kappa) * specific + math.sqrt(1 - kappa) * noise
    sd_total = math.sqrt(1.0 + model.location_sd ** 2 + model.acquiescence_sd ** 2)
    mu = np.array([latent_mean(model.domain_means[d], sd_total, model.thresholds) for d in DOMAINS])
    trait = (mu[np.maximum(lay.domain, 0)] + lam * fac[:, np.maximum(lay.facet, 0)]
             + math.sqrt(1 - lam ** 2) * unique)
    z = lay.keyed * trait + delta + acq
    infreq = lay.role == 2
    z[:, infreq] = lay.side[infreq] * model.infrequency_location + noise[:, infreq] + acq
    return z


def _categorise(z: np.ndarray, model: ResponseModel, rng: np.random.Generator, lapse: bool = True) -> np.ndarray:
    """Answers 1-5 from propensities: 1 + number of thresholds exceeded; then lapses."""
    x = 1 + (z[..., None] > np.asarray(model.thresholds)).sum(axis=-1)
    if lapse:
        slips = rng.random(x.shape) < model.lapse_rate
        x = np.where(slips, rng.integers(1, 6, size=x.shape), x)
    return x


def _page_seconds(lay: _Layout, order: np.ndarray, model: ResponseModel, rng: np.random.Generator,
                  speed_shift: float = 0.0) -> np.ndarray:
    """Seconds per page, shape (n, P): log-normal statement times summed per page."""
    n, n_st = order.shape
    base = model.decision_seconds + 60.0 * lay.words / model.reading_wpm
    tau = model.person_speed_sd * rng.standard_normal((n, 1)) + speed_shift
    t = np.exp(np.log(base[order]) - tau + model.statement_time_sd * rng.standard_normal((n, n_st)))
    n_pages = -(-n_st // PAGE_SIZE)
    return np.array([t[:, p * PAGE_SIZE:(p + 1) * PAGE_SIZE].sum(axis=1) for p in range(n_pages)]).T


def simulate(inv: Inventory, kind: str, n: int, rng: np.random.Generator,
             model: ResponseModel = DEFAULT_MODEL) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` protocols of responder type ``kind``.

    Returns ``answers`` (n, S) ints 1-5 in file order, ``order`` (n, S) the presentation
    order of each protocol (indices into the file order, a random permutation as in
    ``portal.services.journey.start_inventory``) and ``page_seconds`` (n, P), the time of
    each page of ``PAGE_SIZE`` statements in presentation order.
    """
    if kind not in RESPONDER_TYPES:
        raise ValueError(f"unknown responder type {kind!r} (known: {', '.join(RESPONDER_TYPES)})")
    lay = _layout(inv)
    n_st = len(lay.ids)
    order = np.argsort(rng.random((n, n_st)), axis=1)
    rows = np.arange(n)[:, None]
    if kind == "random":
        answers = rng.integers(1, 6, size=(n, n_st))
    elif kind == "acquiescent":
        answers = _categorise(_propensity(lay, model, n, rng) + model.acquiescent_shift, model, rng)
    else:
        answers = _categorise(_propensity(lay, model, n, rng), model, rng)
    if kind == "straight_line":
        seq = answers[rows, order]  # presentation order
        repeat = rng.random((n, n_st)) < model.straight_line_repeat
        for k in range(1, n_st):
            seq[:, k] = np.where(repeat[:, k], seq[:, k - 1], seq[:, k])
        answers = np.empty_like(seq)
        answers[rows, order] = seq
    elif kind == "half_random":
        start = int(round(model.half_random_from * n_st))
        late = order[:, start:]
        answers[rows, late] = rng.integers(1, 6, size=late.shape)
    shift = 0.0
    if kind == "too_fast":
        typical = float(np.median(model.decision_seconds + 60.0 * lay.words / model.reading_wpm))
        shift = math.log(typical / model.too_fast_seconds)
    return answers, order, _page_seconds(lay, order, model, rng, shift)


# --------------------------------------------------------------------------- indicators


def portal_indicators(inv: Inventory, answers: Mapping[str, int | None], order: Sequence[str],
                      page_times: Sequence[tuple[float, int]]) -> list[validity.Indicator]:
    """``validity.indicators`` with the arguments ``score_inventory_attempt`` passes."""
    return validity.indicators(
        answers=answers,
        order=list(order),
        scored_ids=[s.id for s in inv.scored_statements],
        pairs=list(inv.consistency_pairs),
        infrequency={s.id: s.expected for s in inv.validity_statements if s.role == INFREQUENCY},
        page_times=page_times,
        keyed={s.id: s.keyed for s in inv.statements if s.keyed},
    )


def indicator_arrays(inv: Inventory, answers: np.ndarray, order: np.ndarray,
                     page_seconds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values and raised flags of every protocol: two arrays of shape (n, len(CODES)).

    Values that could not be computed are NaN. Every protocol goes through
    :func:`portal_indicators`, one at a time, as the portal scores an attempt.
    """
    ids = [s.id for s in inv.statements]
    n, n_st = answers.shape
    sizes = [len(ids[p * PAGE_SIZE:(p + 1) * PAGE_SIZE]) for p in range(page_seconds.shape[1])]
    values = np.full((n, len(validity.CODES)), np.nan)
    raised = np.zeros((n, len(validity.CODES)), bool)
    for j in range(n):
        given = dict(zip(ids, answers[j].tolist()))
        presented = [ids[i] for i in order[j]]
        pages = list(zip(page_seconds[j].tolist(), sizes))
        for c, ind in enumerate(portal_indicators(inv, given, presented, pages)):
            values[j, c] = np.nan if ind.value is None else ind.value
            raised[j, c] = ind.raised
    return values, raised


# --------------------------------------------------------------------------- report


def _alpha(items: np.ndarray) -> float:
    """Cronbach's alpha of an (n, k) matrix: k/(k-1) (1 - sum var_i / var(total))."""
    k = items.shape[1]
    return k / (k - 1) * (1 - items.var(axis=0, ddof=1).sum() / items.sum(axis=1).var(ddof=1))


def model_check(inv: Inventory, answers: np.ndarray, page_seconds: np.ndarray) -> dict:
    """What the honest model implies: mean facet and domain alpha (keyed answers), mean
    correlation of the consistency pairs, domain means, median seconds per statement."""
    lay = _layout(inv)
    keyed = np.where(lay.keyed < 0, 6 - answers, answers).astype(float)
    scored = lay.role == 0
    facet_alpha = [_alpha(keyed[:, scored & (lay.facet == f)]) for f in range(len(lay.facet_domain))]
    domain_alpha = [_alpha(keyed[:, scored & (lay.domain == d)]) for d in range(len(DOMAINS))]
    pairs = [(i, p) for i, p in enumerate(lay.partner) if p >= 0]
    pair_r = [np.corrcoef(answers[:, i], answers[:, p])[0, 1] for i, p in pairs]
    sizes = np.array([min(PAGE_SIZE, answers.shape[1] - p * PAGE_SIZE) for p in range(page_seconds.shape[1])])
    return {
        "facet_alpha": round(float(np.mean(facet_alpha)), 3),
        "domain_alpha": round(float(np.mean(domain_alpha)), 3),
        "pair_correlation": round(float(np.mean(pair_r)), 3),
        "domain_means": {d: round(float(keyed[:, scored & (lay.domain == i)].mean()), 2)
                         for i, d in enumerate(DOMAINS)},
        "seconds_per_statement": round(float(np.median(np.median(page_seconds / sizes, axis=1))), 2),
    }


def thresholds() -> dict[str, float]:
    """The cut-offs in use (``item_banks.validity``)."""
    return {
        "too_fast": validity.TOO_FAST_SECONDS_PER_STATEMENT,
        "long_string": validity.LONG_STRING_RUN,
        "inconsistency": validity.INCONSISTENCY_MEAN_DIFF,
        "inconsistency_min_pairs": validity.INCONSISTENCY_MIN_PAIRS,
        "acquiescence_high": validity.ACQUIESCENCE_HIGH,
        "acquiescence_low": validity.ACQUIESCENCE_LOW,
        "infrequency": validity.INFREQUENCY_COUNT,
    }


def _rates(inv: Inventory, kind: str, n: int, rng: np.random.Generator, model: ResponseModel):
    """Simulate one responder type; (rates by code and "any", values, answers, page seconds)."""
    answers, order, pages = simulate(inv, kind, n, rng, model)
    values, raised = indicator_arrays(inv, answers, order, pages)
    rates = {code: round(float(raised[:, c].mean()), 4) for c, code in enumerate(validity.CODES)}
    rates["any"] = round(float(raised.any(axis=1).mean()), 4)
    return rates, values, answers, pages


def run(inv: Inventory, n: int = DEFAULT_N, seed: int = DEFAULT_SEED,
        model: ResponseModel = DEFAULT_MODEL, types: Sequence[str] = RESPONDER_TYPES,
        pessimistic: ResponseModel | None = PESSIMISTIC_MODEL) -> dict:
    """Simulate ``n`` protocols per responder type and report the flag rates (keys ``KEYS``).

    ``rates[type][code]`` is the share of protocols of that type raising flag ``code``;
    ``rates[type]["any"]`` the share raising at least one. ``honest_false_positive`` is
    ``rates["honest"]``; ``detection[type]`` is ``rates[type]["any"]`` for the aberrant
    types; ``honest_pessimistic`` the honest rates again under ``pessimistic`` (None: not
    run). ``indicator_quantiles[type][code]`` gives the 1st, 5th, 50th, 95th and 99th
    percentile of the indicator's value (the basis for the cut-offs). Each type has its
    own generator, seeded by (seed, its position in ``RESPONDER_TYPES``), so a type's
    figures do not depend on which other types are run.
    """
    if n < 2:
        raise ValueError("n must be at least 2")
    started = time.perf_counter()
    rates, quantiles, check = {}, {}, None
    for kind in types:
        rng = np.random.default_rng([seed, RESPONDER_TYPES.index(kind)])
        rates[kind], values, answers, pages = _rates(inv, kind, n, rng, model)
        quantiles[kind] = {
            code: None if np.isnan(values[:, c]).all() else
            [round(float(q), 3) for q in np.nanpercentile(values[:, c], [1, 5, 50, 95, 99])]
            for c, code in enumerate(validity.CODES)
        }
        if kind == "honest":
            check = model_check(inv, answers, pages)
    harsh = None
    if pessimistic is not None:
        rng = np.random.default_rng([seed, len(RESPONDER_TYPES)])
        harsh = _rates(inv, "honest", n, rng, pessimistic)[0]
    return {
        "inventory": f"{inv.inventory_id} {inv.version}",
        "seed": seed,
        "n": n,
        "responder_types": list(types),
        "thresholds": thresholds(),
        "rates": rates,
        "honest_false_positive": rates.get("honest"),
        "detection": {k: rates[k]["any"] for k in types if k != "honest"},
        "honest_pessimistic": harsh,
        "indicator_quantiles": quantiles,
        "model_check": check,
        "model": {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in asdict(model).items()},
        "seconds": round(time.perf_counter() - started, 1),
    }


def format_report(report: Mapping) -> str:
    """The report as a plain-text table: one row per responder type, one column per flag."""
    codes = list(validity.CODES) + ["any"]
    width = max(len(c) for c in codes) + 1
    lines = [
        f"Validity flags by simulation: {report['inventory']}, seed {report['seed']},"
        f" n = {report['n']} protocols per responder type",
        "Share of protocols raising each flag (honest: false positives; others: detection).",
        "",
        "type".ljust(14) + "".join(c.rjust(width) for c in codes),
    ]
    rows = list(report["rates"].items())
    if report.get("honest_pessimistic"):
        rows.append(("honest, harsh", report["honest_pessimistic"]))
    for kind, row in rows:
        lines.append(kind.ljust(14) + "".join(f"{100 * row[c]:{width - 2}.1f} %" for c in codes))
    t = report["thresholds"]
    lines += [
        "",
        "honest, harsh: honest responders under PESSIMISTIC_MODEL (weaker near-synonyms, more"
        " yes-saying, more slips).",
        f"Cut-offs: too_fast < {t['too_fast']} s per statement (median over pages); long_string >="
        f" {t['long_string']}; inconsistency >= {t['inconsistency']} (at least"
        f" {t['inconsistency_min_pairs']} pairs); acquiescence >= {t['acquiescence_high']} or <="
        f" {t['acquiescence_low']}; infrequency >= {t['infrequency']}.",
    ]
    q = report["indicator_quantiles"]
    if "honest" in q:
        lines += ["", "Indicator percentiles (1, 5, 50, 95, 99):"]
        for kind in ("honest", "random"):
            if kind in q:
                for code in validity.CODES:
                    if q[kind][code] is not None:
                        lines.append(f"  {kind:<7} {code:<14} " + ", ".join(f"{v:g}" for v in q[kind][code]))
    check = report.get("model_check")
    if check:
        means = ", ".join(f"{d} {m:.2f}" for d, m in check["domain_means"].items())
        lines += [
            "",
            f"Honest model: facet alpha {check['facet_alpha']:.2f}, domain alpha {check['domain_alpha']:.2f},"
            f" consistency-pair r {check['pair_correlation']:.2f}, {check['seconds_per_statement']:.1f} s per"
            f" statement; domain means {means}.",
        ]
    lines.append(f"({report['seconds']} s)")
    return "\n".join(lines)
