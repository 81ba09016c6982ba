"""Simulated candidates through the production adaptive test: the figures the manual quotes.

``simulate(ab, n, rng)`` runs ``n`` simulated candidates through exactly the functions a
candidate's attempt uses (``item_banks.adaptive``: ``start_state``, ``next_item``,
``cat.update``, ``final_score``) on the bank and settings of ``ab`` (an
``adaptive.AdaptiveBank``: the shipped bank with ``adaptive.APP_SETTINGS`` in production).
Each simulee gets an attempt seed from ``rng``, as a real attempt does, and answers item j
correctly iff ``u_j < P_j(theta)`` under the 3PL with the bank's parameters, with uniforms
``u`` fixed per simulee and item (so the comparison run below sees the same answers).

``summarise`` turns the runs into one dict with stable key names (``KEYS``, documented in
docs/technical-manual.md), which ``flask --app wsgi banks simulate --json`` prints:

precision and bias
    ``rmse``, ``bias`` (mean of estimate - true theta), ``mean_se`` (mean reported SE),
    ``empirical_reliability`` (``1 - mean(SE^2) / var(estimate)``, what the data alone
    would say), ``true_reliability`` (squared correlation of estimate and true theta,
    known only in a simulation), ``by_decile`` (bias, RMSE, mean length and mean SE per
    decile of true theta) and ``tails`` (the same for ``|theta| > 2``, [-2.5, -2) and
    [2, 2.5]).
stopping and length
    ``stopped_on_precision`` (share of tests that stopped because the SE target was
    reached), ``stopped_on_precision_within_2`` (the same among |theta| <= 2),
    ``length`` (mean, median, p90, max items).
exposure and overlap
    ``max_exposure`` (largest share of simulees who saw one item), ``unused_share``
    (share of the bank no simulee saw), ``overlap_rate`` (mean over all pairs of
    simulees of the share of items two tests have in common, ``|A & B|`` divided by the
    mean length of the two tests; for fixed-length tests this is the overlap rate of
    Chen, Ankenmann & Spray, 2003), ``overlap_rate_similar`` (the same over pairs whose
    true theta differ by less than 0.5), ``items_per_type`` (mean items of each type).
comparison
    ``rmse_max_information_same_length``: every simulee's test run again with pure
    maximum-information selection (no exposure or overlap control, no random component;
    content balance and item families kept, as they are rules of the test's content) at
    exactly the length that simulee's production test had, scored the same way, with
    the same answers; ``rmse_cost_of_exposure_control`` is the difference.
time
    ``seconds_per_step`` (mean wall-clock time of one selection plus one update),
    ``time_limit_minutes`` (``adaptive.time_limit_minutes``) and
    ``timed_out_share``: the share of simulees whose test would not have ended before
    the time limit under a log-normal response-time model (van der Linden, 2006): the
    time of item j is ``typical_type x exp(e_j - tau)`` with the a-priori typical time of
    the item's type (``cat.A_PRIORI_TYPICAL_MS``), person speed ``tau ~ N(0, 0.25^2)``
    and item noise ``e_j ~ N(0, 0.4^2)`` (``adaptive.SPEED_SD``, ``adaptive.TIME_NOISE_SD``:
    assumptions, to be replaced by observed times).

References: Chen, S.-Y., Ankenmann, R. D. & Spray, J. A. (2003). The relationship between
item exposure and test overlap in computerized adaptive testing. *Journal of Educational
Measurement, 40*, 129-145. van der Linden, W. J. (2006). A lognormal model for response
times on test items. *Journal of Educational and Behavioral Statistics, 31*, 181-204.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from . import adaptive, cat, irt

THETA_DISTRIBUTIONS = ("normal", "uniform")
#: Range of the "uniform" ability distribution.
UNIFORM_RANGE = (-3.0, 3.0)

KEYS = (
    "bank", "settings", "n_candidates", "seed", "theta_distribution",
    "rmse", "bias", "mean_se", "empirical_reliability", "true_reliability",
    "by_decile", "tails",
    "stopped_on_precision", "stopped_on_precision_within_2", "reported_se_within_target_within_2",
    "length",
    "max_exposure", "unused_share", "overlap_rate", "overlap_rate_similar", "items_per_type",
    "rmse_max_information_same_length", "rmse_cost_of_exposure_control",
    "seconds_per_step", "time_limit_minutes", "timed_out_share",
)


@dataclass(frozen=True, eq=False)
class Runs:
    """Simulated attempts, arrays over simulees (N,) or (N, max_items) padded with -1."""

    true_theta: np.ndarray
    theta: np.ndarray
    se: np.ndarray
    n_items: np.ndarray
    administered: np.ndarray
    reasons: np.ndarray
    uniforms: np.ndarray
    seconds_per_step: float


def draw_thetas(n: int, distribution: str, rng: np.random.Generator) -> np.ndarray:
    """``n`` true abilities: "normal" = N(0, 1), "uniform" = U(UNIFORM_RANGE)."""
    if distribution == "normal":
        return rng.standard_normal(n)
    if distribution == "uniform":
        return rng.uniform(*UNIFORM_RANGE, size=n)
    raise ValueError(f"theta distribution must be one of {THETA_DISTRIBUTIONS}")


def run_one(ab: adaptive.AdaptiveBank, theta: float, seed: int, uniforms: np.ndarray,
            clock: Callable[[], float] = time.perf_counter) -> tuple[cat.CatState, cat.FinalScore, float, int]:
    """One simulee of ability ``theta`` through the production test, as a candidate whose
    attempt has seed ``seed`` and who answers item j correctly iff ``uniforms[j] < P_j(theta)``.

    Returns the final state, the final score, the seconds spent in selection and update,
    and the number of steps.
    """
    bank = ab.cat_bank
    p_true = irt.p3pl(float(theta), bank.a, bank.b, bank.c)
    state = adaptive.start_state(ab, seed)
    seconds, steps = 0.0, 0
    while True:
        t0 = clock()
        item = adaptive.next_item(ab, state, seed)
        if item is None:
            seconds += clock() - t0
            break
        state = cat.update(state, item, int(uniforms[item] < p_true[item]))
        seconds += clock() - t0
        steps += 1
    return state, adaptive.final_score(ab, state), seconds, steps


def run(ab: adaptive.AdaptiveBank, thetas, rng: np.random.Generator, *,
        progress: Callable[[int], None] | None = None) -> Runs:
    """Each true ability in ``thetas`` through the production test of ``ab`` (``run_one``).

    Draws per simulee, in order: the attempt seed (``rng.integers(2**62)``, like
    ``portal.services.journey``), then the uniforms of its answers (shape (I,)).
    ``progress(k)`` is called after every simulee.
    """
    thetas = np.asarray(thetas, dtype=float).ravel()
    n, bank = thetas.size, ab.cat_bank
    administered = np.full((n, ab.settings.max_items), -1, dtype=np.intp)
    uniforms = np.empty((n, bank.n_items))
    estimate, se = np.empty(n), np.empty(n)
    lengths = np.empty(n, dtype=np.intp)
    reasons = np.empty(n, dtype=object)
    steps, seconds = 0, 0.0
    for i in range(n):
        seed = int(rng.integers(2**62))
        uniforms[i] = rng.random(bank.n_items)
        state, score, spent, k = run_one(ab, thetas[i], seed, uniforms[i])
        seconds += spent
        steps += k
        administered[i, :state.n_items] = state.administered
        estimate[i], se[i], lengths[i], reasons[i] = score.theta, score.se, state.n_items, score.reason
        if progress is not None:
            progress(i + 1)
    return Runs(thetas.copy(), estimate, se, lengths, administered, reasons, uniforms,
                seconds / max(steps, 1))


def max_information_same_length(ab: adaptive.AdaptiveBank, runs: Runs) -> np.ndarray:
    """Final estimates of pure maximum-information tests of each simulee's length (N,).

    Same answers (``runs.uniforms``), same estimator, content balance and item families;
    no exposure control, no random component, no SE stopping.
    """
    bank = ab.cat_bank
    out = np.empty(runs.true_theta.size)
    for i, (theta, k) in enumerate(zip(runs.true_theta, runs.n_items)):
        rules = replace(ab.settings, exposure="none", overlap="none", se_target=0.0,
                        min_items=int(k), max_items=int(k))
        p_true = irt.p3pl(float(theta), bank.a, bank.b, bank.c)
        state = cat.start(bank, rules)
        while (item := cat.select_next(state, rules, None)) is not None:
            state = cat.update(state, item, int(runs.uniforms[i, item] < p_true[item]))
        out[i] = cat.estimate(state, rules)[0]
    return out


def _incidence(administered: np.ndarray, n_bank: int) -> np.ndarray:
    rows = np.repeat(np.arange(administered.shape[0]), administered.shape[1])
    cols = administered.ravel()
    keep = cols >= 0
    x = np.zeros((administered.shape[0], n_bank), dtype=np.float32)
    x[rows[keep], cols[keep]] = 1.0
    return x


def overlap_rates(administered: np.ndarray, n_items: np.ndarray, n_bank: int, true_theta: np.ndarray,
                  similar: float = 0.5) -> tuple[float, float]:
    """Mean pairwise overlap over all pairs and over pairs with ``|theta_i - theta_j| < similar``.

    Overlap of a pair: items in common / mean length of the two tests.
    """
    x = _incidence(administered, n_bank)
    common = x @ x.T
    lengths = n_items.astype(float)
    rate = common / ((lengths[:, None] + lengths[None, :]) / 2.0)
    upper = np.triu_indices(len(lengths), 1)
    pairs = rate[upper]
    close = (np.abs(true_theta[:, None] - true_theta[None, :]) < similar)[upper]
    return float(pairs.mean()), float(pairs[close].mean()) if close.any() else float("nan")


def timed_out_share(ab: adaptive.AdaptiveBank, runs: Runs, rng: np.random.Generator) -> float:
    """Share of simulees whose test time exceeds the time limit (log-normal time model)."""
    typical = cat.a_priori_typical_ms(ab.cat_bank.types) / 1000.0
    limit = adaptive.time_limit_minutes(ab.settings, ab.cat_bank.type_names.tolist()) * 60.0
    tau = rng.normal(0.0, adaptive.SPEED_SD, size=runs.n_items.size)
    out = 0
    for i, k in enumerate(runs.n_items):
        items = runs.administered[i, :k]
        seconds = typical[items] * np.exp(rng.normal(0.0, adaptive.TIME_NOISE_SD, size=k) - tau[i])
        out += bool(seconds.sum() > limit)
    return out / runs.n_items.size


def _group(true_theta, estimate, se, lengths, mask) -> dict:
    if not mask.any():
        return {"n": 0, "bias": None, "rmse": None, "mean_length": None, "mean_se": None}
    err = estimate[mask] - true_theta[mask]
    return {"n": int(mask.sum()), "bias": float(err.mean()), "rmse": float(np.sqrt(np.mean(err**2))),
            "mean_length": float(lengths[mask].mean()), "mean_se": float(se[mask].mean())}


def summarise(ab: adaptive.AdaptiveBank, runs: Runs, rng: np.random.Generator, *,
              compare: bool = True) -> dict:
    """The documented figures (``KEYS``; ``bank``, ``settings``, ``seed``, ``n_candidates``
    and ``theta_distribution`` are filled in by the caller or left as given here)."""
    th, est, se, n = runs.true_theta, runs.theta, runs.se, runs.n_items
    err = est - th
    edges = np.quantile(th, np.linspace(0, 1, 11))
    deciles = []
    for d in range(10):
        lo, hi = edges[d], edges[d + 1]
        mask = (th >= lo) & ((th < hi) if d < 9 else (th <= hi))
        deciles.append({"decile": d + 1, "theta_low": float(lo), "theta_high": float(hi),
                        **_group(th, est, se, n, mask)})
    tails = {
        "abs_above_2": _group(th, est, se, n, np.abs(th) > 2),
        "from_-2.5_to_-2": _group(th, est, se, n, (th >= -2.5) & (th < -2)),
        "from_2_to_2.5": _group(th, est, se, n, (th > 2) & (th <= 2.5)),
    }
    within = np.abs(th) <= 2
    exposure = np.bincount(runs.administered[runs.administered >= 0], minlength=ab.cat_bank.n_items) / th.size
    overlap, overlap_similar = overlap_rates(runs.administered, n, ab.cat_bank.n_items, th)
    types = ab.cat_bank.type_names.tolist()
    codes = ab.cat_bank.type_codes
    per_type = {t: float(np.mean([(codes[row[row >= 0]] == k).sum() for row in runs.administered]))
                for k, t in enumerate(types)}
    out = {
        "rmse": float(np.sqrt(np.mean(err**2))),
        "bias": float(err.mean()),
        "mean_se": float(se.mean()),
        "empirical_reliability": float(1.0 - np.mean(se**2) / np.var(est)),
        "true_reliability": float(np.corrcoef(th, est)[0, 1] ** 2),
        "by_decile": deciles,
        "tails": tails,
        "stopped_on_precision": float(np.mean(runs.reasons == "se_target")),
        "stopped_on_precision_within_2": float(np.mean(runs.reasons[within] == "se_target")) if within.any() else None,
        "reported_se_within_target_within_2":
            float(np.mean(se[within] <= ab.settings.se_target)) if within.any() else None,
        "length": {"mean": float(n.mean()), "median": float(np.median(n)),
                   "p90": float(np.percentile(n, 90)), "max": int(n.max())},
        "max_exposure": float(exposure.max()),
        "unused_share": float(np.mean(exposure == 0)),
        "overlap_rate": overlap,
        "overlap_rate_similar": overlap_similar,
        "items_per_type": per_type,
        "rmse_max_information_same_length": None,
        "rmse_cost_of_exposure_control": None,
        "seconds_per_step": runs.seconds_per_step,
        "time_limit_minutes": adaptive.time_limit_minutes(ab.settings, types),
        "timed_out_share": timed_out_share(ab, runs, rng),
    }
    if compare:
        reference = max_information_same_length(ab, runs)
        out["rmse_max_information_same_length"] = float(np.sqrt(np.mean((reference - th) ** 2)))
        out["rmse_cost_of_exposure_control"] = out["rmse"] - out["rmse_max_information_same_length"]
    return out


def simulate(ab: adaptive.AdaptiveBank, n: int, seed: int, *, theta_distribution: str = "normal",
             compare: bool = True, progress: Callable[[int], None] | None = None) -> dict:
    """Draw ``n`` abilities, run them and summarise: one JSON-ready dict with every ``KEYS``.

    Everything comes from ``numpy.random.default_rng(seed)`` (abilities, attempt seeds,
    answers, the time model), so the same seed prints the same figures (up to
    ``seconds_per_step``, a wall-clock time).
    """
    rng = np.random.default_rng(seed)
    thetas = draw_thetas(n, theta_distribution, rng)
    runs = run(ab, thetas, rng, progress=progress)
    figures = summarise(ab, runs, rng, compare=compare)
    settings = {k: v for k, v in adaptive._settings_doc(ab.settings).items()}
    return {
        "bank": {"bank_id": ab.bank.bank_id, "version": ab.bank.version, "n_items": ab.cat_bank.n_items,
                 "difficulty_model": ab.bank.difficulty_model},
        "settings": settings,
        "n_candidates": int(n),
        "seed": int(seed),
        "theta_distribution": theta_distribution,
        **figures,
    }


def format_report(doc: dict) -> str:
    """The figures of ``simulate`` as a plain-text table."""
    f = doc
    lines = [
        f"bank {f['bank']['bank_id']} {f['bank']['version']} ({f['bank']['n_items']} items, "
        f"{f['bank']['difficulty_model'] or 'calibrated'}); {f['n_candidates']} simulees, "
        f"theta {f['theta_distribution']}, seed {f['seed']}",
        f"settings: SE target {f['settings']['se_target']} ({f['settings']['stop_se']}), "
        f"{f['settings']['min_items']}-{f['settings']['max_items']} items, estimator "
        f"{f['settings']['estimator']}, exposure {f['settings']['exposure']}, overlap "
        f"{f['settings']['overlap']}",
        "",
        f"RMSE {f['rmse']:.3f}   bias {f['bias']:+.3f}   mean SE {f['mean_se']:.3f}   "
        f"reliability: empirical {f['empirical_reliability']:.3f}, true {f['true_reliability']:.3f}",
        f"stopped on precision {f['stopped_on_precision']:.1%} (|theta| <= 2: "
        f"{_pct(f['stopped_on_precision_within_2'])}); reported SE <= {f['settings']['se_target']} "
        f"for {_pct(f['reported_se_within_target_within_2'])} of |theta| <= 2",
        f"length: mean {f['length']['mean']:.1f}, median {f['length']['median']:.0f}, "
        f"p90 {f['length']['p90']:.0f}, max {f['length']['max']}",
        f"max exposure {f['max_exposure']:.3f}   unused {f['unused_share']:.1%}   overlap "
        f"{f['overlap_rate']:.3f} (similar ability: {f['overlap_rate_similar']:.3f})",
        "items per type: " + ", ".join(f"{t} {v:.1f}" for t, v in f["items_per_type"].items()),
    ]
    if f["rmse_max_information_same_length"] is not None:
        lines.append(f"RMSE of pure maximum information at the same lengths "
                     f"{f['rmse_max_information_same_length']:.3f} (cost of exposure control "
                     f"{f['rmse_cost_of_exposure_control']:+.3f})")
    lines += [
        f"time limit {f['time_limit_minutes']} min; simulees who would run out of time "
        f"{f['timed_out_share']:.1%}; {f['seconds_per_step'] * 1e6:.0f} microseconds per CAT step",
        "",
        f"{'decile':>6} {'theta from':>10} {'to':>6} {'n':>5} {'bias':>7} {'RMSE':>6} {'SE':>6} {'length':>6}",
    ]
    for d in f["by_decile"]:
        lines.append(f"{d['decile']:>6} {d['theta_low']:>10.2f} {d['theta_high']:>6.2f} {d['n']:>5} "
                     f"{d['bias']:>+7.3f} {d['rmse']:>6.3f} {d['mean_se']:>6.3f} {d['mean_length']:>6.1f}")
    for name, g in f["tails"].items():
        if g["n"]:
            lines.append(f"{name:>24} {g['n']:>5} {g['bias']:>+7.3f} {g['rmse']:>6.3f} "
                         f"{g['mean_se']:>6.3f} {g['mean_length']:>6.1f}")
        else:
            lines.append(f"{name:>24} {0:>5}")
    return "\n".join(lines)


def _pct(x) -> str:
    return "n/a" if x is None else f"{x:.1%}"


__all__ = ["KEYS", "THETA_DISTRIBUTIONS", "Runs", "draw_thetas", "format_report", "max_information_same_length",
           "overlap_rates", "run", "run_one", "simulate", "summarise", "timed_out_share"]
