"""Benchmark: item calibration, item fit and DIF on simulated adaptive data from the shipped bank.

Runs in its own virtualenv beside girth, never in the project's (``make bench-calibration``;
bench/README.md, "calibration.py"); without girth it runs our part and says so.

Data. Simulees with theta ~ N(0, 1) take the production adaptive test
(``item_banks.adaptive``: the shipped bank's 520 operational items, ``APP_SETTINGS``,
the stored Sympson-Hetter parameters) through the functions a candidate's attempt uses
(``item_banks.calibration_sim.adaptive_responses``), answering under the 3PL with the
bank's own parameters. The number of simulees is chosen so that the *mean* number of
responses per item is N = 500, 1,000 or 2,000 (``--n``); exposure is uneven in a CAT, so
some items get far fewer (their count is reported, and items under ``--min-n`` are not
estimated). The three samples are nested (the first simulees of one run).

Tables:

1. **Recovery, 3PL data (production case).** Our estimator (``item_banks.calibration``,
   c fixed at the bank's 1/options, a and b free, starting from a = 1, b = 0 for every
   item, priors log a ~ N(0, 0.5^2), b ~ N(0, 3^2)): RMSE and bias of a and b over the
   estimated items, mean reported SE against the empirical RMSE, EM cycles and seconds;
   again with every fifth item as an anchor (fixed-parameter calibration, latent mean and
   SD estimated).
2. **Recovery, 2PL data, beside girth.** The same design with c = 0 for every item (data,
   selection and exposure parameters otherwise as in production), estimated by our
   estimator (``model="2PL"``) and by girth 0.8's ``twopl_mml`` (Bock-Aitkin MML of the
   2PL through its graded-response code, which skips missing responses), on the same
   data; both fix the latent distribution at N(0, 1). This is the like-for-like
   comparison: girth's ``threepl_mml`` cannot be used on these data. It replaces each
   item's b by the value that matches its proportion correct under N(0, 1) (wrong for
   adaptive data, where everyone meets items near their ability) and builds an items x
   persons x nodes array (about 1.5 GB at N = 500 for this bank).
   A third set of runs gives both estimators data where girth's assumption holds: the same
   2PL items, each simulee answering ``round(mean test length)`` items drawn **at random**
   (missing completely at random; how pretest items are placed), the same N per item.
3. **Item fit.** Share of items flagged by ``item_banks.fit`` (alpha = .05) on the model
   data of table 1 (false alarms; nominal 5 %), and on a run at ``--fit-n`` in which
   ``--miskeyed`` items are miskeyed (their true curve mirrored at b): false alarms among
   the other items and the share of miskeyed items flagged (power).
4. **DIF.** ``--dif-n`` responses per item on average, half the simulees in a focal group
   0.3 SD less able (impact, not DIF), ``--dif-items`` items with a planted MH D-DIF of
   -2.0 (b-shift from ``shift_for_delta`` over the items' takers in a run without DIF);
   share of unbiased items classified A/B/C and of planted items classified C, mean
   D-DIF of the planted items.

Writes ``bench/results/calibration-<UTC timestamp>.json`` (``--out``), prints tables.
``--quick``: a sub-bank of 10 items per type in 20-item tests and N = 300, for a smoke run.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from item_banks import adaptive, calibration, calibration_sim as sim, cat, dif, fit, irt, load_logic_bank  # noqa: E402

SEED = 20261206
CLOCK = time.perf_counter


def rmse(x, y) -> float:
    return float(np.sqrt(np.mean((np.asarray(x) - np.asarray(y)) ** 2)))


def recovery(true_a, true_b, est_a, est_b, items, se_a=None, se_b=None) -> dict:
    out = {"items": int(items.sum()),
           "rmse_a": rmse(est_a[items], true_a[items]), "bias_a": float(np.mean(est_a[items] - true_a[items])),
           "rmse_b": rmse(est_b[items], true_b[items]), "bias_b": float(np.mean(est_b[items] - true_b[items])),
           "corr_b": float(np.corrcoef(est_b[items], true_b[items])[0, 1])}
    if se_a is not None:
        out["mean_se_a"] = float(np.nanmean(se_a[items]))
        out["mean_se_b"] = float(np.nanmean(se_b[items]))
    return out


def the_design(quick: bool, c_zero: bool = False):
    ab = adaptive.adaptive_bank(load_logic_bank())
    bank = ab.cat_bank
    if quick:
        settings = replace(adaptive.APP_SETTINGS, exposure="randomesque", max_items=20, min_items=20)
        d = sim.sub_design(bank, sim.stratified_subset(bank, 10), settings)
        bank, settings = d.cat_bank, d.settings
        exposure_k = None
    else:
        settings, exposure_k = ab.settings, bank.exposure_k
    c = np.zeros(bank.n_items) if c_zero else bank.c
    cb = cat.CatBank(bank.a, bank.b, c, bank.types, exposure_k=exposure_k, families=bank.families)
    return sim.design(cb, settings)


def simulate(design, n_simulees: int, seed: int, probability=None, thetas=None):
    rng = np.random.default_rng(seed)
    if thetas is None:
        thetas = rng.standard_normal(n_simulees)
    t0 = CLOCK()
    data = sim.adaptive_responses(design, thetas, rng, probability=probability)
    return data, CLOCK() - t0


def ours(responses, bank, *, min_n, model="3PL", anchors=None):
    start_a = np.where(anchors, bank.a, 1.0) if anchors is not None else np.ones(bank.n_items)
    start_b = np.where(anchors, bank.b, 0.0) if anchors is not None else np.zeros(bank.n_items)
    t0 = CLOCK()
    res = calibration.calibrate(responses, start_a, start_b, bank.c, min_n=min_n, model=model, anchors=anchors)
    return res, CLOCK() - t0


def girth_2pl(responses, items):
    """girth's 2PL MML on the items ``items`` (persons with no response to them dropped)."""
    from girth import twopl_mml
    from girth.utilities import INVALID_RESPONSE

    x = responses[:, items]
    x = x[(~np.isnan(x)).any(axis=1)]
    data = np.where(np.isnan(x), INVALID_RESPONSE, x).astype(int).T  # items x persons
    t0 = CLOCK()
    out = twopl_mml(data)
    return np.asarray(out["Discrimination"]), np.asarray(out["Difficulty"]).ravel(), CLOCK() - t0


