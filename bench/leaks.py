"""Benchmark: leak monitoring (item_banks.leaks) on data simulated through the production CAT.

Simulees (abilities N(0, 1), in arrival order = time) take the adaptive logic test with the
production engine on the shipped bank (``item_banks.calibration_sim.adaptive_responses``);
their answers follow the 3PL at the bank's parameters, except for planted leaked items.

1. **Null run.** Every item's first ``--horizon`` responses are monitored with the
   leave-one-out posterior predictive ``p`` and the upper CUSUM (k, h of
   ``item_banks.leaks``). Reported: the threshold calibrated by simulation from this run's
   predicted probabilities (``calibrate_threshold``) beside the shipped ``DEFAULT_H``, and
   the false-alarm rate per item over the horizon, on items with at least ``--horizon``
   responses (with a 95 % binomial interval) and on the less used ones (over their own
   shorter history).
2. **Planted leaks.** ``--leaked-items`` items with at least ``--horizon`` responses in the
   null run are leaked from their ``--leak-at``-th response on (the same seed, so every
   path is the null run's until then), in one run per scenario: a share of test takers
   knows the key (``P' = s + (1 - s) P``), or the item's b drops. Reported: detection rate
   within the horizon, median and quartiles of the delay (responses after the leak), alarms
   before the leak; and the same with the end-of-test posterior (the item's own answer
   included) at the same h, to show what excluding the item buys. A scenario where the
   item gets harder (b + 1) checks that the "easier" alarm stays silent.

``--quick``: a 24-item sub-bank, 15-item tests, 600 simulees, horizon 300, leak at 150,
alpha 5 %. Writes ``bench/results/leaks-<UTC timestamp>.json`` (``--out``), prints a table.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from item_banks import adaptive, calibration_sim as sim, irt, leaks, load_logic_bank  # noqa: E402

SEED = 20261206
SCENARIOS = {  # name: (kind, size)
    "know 30 %": ("know", 0.30),
    "know 15 %": ("know", 0.15),
    "b - 1.0": ("shift", -1.0),
    "b - 0.5": ("shift", -0.5),
    "harder, b + 1.0": ("shift", 1.0),
}


def the_design(quick: bool):
    ab = adaptive.adaptive_bank(load_logic_bank())
    if not quick:
        return sim.design(ab.cat_bank, ab.settings)
    settings = replace(adaptive.APP_SETTINGS, exposure="randomesque", max_items=15, min_items=15)
    return sim.sub_design(ab.cat_bank, sim.stratified_subset(ab.cat_bank, 6), settings)


def wilson(k: int, n: int, z: float = 1.96) -> list[float]:
    if n == 0:
        return [float("nan"), float("nan")]
    ph = k / n
    centre = (ph + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [float(max(0.0, centre - half)), float(min(1.0, centre + half))]


def item_history(data, p, j, horizon):
    who = np.flatnonzero(~np.isnan(data.responses[:, j]))[:horizon]
    return who, data.responses[who, j], p[who, j]


def run(design, thetas, seed, probability=None):
    data = sim.adaptive_responses(design, thetas, np.random.default_rng(seed), probability=probability)
    b = design.cat_bank
    return (data, leaks.expected_correct(data.responses, b.a, b.b, b.c),
            leaks.expected_correct(data.responses, b.a, b.b, b.c, exclude=False))


def leak_probability(bank, kind, size, starts: dict[int, int]):
    b_new = bank.b.copy()
    for j in starts:
        b_new[j] += size if kind == "shift" else 0.0

    def probability(person, theta):
        prob = irt.p3pl(float(theta), bank.a, bank.b, bank.c)
        changed = irt.p3pl(float(theta), bank.a, b_new, bank.c) if kind == "shift" else None
        for j, start in starts.items():
            if person >= start:
                prob[j] = size + (1 - size) * prob[j] if kind == "know" else changed[j]
        return prob

    return probability


def detection(data, p, items, leak_at, horizon, h, k):
    delays, early, missed = [], 0, 0
    for j in items:
        who, x, pj = item_history(data, p, j, horizon)
        m = leaks.monitor(who, x, pj, k=k, h=h)
        if m.alarm_index is None:
            missed += 1
        elif m.alarm_index < leak_at:
            early += 1
        else:
            delays.append(m.alarm_index - leak_at)
    n = len(items)
    q = np.percentile(delays, [25, 50, 75]).tolist() if delays else [None] * 3
    return {"items": n, "detected": len(delays), "rate": len(delays) / n if n else None,
            "alarm_before_leak": early, "missed": missed, "delay_q25_median_q75": q}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--quick", action="store_true", help="24-item sub-bank, 600 simulees, horizon 300")
    parser.add_argument("--simulees", type=int, default=None, help="default 24,000 (quick 600)")
    parser.add_argument("--horizon", type=int, default=None, help=f"default {leaks.DEFAULT_HORIZON} (quick 300)")
    parser.add_argument("--leak-at", type=int, default=None, help="default 500 (quick 150)")
    parser.add_argument("--leaked-items", type=int, default=None, help="per scenario, default 30 (quick 4)")
    parser.add_argument("--alpha", type=float, default=None, help=f"default {leaks.DEFAULT_ALPHA} (quick 0.05)")
    parser.add_argument("--k", type=float, default=leaks.DEFAULT_K)
    parser.add_argument("--n-sim", type=int, default=None, help="null paths for the threshold, default 100,000")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    quick = args.quick
    n = args.simulees or (600 if quick else 24_000)
    horizon = args.horizon or (300 if quick else leaks.DEFAULT_HORIZON)
    leak_at = args.leak_at or (150 if quick else 500)
    n_leaked = args.leaked_items or (4 if quick else 30)
    alpha = args.alpha or (0.05 if quick else leaks.DEFAULT_ALPHA)
    n_sim = args.n_sim or (4_000 if quick else 100_000)
    k = args.k
    t0 = time.perf_counter()
    doc = {"command": " ".join(["bench/leaks.py", *(argv if argv is not None else sys.argv[1:])]),
           "started": datetime.now(UTC).isoformat(timespec="seconds"), "seed": args.seed, "quick": quick,
           "python": platform.python_version(), "numpy": np.__version__, "simulees": n, "horizon": horizon,
           "leak_at": leak_at, "alpha": alpha, "k": k}

    design = the_design(quick)
    bank = design.cat_bank
    rng = np.random.default_rng(args.seed)
    thetas = rng.normal(size=n)
    run_seed = int(rng.integers(2**62))
    null, p_loo, p_full = run(design, thetas, run_seed)
    seen = ~np.isnan(p_loo)
    doc["mean_length"] = float(null.lengths.mean())
    doc["items"] = int(bank.n_items)
    x = null.responses[seen]
    doc["null_residuals"] = {"responses": int(seen.sum()),
                             "p_loo_quartiles": np.percentile(p_loo[seen], [25, 50, 75]).round(3).tolist(),
                             "variance_loo": float(leaks.residuals(x, p_loo[seen]).var()),
                             "variance_end_of_test": float(leaks.residuals(x, p_full[seen]).var())}

    # 1. threshold and false alarms
    h_cal = leaks.calibrate_threshold(p_loo[seen], rng, k=k, horizon=horizon, alpha=alpha, n_sim=n_sim)
    shipped = (not quick and horizon == leaks.DEFAULT_HORIZON and alpha == leaks.DEFAULT_ALPHA
               and k == leaks.DEFAULT_K)
    h = leaks.DEFAULT_H if shipped else h_cal
    iid = leaks.null_max_cusum(p_loo[seen], np.random.default_rng(args.seed + 1), k=k, horizon=horizon, n_sim=n_sim)
    doc["threshold"] = {"h_used": h, "h_calibrated": h_cal, "shipped_default": shipped,
                        "iid_false_alarm_rate_at_h": float((iid > h).mean()), "n_sim": n_sim}
    counts = (~np.isnan(null.responses)).sum(axis=0)
    full_items = np.flatnonzero(counts >= horizon)
    short_items = np.flatnonzero((counts >= leaks.DEFAULT_MIN_N) & (counts < horizon))
    fa = {}
    for label, p in (("loo", p_loo), ("end_of_test", p_full)):
        alarms_full = sum(leaks.monitor(*item_history(null, p, j, horizon), k=k, h=h).status == leaks.ALARM
                          for j in full_items)
        alarms_short = sum(leaks.monitor(*item_history(null, p, j, horizon), k=k, h=h).status == leaks.ALARM
                           for j in short_items)
        fa[label] = {"items_full_horizon": int(full_items.size), "alarms_full_horizon": int(alarms_full),
                     "rate_full_horizon": alarms_full / full_items.size if full_items.size else None,
                     "ci95_full_horizon": wilson(int(alarms_full), int(full_items.size)),
                     "items_shorter": int(short_items.size), "alarms_shorter": int(alarms_short)}
    doc["false_alarms"] = fa

    # 2. planted leaks
    leaked = np.sort(rng.choice(full_items, size=min(n_leaked, full_items.size), replace=False))
    starts = {int(j): int(np.flatnonzero(~np.isnan(null.responses[:, j]))[leak_at]) for j in leaked}
    doc["leaked_items"] = leaked.tolist()
    doc["scenarios"] = {}
    for name, (kind, size) in SCENARIOS.items():
        data, pl, pf = run(design, thetas, run_seed, leak_probability(bank, kind, size, starts))
        doc["scenarios"][name] = {"kind": kind, "size": size,
                                  "loo": detection(data, pl, leaked, leak_at, horizon, h, k),
                                  "end_of_test": detection(data, pf, leaked, leak_at, horizon, h, k)}
    doc["seconds"] = round(time.perf_counter() - t0, 1)

    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"leaks-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(doc, indent=2))
    print(report(doc))
    print(f"\nwrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.1f} %"


def report(doc) -> str:
    t, r = doc["threshold"], doc["null_residuals"]
    lines = [f"bench/leaks.py seed {doc['seed']}{' (quick)' if doc['quick'] else ''}: {doc['simulees']} simulees, "
             f"{doc['items']} items, mean test length {doc['mean_length']:.1f}, horizon {doc['horizon']} responses, "
             f"leak from response {doc['leak_at']}, k {doc['k']}, alpha {doc['alpha']}, {doc['seconds']} s",
             f"threshold h used {t['h_used']:.2f} ({'shipped DEFAULT_H' if t['shipped_default'] else 'calibrated'}); "
             f"calibrated from this run {t['h_calibrated']:.2f}; Bernoulli-model false-alarm rate at h "
             f"{100 * t['iid_false_alarm_rate_at_h']:.2f} % ({t['n_sim']} paths)",
             f"null run: {r['responses']} responses, p quartiles {r['p_loo_quartiles']}, residual variance "
             f"{r['variance_loo']:.3f} leaving the item out, {r['variance_end_of_test']:.3f} end-of-test", "",
             "False alarms (null run)        items >= horizon   alarms   rate (95 % CI)          shorter items  alarms"]
    for label, f in doc["false_alarms"].items():
        ci = f["ci95_full_horizon"]
        lines.append(f"  {label:<28} {f['items_full_horizon']:>16} {f['alarms_full_horizon']:>8}   "
                     f"{_pct(f['rate_full_horizon']):>7} ({_pct(ci[0])}-{_pct(ci[1])})  "
                     f"{f['items_shorter']:>13} {f['alarms_shorter']:>7}")
    lines += ["", "Planted leaks                  p             detected   rate     before leak   delay q25/median/q75"]
    for name, s in doc["scenarios"].items():
        for label in ("loo", "end_of_test"):
            d = s[label]
            q = "/".join("-" if v is None else f"{v:.0f}" for v in d["delay_q25_median_q75"])
            lines.append(f"  {name:<28} {label:<13} {d['detected']:>3}/{d['items']:<4} {_pct(d['rate']):>7} "
                         f"{d['alarm_before_leak']:>8}        {q}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
