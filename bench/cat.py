"""Benchmark: our CAT core (item_banks.cat / item_banks.irt) against catsim and mirt.

Runs in its own virtualenv, never in the project's (see bench/README.md, "cat.py")::

    python3 -m venv bench/.venv-cat
    bench/.venv-cat/bin/pip install -r bench/cat_requirements.txt
    bench/.venv-cat/bin/python bench/cat.py

The same simulation for every engine: a bank of 500 3PL items (a ~ U(0.8, 2.0),
b ~ N(0, 1), c = 0.2, logistic metric), 1,000 simulees with theta ~ N(0, 1), fixed length
20, first item chosen at theta = 0. Common random numbers: a uniform matrix U[simulee,
item] is drawn once and a response is correct iff U < P(theta), so an engine that gives a
simulee an item gets the same answer as any other engine that gives it that item.

A CAT step is the selection of one item plus the ability update after its response;
response generation is outside the timer. Scoring throughput: EAP of 10,000 complete
40-item patterns, ours (vectorised) beside mirt's ``fscores`` in the same process.
Writes a JSON file to bench/results/ and prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from item_banks import cat, irt

N_ITEMS, N_SIMULEES, LENGTH = 500, 1000, 20
TYPES = ("deductive", "letter_series", "number_series")


def make_problem(seed: int):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.8, 2.0, N_ITEMS)
    b = rng.normal(size=N_ITEMS)
    c = np.full(N_ITEMS, 0.2)
    types = np.array(TYPES)[rng.integers(3, size=N_ITEMS)]
    thetas = rng.normal(size=N_SIMULEES)
    uniforms = rng.random((N_SIMULEES, N_ITEMS))
    correct = uniforms < irt.p3pl(thetas, a, b, c)  # (N, I): the answer to every item
    return a, b, c, types, thetas, correct


def summarise(name, thetas, est, se, administered, step_s, n_bank, note=""):
    est, se = np.asarray(est, float), np.asarray(se, float)
    counts = np.bincount(np.concatenate(administered), minlength=n_bank)
    exposure = counts / len(administered)
    step_us = np.asarray(step_s) * 1e6
    return {
        "engine": name, "simulees": len(administered), "note": note,
        "rmse": float(np.sqrt(np.mean((est - thetas) ** 2))),
        "bias": float(np.mean(est - thetas)),
        "mean_se": float(np.mean(se)),
        "max_exposure": float(exposure.max()),
        "mean_exposure": float(exposure.mean()),
        "unused_share": float(np.mean(counts == 0)),
        "step_median_us": float(np.median(step_us)),
        "step_p90_us": float(np.percentile(step_us, 90)),
    }


# ----------------------------------------------------------------------------- engines
#
# Each engine runs one simulee at a time (``one(i)`` -> theta, se, items, step times) and
# keeps whatever state it carries across simulees. The main loop interleaves the engines
# simulee by simulee, so a burst of background load hits all of them alike.

CLOCK = time.perf_counter


class Ours:
    def __init__(self, name, bank, settings, seed, correct, note=""):
        self.name, self.bank, self.settings, self.correct, self.note = name, bank, settings, correct, note
        self.children = np.random.default_rng(seed).spawn(len(correct))

    def one(self, i):
        rng, answers, settings = self.children[i], self.correct[i], self.settings
        state = cat.start(self.bank, settings, rng)
        steps = []
        for _ in range(LENGTH):
            t0 = CLOCK()
            item = cat.select_next(state, settings, rng)
            state = cat.update(state, item, 1 if answers[item] else 0)
            steps.append(CLOCK() - t0)
        assert cat.select_next(state, settings, rng) is None
        return state.theta, state.se, state.administered, steps


class Catsim:
    def __init__(self, a, b, c, correct, r_max=None):
        from catsim import irt as cirt
        from catsim.estimation import NumericalSearchEstimator
        from catsim.item_bank import ItemBank
        from catsim.selection import MaxInfoSelector

        self.see = cirt.see
        self.bank = ItemBank(np.column_stack([a, b, c, np.ones_like(a)]))
        self.selector = MaxInfoSelector() if r_max is None else MaxInfoSelector(r_max=r_max)
        self.estimator = NumericalSearchEstimator()  # ML: bounded Brent search, Dodd's rule for 0/1 patterns
        self.r_max, self.correct, self.usage = r_max, correct, np.zeros(len(a))
        self.name = "catsim 0.21 MaxInfo + ML" + ("" if r_max is None else f", r_max = {r_max}")
        self.note = ("ML estimate (bounded Brent search, Dodd's rule for all-0/all-1 patterns); "
                     "SE = 1/sqrt(test information) at the estimate")
        if r_max is not None:
            self.note += "; r_max skips items whose running exposure rate has reached it"

    def one(self, i):
        items, responses, theta, steps = [], [], 0.0, []
        for _ in range(LENGTH):
            t0 = CLOCK()
            item = self.selector.select(item_bank=self.bank, administered_items=items, est_theta=theta)
            t1 = CLOCK()
            items.append(int(item))
            responses.append(bool(self.correct[i, item]))
            t2 = CLOCK()
            theta = self.estimator.estimate(item_bank=self.bank, administered_items=items,
                                            response_vector=responses, est_theta=theta)
            steps.append((t1 - t0) + (CLOCK() - t2))
            if self.r_max is not None:  # what catsim's Simulator does after each item
                self.usage[item] += 1
                self.bank.update_exposure_rate(item, self.usage[item] / len(self.correct))
        return theta, self.see(theta, self.bank.get_items(items)), items, steps


def mirt_model(a, b, c):
    from mirt.models.dichotomous import ThreeParameterLogistic

    model = ThreeParameterLogistic(n_items=len(a))
    model.set_parameters(discrimination=a, difficulty=b, guessing=c)
    # mirt has no public constructor for known parameters; fit_mirt sets this flag itself.
    model._is_fitted = True
    return model


class Mirt:
    def __init__(self, a, b, c, correct, n_quadpts):
        from mirt.cat import CATEngine, MaxItemsStop

        self.engine = CATEngine(mirt_model(a, b, c), item_selection="MFI", stopping_rule=MaxItemsStop(LENGTH),
                                scoring_method="EAP", n_quadpts=n_quadpts, seed=1)
        self.correct = correct
        self.name = "mirt 1.2 CATEngine MFI + EAP"
        self.note = f"CATEngine, one item at a time, MFI, EAP on {n_quadpts} Gauss-Hermite nodes"

    def one(self, i):
        engine = self.engine
        engine.reset()
        t0 = CLOCK()
        state = engine.get_current_state()  # selects the first item
        first = CLOCK() - t0
        steps = []
        while not state.is_complete:
            response = 1 if self.correct[i, state.next_item] else 0
            t0 = CLOCK()
            state = engine.administer_item(response)  # EAP update + selection of the next item
            steps.append(CLOCK() - t0)
        # administer_item k = update k + selection k+1; the last one selects nothing, so it
        # pairs with the first selection: 20 values of one selection + one update each.
        steps[-1] += first
        return state.theta, state.standard_error, state.items_administered, steps


def run_interleaved(engines, indices, results):
    """Simulees ``indices`` through every engine, the engines in rotating order."""
    for i in indices:
        for k in range(len(engines)):
            engine = engines[(i + k) % len(engines)]
            theta, se, items, steps = engine.one(i)
            est, ses, administered, times = results.setdefault(engine.name, ([], [], [], []))
            est.append(theta)
            ses.append(se)
            administered.append(np.asarray(items))
            times.extend(steps)
    return results


# ----------------------------------------------------------------------------- scoring


def scoring_throughput(seed, repeats, n_quadpts):
    rng = np.random.default_rng(seed + 1)
    n, k = 10_000, 40
    a, b, c = rng.uniform(0.8, 2.0, k), rng.normal(size=k), np.full(k, 0.2)
    thetas = rng.normal(size=n)
    responses = (rng.random((n, k)) < irt.p3pl(thetas, a, b, c)).astype(float)

    try:
        from mirt.scoring import fscores
    except ImportError as exc:  # reported, not hidden
        fscores, error = None, str(exc)
    model = mirt_model(a, b, c) if fscores else None
    jobs = {"ours": lambda: irt.eap(responses, a, b, c)}
    if fscores:
        jobs["mirt"] = lambda: fscores(model, responses, method="EAP", n_quadpts=n_quadpts)
    times = {name: [] for name in jobs}
    outputs = {}
    for _ in range(repeats):  # alternate, so that background load hits both
        for name, job in jobs.items():
            t0 = time.perf_counter()
            outputs[name] = job()
            times[name].append(time.perf_counter() - t0)
    ours = outputs["ours"][0]
    ours_best, ours_median = min(times["ours"]), float(np.median(times["ours"]))
    out = {"patterns": n, "items": k, "repeats": repeats,
           "ours_best_s": ours_best, "ours_median_s": ours_median,
           "ours_rmse_vs_true": float(np.sqrt(np.mean((ours - thetas) ** 2)))}
    if not fscores:
        out["mirt_error"] = error
        return out
    result, mirt_best, mirt_median = outputs["mirt"], min(times["mirt"]), float(np.median(times["mirt"]))
    theirs = np.asarray(result.theta).ravel()
    out.update({"mirt_best_s": mirt_best, "mirt_median_s": mirt_median,
                "mirt_n_quadpts": n_quadpts,
                "max_abs_diff_theta": float(np.max(np.abs(theirs - ours))),
                "ratio_mirt_over_ours": mirt_best / ours_best})
    return out


# ----------------------------------------------------------------------------- report


def fmt_table(rows, ours_median):
    head = ("| engine | simulees | RMSE | bias | mean SE | max exposure | mean exposure | unused "
            "| step p50 µs | step p90 µs | p50 / ours MFI p50 |")
    lines = [head, "|" + "---|" * 11]
    for r in rows:
        lines.append(
            f"| {r['engine']} | {r['simulees']} | {r['rmse']:.3f} | {r['bias']:+.3f} | {r['mean_se']:.3f} "
            f"| {r['max_exposure']:.3f} | {r['mean_exposure']:.3f} | {r['unused_share']:.1%} "
            f"| {r['step_median_us']:.1f} | {r['step_p90_us']:.1f} | {r['step_median_us'] / ours_median:.1f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--peer-simulees", type=int, default=N_SIMULEES,
                        help="run catsim and mirt on the first N simulees only (default: all)")
    parser.add_argument("--quadpts", type=int, default=61, help="quadrature nodes for mirt (ours: 61)")
    parser.add_argument("--repeats", type=int, default=5, help="repeats of the scoring timing")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args(argv)

    started = time.perf_counter()
    a, b, c, types, thetas, correct = make_problem(args.seed)
    goals, errors = {}, {}

    fixed = cat.CatSettings(se_target=0.0, min_items=LENGTH, max_items=LENGTH, exposure="none",
                            content_balance=False)
    single = cat.CatBank(a, b, c, np.zeros(N_ITEMS, dtype=int))
    typed = cat.CatBank(a, b, c, types)
    sh = replace(fixed, exposure="sympson_hetter")
    sh_cb = replace(sh, content_balance=True)
    # Offline step: Sympson-Hetter parameters, calibrated on simulees of their own.
    t0 = time.perf_counter()
    calibration = cat.calibrate_exposure(single, sh, np.random.default_rng(args.seed + 7))
    calib_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    calibration_cb = cat.calibrate_exposure(typed, sh_cb, np.random.default_rng(args.seed + 8))
    calib_cb_s = time.perf_counter() - t0

    engines = [
        Ours("ours, max information", single, fixed, args.seed, correct),
        Ours("ours, Sympson-Hetter (target 0.25)", calibration.bank, sh, args.seed, correct,
             note=f"k calibrated offline on 2,000 other simulees, 10 iterations: {calib_s:.1f} s"),
        Ours("ours, Sympson-Hetter + content balancing (3 types)", calibration_cb.bank, sh_cb, args.seed,
             correct, note=f"item types drawn at random; k calibrated the same way: {calib_cb_s:.1f} s"),
        Ours("ours, randomesque k = 5", single, replace(fixed, exposure="randomesque"), args.seed, correct),
    ]
    n_peer = min(args.peer_simulees, N_SIMULEES)
    peer_correct = correct[:n_peer]
    peers = []
    for label, make in (("catsim", lambda: Catsim(a, b, c, peer_correct)),
                        ("catsim r_max", lambda: Catsim(a, b, c, peer_correct, r_max=0.25)),
                        ("mirt", lambda: Mirt(a, b, c, peer_correct, args.quadpts))):
        try:
            peers.append(make())
        except ImportError as exc:
            errors[label] = f"not installed: {exc}"
    # Ours and the peers side by side on the peers' simulees, then ours alone on the rest.
    results = run_interleaved(engines + peers, range(n_peer), {})
    run_interleaved(engines, range(n_peer, N_SIMULEES), results)
    rows = []
    for e in engines + peers:
        est, se, administered, steps = results[e.name]
        rows.append(summarise(e.name, thetas[:len(est)], est, se, administered, steps, N_ITEMS, e.note))
    agreement = {}
    mirt_name, ours_name = "mirt 1.2 CATEngine MFI + EAP", engines[0].name
    if mirt_name in results:
        # Same rule (max information, EAP with a N(0, 1) prior): the two should agree.
        ours_res, mirt_res = results[ours_name], results[mirt_name]
        n = len(mirt_res[0])
        same = [np.array_equal(ours_res[2][i], mirt_res[2][i]) for i in range(n)]
        agreement = {"simulees": n, "same_items_share": float(np.mean(same)),
                     "max_abs_theta_diff": float(np.max(np.abs(np.subtract(ours_res[0][:n], mirt_res[0]))))}
    scoring = scoring_throughput(args.seed, args.repeats, args.quadpts)

    ours = rows[0]
    goals["mfi_rmse <= 0.33"] = ours["rmse"] <= 0.33
    goals["mfi_|bias| <= 0.02"] = abs(ours["bias"]) <= 0.02
    goals["sh_max_exposure <= 0.25"] = rows[1]["max_exposure"] <= 0.25
    goals["sh_rmse <= 0.34"] = rows[1]["rmse"] <= 0.34
    for r in rows[len(engines):]:
        if "r_max" not in r["engine"]:
            goals[f"step 30x faster than {r['engine']}"] = r["step_median_us"] >= 30 * ours["step_median_us"]
    if "mirt_best_s" in scoring:
        goals["scoring faster than mirt"] = scoring["ours_best_s"] < scoring["mirt_best_s"]

    total_s = time.perf_counter() - started
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": {"python": platform.python_version(), "numpy": np.__version__, "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "setup": {"items": N_ITEMS, "simulees": N_SIMULEES, "peer_simulees": n_peer, "length": LENGTH,
                  "seed": args.seed},
        "engines": rows, "scoring": scoring, "goals": goals, "errors": errors,
        "ours_vs_mirt": agreement,
        "calibration_max_exposure": list(calibration.max_exposure), "total_s": total_s,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"cat-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2))

    print(fmt_table(rows, ours["step_median_us"]))
    print()
    for r in rows:
        if r["note"]:
            print(f"- {r['engine']}: {r['note']}")
    print()
    if agreement:
        print(f"Ours (max information) and mirt gave the same {LENGTH} items to "
              f"{agreement['same_items_share']:.1%} of {agreement['simulees']} simulees; largest "
              f"difference in final EAP {agreement['max_abs_theta_diff']:.4f}")
    if "mirt_best_s" in scoring:
        print(f"Scoring {scoring['patterns']:,} x {scoring['items']}-item patterns (EAP), best of "
              f"{scoring['repeats']}: ours {scoring['ours_best_s'] * 1e3:.1f} ms, mirt fscores "
              f"{scoring['mirt_best_s'] * 1e3:.1f} ms ({scoring['ratio_mirt_over_ours']:.1f}x); "
              f"max |difference| {scoring['max_abs_diff_theta']:.4f}")
    else:
        print(f"Scoring: ours {scoring['ours_best_s'] * 1e3:.1f} ms; mirt: {scoring.get('mirt_error')}")
    for label, err in errors.items():
        print(f"{label}: {err}")
    print()
    for goal, ok in goals.items():
        print(f"{'PASS' if ok else 'FAIL'}  {goal}")
    print(f"\n{total_s:.0f} s; JSON: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0 if all(goals.values()) and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