def random_design(bank, n_simulees: int, length: int, seed: int) -> np.ndarray:
    """Responses (P, I) of simulees who each answer ``length`` random items (MCAR) under the
    bank's parameters."""
    rng = np.random.default_rng(seed)
    thetas = rng.standard_normal(n_simulees)
    out = np.full((n_simulees, bank.n_items), np.nan)
    for p in range(n_simulees):
        items = rng.choice(bank.n_items, size=length, replace=False)
        prob = irt.p3pl(thetas[p], bank.a[items], bank.b[items], bank.c[items])
        out[p, items] = (rng.random(length) < prob).astype(float)
    return out


def fit_rates(data, res, seed, bad=()):
    f = fit.item_fit(data.responses, res.a, res.b, res.c, rng=np.random.default_rng(seed),
                     items=res.status != "insufficient_data", population=(res.population_mean, res.population_sd))
    assessed = ~np.isnan(f.infit)
    bad_mask = np.zeros(assessed.size, dtype=bool)
    bad_mask[list(bad)] = True
    good = assessed & ~bad_mask & res.estimated
    return {"assessed": int(good.sum()), "false_alarm_rate": float(f.flagged[good].mean()),
            "p_below_alpha_theoretical_null": float(np.mean(2 * fit._normal_sf(np.abs(f.infit_t[good])) < f.alpha)),
            "null_median": f.null_median, "null_scale": f.null_scale,
            "miskeyed": int((bad_mask & assessed).sum()),
            "power": float(f.flagged[bad_mask & assessed].mean()) if (bad_mask & assessed).any() else None}


def dif_study(design, n_per_item: int, n_planted: int, mean_length: float, seed: int) -> dict:
    bank = design.cat_bank
    n = sim.simulees_for(n_per_item, bank.n_items, mean_length)
    rng = np.random.default_rng(seed)
    group = np.where(np.arange(n) % 2 == 0, "reference", "focal")
    thetas = rng.standard_normal(n) - 0.3 * (group == "focal")
    pilot, t_pilot = simulate(design, n, seed + 1, thetas=thetas)
    # planted items: spread over the bank, among the items most candidates meet
    counts = pilot.n_per_item
    candidates = np.flatnonzero(counts >= np.quantile(counts, 0.5))
    planted = candidates[np.linspace(0, candidates.size - 1, n_planted).round().astype(int)]
    shifts = {int(j): sim.shift_for_delta(bank.a[j], bank.b[j], bank.c[j], -2.0,
                                          thetas=thetas[~np.isnan(pilot.responses[:, j])]) for j in planted}
    true_b_focal = bank.b.copy()
    for j, s in shifts.items():
        true_b_focal[j] += s

    def probability(p, theta):
        b = true_b_focal if group[p] == "focal" else bank.b
        return irt.p3pl(theta, bank.a, b, bank.c)

    data, t_run = simulate(design, n, seed + 1, probability=probability, thetas=thetas)
    matching = dif.matching_theta(data.responses, bank.a, bank.b, bank.c)
    t0 = CLOCK()
    results = dif.item_dif(data.responses, group, matching, reference="reference", focal="focal")
    seconds = CLOCK() - t0
    is_planted = np.zeros(bank.n_items, dtype=bool)
    is_planted[planted] = True
    unbiased = [r for r in results if not is_planted[r.index] and r.status == "classified"]
    planted_r = [r for r in results if is_planted[r.index] and r.status == "classified"]
    share = {k: float(np.mean([r.category == k for r in unbiased])) for k in dif.CATEGORIES}
    return {
        "simulees": int(n), "mean_n_per_item": float(data.n_per_item.mean()),
        "classified_unbiased": len(unbiased),
        "insufficient": int(sum(r.status != "classified" for r in results)),
        "unbiased_share": share,
        "planted": int(n_planted), "planted_classified": len(planted_r),
        "planted_share_c": float(np.mean([r.category == "C" for r in planted_r])) if planted_r else None,
        "planted_mean_delta": float(np.mean([r.mh.delta for r in planted_r])) if planted_r else None,
        "planted_mean_se": float(np.mean([r.mh.se_delta for r in planted_r])) if planted_r else None,
        "unbiased_mean_delta": float(np.mean([r.mh.delta for r in unbiased])),
        "seconds_simulation": t_pilot + t_run, "seconds_dif": seconds,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--quick", action="store_true", help="sub-bank of 40 items, 20-item tests, N = 300")
    parser.add_argument("--n", type=int, nargs="+", default=None, help="mean responses per item (default 500 1000 2000)")
    parser.add_argument("--min-n", type=int, default=calibration.DEFAULT_MIN_N)
    parser.add_argument("--fit-n", type=int, default=None, help="N of the miskeyed-items run (default 1000)")
    parser.add_argument("--miskeyed", type=int, default=10)
    parser.add_argument("--dif-n", type=int, default=None, help="N of the DIF study (default 1000)")
    parser.add_argument("--dif-items", type=int, default=10)
    parser.add_argument("--no-girth", action="store_true", help="skip girth even if installed")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    quick = args.quick
    ns = args.n or ([300] if quick else [500, 1000, 2000])
    min_n = min(args.min_n, 100) if quick else args.min_n
    fit_n = args.fit_n or (300 if quick else 1000)
    dif_n = args.dif_n or (300 if quick else 1000)
    n_miskeyed = min(args.miskeyed, 4) if quick else args.miskeyed
    n_dif_items = min(args.dif_items, 4) if quick else args.dif_items

    doc = {"command": " ".join(["bench/calibration.py", *(argv if argv is not None else sys.argv[1:])]),
           "started": datetime.now(UTC).isoformat(timespec="seconds"), "seed": args.seed, "quick": quick,
           "python": platform.python_version(), "numpy": np.__version__, "min_n": min_n,
           "errors": {}, "recovery_3pl": [], "recovery_2pl": [], "recovery_2pl_random": [], "fit": {},
           "dif": None}
    girth_version = None
    if not args.no_girth:
        try:
            girth_version = metadata.version("girth")
            import girth  # noqa: F401
        except Exception as exc:  # noqa: BLE001 - reported, not fatal
            girth_version = None
            doc["errors"]["girth"] = f"girth not installed ({exc.__class__.__name__}); make bench-calibration installs it"
    doc["girth"] = girth_version

    design = the_design(quick)
    bank = design.cat_bank
    doc["bank"] = {"n_items": int(bank.n_items), "settings": adaptive._settings_doc(design.settings),
                   "exposure": design.settings.exposure}
    # A pilot for the mean test length, then one run with enough simulees for the largest N.
    pilot, _ = simulate(design, 100 if quick else 300, args.seed + 99)
    mean_length = float(pilot.lengths.mean())
    doc["mean_test_length"] = mean_length
    n_max = sim.simulees_for(max(ns), bank.n_items, mean_length)
    print(f"simulating {n_max} simulees through the adaptive test ({bank.n_items} items, mean length "
          f"{mean_length:.1f}) ...", file=sys.stderr)
    data3, t3 = simulate(design, n_max, args.seed)
    doc["seconds_simulation_3pl"] = t3
    anchors = np.arange(bank.n_items) % 5 == 0
    for n_item in ns:
        k = sim.simulees_for(n_item, bank.n_items, mean_length)
        resp = data3.responses[:k]
        res, secs = ours(resp, bank, min_n=min_n)
        est = res.estimated
        row = {"n_per_item": n_item, "simulees": k, "responses_per_item": _spread(res.n),
               "not_estimated": int((~est).sum()),
               "ours": {**recovery(bank.a, bank.b, res.a, res.b, est, res.se_a, res.se_b),
                        "iterations": res.iterations, "converged": res.converged, "seconds": secs}}
        res_anchor, secs_anchor = ours(resp, bank, min_n=min_n, anchors=anchors)
        est_anchor = res_anchor.estimated
        row["ours_anchored"] = {**recovery(bank.a, bank.b, res_anchor.a, res_anchor.b, est_anchor,
                                           res_anchor.se_a, res_anchor.se_b),
                                "anchors": int(anchors.sum()), "population_mean": res_anchor.population_mean,
                                "population_sd": res_anchor.population_sd, "iterations": res_anchor.iterations,
                                "seconds": secs_anchor}
        row["fit_model_data"] = fit_rates(SimpleData(resp), res, args.seed + n_item)
        doc["recovery_3pl"].append(row)
        print(f"3PL N={n_item}: ours RMSE a {row['ours']['rmse_a']:.3f} b {row['ours']['rmse_b']:.3f} "
              f"({secs:.0f} s)", file=sys.stderr)

    # 2PL data for the comparison with girth.
    design2 = the_design(quick, c_zero=True)
    data2, t2 = simulate(design2, n_max, args.seed + 1)
    doc["seconds_simulation_2pl"] = t2

    def compare_2pl(resp, n_item: int, k: int, error_key: str) -> dict:
        """Our 2PL MML and girth's on the same responses: recovery of a and b of each."""
        res, secs = ours(resp, design2.cat_bank, min_n=min_n, model="2PL")
        est = res.estimated
        row = {"n_per_item": n_item, "simulees": k, "items": int(est.sum()),
               "ours": {**recovery(bank.a, bank.b, res.a, res.b, est, res.se_a, res.se_b),
                        "iterations": res.iterations, "seconds": secs}}
        if girth_version:
            try:
                ga, gb, gsecs = girth_2pl(resp, est)
                full_a, full_b = np.full(bank.n_items, np.nan), np.full(bank.n_items, np.nan)
                full_a[est], full_b[est] = ga, gb
                row["girth"] = {**recovery(bank.a, bank.b, full_a, full_b, est), "seconds": gsecs}
            except Exception as exc:  # noqa: BLE001 - a peer's failure is reported, not fatal
                doc["errors"][error_key] = f"{exc.__class__.__name__}: {exc}"
        return row

    for n_item in ns:
        k = sim.simulees_for(n_item, bank.n_items, mean_length)
        resp = data2.responses[:k]
        row = compare_2pl(resp, n_item, k, f"girth_2pl_{n_item}")
        doc["recovery_2pl"].append(row)
        print(f"2PL N={n_item}: ours RMSE a {row['ours']['rmse_a']:.3f} b {row['ours']['rmse_b']:.3f}"
              + (f"; girth a {row['girth']['rmse_a']:.3f} b {row['girth']['rmse_b']:.3f}" if "girth" in row else ""),
              file=sys.stderr)

    # 2PL data, random (MCAR) item assignment: where girth's difficulty step is valid.
    data_r = random_design(design2.cat_bank, n_max, round(mean_length), args.seed + 5)
    for n_item in ns:
        k = sim.simulees_for(n_item, bank.n_items, round(mean_length))
        resp = data_r[:k]
        row = compare_2pl(resp, n_item, k, f"girth_2pl_random_{n_item}")
        doc["recovery_2pl_random"].append(row)
        print(f"2PL random N={n_item}: ours RMSE a {row['ours']['rmse_a']:.3f} b {row['ours']['rmse_b']:.3f}"
              + (f"; girth a {row['girth']['rmse_a']:.3f} b {row['girth']['rmse_b']:.3f}" if "girth" in row else ""),
              file=sys.stderr)

    # Fit: power against miskeyed items.
    counts = data3.n_per_item
    often = np.flatnonzero(counts >= np.quantile(counts, 0.5))
    miskeyed = often[np.linspace(0, often.size - 1, n_miskeyed).round().astype(int)]

    def miskeyed_probability(_p, theta):
        p = irt.p3pl(theta, bank.a, bank.b, bank.c)
        a, b, c = bank.a[miskeyed], bank.b[miskeyed], bank.c[miskeyed]
        p[miskeyed] = c + (1 - c) / (1 + np.exp(-a * (b - theta)))  # the curve mirrored at b
        return p

    k = sim.simulees_for(fit_n, bank.n_items, mean_length)
    data_bad, _ = simulate(design, k, args.seed + 2, probability=miskeyed_probability)
    res_bad, _ = ours(data_bad.responses, bank, min_n=min_n)
    doc["fit"] = {"n_per_item": fit_n, "simulees": k, **fit_rates(data_bad, res_bad, args.seed + 3, miskeyed)}

    doc["dif"] = {"n_per_item": dif_n, **dif_study(design, dif_n, n_dif_items, mean_length, args.seed + 4)}
    doc["finished"] = datetime.now(UTC).isoformat(timespec="seconds")

    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"calibration-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(report(doc))
    print(f"\nwrote {path}")
    return 0


class SimpleData:
    """A response matrix in the shape ``fit_rates`` expects."""

    def __init__(self, responses):
        self.responses = responses


def _spread(n) -> dict:
    return {"min": int(n.min()), "p10": float(np.percentile(n, 10)), "median": float(np.median(n)),
            "mean": float(n.mean()), "max": int(n.max())}


def report(doc: dict) -> str:
    lines = [f"bench/calibration.py seed {doc['seed']}{' (quick)' if doc['quick'] else ''}: "
             f"{doc['bank']['n_items']} items, exposure {doc['bank']['exposure']}, mean test length "
             f"{doc['mean_test_length']:.1f}; min_n {doc['min_n']}; girth {doc['girth'] or 'not installed'}", "",
             "Recovery on 3PL data (c fixed at the bank's 1/options; start a = 1, b = 0)", "",
             "| N per item | simulees | responses per item (min / p10 / median / max) | not estimated | "
             "RMSE a | bias a | mean SE a | RMSE b | bias b | mean SE b | EM cycles | s | anchored: RMSE a | RMSE b | "
             "latent mean / SD |",
             "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in doc["recovery_3pl"]:
        o, an, sp = r["ours"], r["ours_anchored"], r["responses_per_item"]
        lines.append(f"| {r['n_per_item']:,} | {r['simulees']:,} | {sp['min']} / {sp['p10']:.0f} / {sp['median']:.0f} / "
                     f"{sp['max']} | {r['not_estimated']} | {o['rmse_a']:.3f} | {o['bias_a']:+.3f} | "
                     f"{o['mean_se_a']:.3f} | {o['rmse_b']:.3f} | {o['bias_b']:+.3f} | {o['mean_se_b']:.3f} | "
                     f"{o['iterations']} | {o['seconds']:.0f} | {an['rmse_a']:.3f} | {an['rmse_b']:.3f} | "
                     f"{an['population_mean']:+.3f} / {an['population_sd']:.3f} |")
    lines += ["", "Recovery on 2PL data (c = 0), the same data for both estimators", "",
              "| design | N per item | items | ours RMSE a | ours RMSE b | ours s | girth RMSE a | girth RMSE b | "
              "girth s |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for design_name, rows in (("adaptive", doc["recovery_2pl"]), ("random items", doc["recovery_2pl_random"])):
        for r in rows:
            o, g = r["ours"], r.get("girth")
            peer = (f"{g['rmse_a']:.3f} | {g['rmse_b']:.3f} | {g['seconds']:.0f}" if g else "n/a | n/a | n/a")
            lines.append(f"| {design_name} | {r['n_per_item']:,} | {r['items']} | {o['rmse_a']:.3f} | "
                         f"{o['rmse_b']:.3f} | {o['seconds']:.0f} | {peer} |")
    lines += ["", "Item fit (infit with plausible values, empirical null, alpha = .05)", "",
              "| data | items assessed | flagged (false alarms) | p < .05 on the theoretical null | miskeyed flagged |",
              "|---|---:|---:|---:|---:|"]
    for r in doc["recovery_3pl"]:
        f = r["fit_model_data"]
        lines.append(f"| model data, N = {r['n_per_item']:,} | {f['assessed']} | {f['false_alarm_rate']:.1%} | "
                     f"{f['p_below_alpha_theoretical_null']:.1%} | |")
    f = doc["fit"]
    lines.append(f"| {f['miskeyed']} miskeyed items, N = {f['n_per_item']:,} | {f['assessed']} | "
                 f"{f['false_alarm_rate']:.1%} | {f['p_below_alpha_theoretical_null']:.1%} | "
                 f"{f['power']:.0%} |" if f["power"] is not None else "| (no miskeyed item assessed) |")
    d = doc["dif"]
    s = d["unbiased_share"]
    lines += ["", f"DIF (MH on EAP strata; N = {d['n_per_item']:,} per item on average, {d['simulees']:,} simulees, "
              f"focal group 0.3 SD less able)", "",
              "| items | classified | A | B | C | mean D-DIF (SE) |", "|---|---:|---:|---:|---:|---|",
              f"| unbiased | {d['classified_unbiased']} | {s['A']:.1%} | {s['B']:.1%} | {s['C']:.1%} | "
              f"{d['unbiased_mean_delta']:+.3f} |",
              f"| planted D-DIF = -2.0 | {d['planted_classified']} of {d['planted']} | | | "
              f"{_pct(d['planted_share_c'])} | {_num(d['planted_mean_delta'])} ({_num(d['planted_mean_se'])}) |",
              f"({d['insufficient']} items with fewer than 100 candidates in a group: not classified)"]
    if doc["errors"]:
        lines += ["", "errors: " + "; ".join(f"{k}: {v}" for k, v in doc["errors"].items())]
    return "\n".join(lines)


def _pct(x) -> str:
    return "n/a" if x is None else f"{x:.0%}"


def _num(x) -> str:
    return "n/a" if x is None else f"{x:+.2f}"


if __name__ == "__main__":
    sys.exit(main())
