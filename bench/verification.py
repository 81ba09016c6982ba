"""Benchmark: false-alarm rate and power of the verification verdict by simulation.

Simulees with theta ~ N(0, 1) take the production adaptive test unsupervised (the shipped
bank, ``adaptive.APP_SETTINGS``, the stored Sympson-Hetter parameters, through the
functions a candidate's attempt uses), then a supervised verification test of L items
from the items they have not seen (``item_banks.verification``), and get the verdict at
alpha (default 0.05). An "inflated" simulee answers the unsupervised test as a candidate
``inflation`` higher would, and the verification test at their own ability.

For each length L (``--lengths``, default 8 10 12 15 20) and inflation (``--inflations``,
default 0 1.0 1.5): the share flagged "lower_than_expected" (false alarms at inflation 0,
power otherwise) with a 95 % Wilson interval, the mean SEs of the two estimates, the mean
error of the verification estimate, and the inflation that a one-sided z-test at this
mean SE of the difference would detect 80 % of the time
(``(z_alpha + z_0.80) * sqrt(mean se_u^2 + mean se_v^2)``). The same seed per inflation
gives the same simulees and unsupervised tests for every length.

The requirement of issue 17, checked for ``verification.VERIFICATION_LENGTH``: false
alarms <= 5 % and power >= 80 % at inflation 1.0. Exit status 0 when both are met, 1 when
not (the table is printed and the JSON written either way).

Writes ``bench/results/verification-<UTC timestamp>.json`` (``--out``). ``--quick``: 100
simulees per condition, lengths 8 and 12, inflations 0 and 1.0.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from statistics import NormalDist

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from item_banks import adaptive, load_logic_bank  # noqa: E402
from item_banks import verification as ver  # noqa: E402

SEED = 20261206


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """95 % Wilson score interval of a binomial proportion k / n."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--n", type=int, default=None, help="simulees per condition (default 2000)")
    parser.add_argument("--lengths", type=int, nargs="+", default=None)
    parser.add_argument("--inflations", type=float, nargs="+", default=None)
    parser.add_argument("--alpha", type=float, default=ver.DEFAULT_ALPHA)
    parser.add_argument("--quick", action="store_true", help="100 simulees, lengths 8 and 12, inflations 0 and 1")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    n = args.n or (100 if args.quick else 2000)
    lengths = args.lengths or ([8, 12] if args.quick else [8, 10, 12, 15, 20])
    inflations = args.inflations or ([0.0, 1.0] if args.quick else [0.0, 1.0, 1.5])
    if ver.VERIFICATION_LENGTH not in lengths:
        lengths = sorted({*lengths, ver.VERIFICATION_LENGTH})
    if 0.0 not in inflations or 1.0 not in inflations:
        inflations = sorted({*inflations, 0.0, 1.0})

    ab = adaptive.adaptive_bank(load_logic_bank())
    z80 = NormalDist().inv_cdf(1 - args.alpha) + NormalDist().inv_cdf(0.80)
    doc = {"command": " ".join(["bench/verification.py", *(argv if argv is not None else sys.argv[1:])]),
           "started": datetime.now(UTC).isoformat(timespec="seconds"), "seed": args.seed, "n": n,
           "alpha": args.alpha, "python": platform.python_version(), "numpy": np.__version__,
           "bank": {"bank_id": ab.bank.bank_id, "version": ab.bank.version, "n_items": ab.cat_bank.n_items},
           "unsupervised_settings": adaptive._settings_doc(ab.settings),
           "verification_settings": {k: v for k, v in adaptive._settings_doc(ver.VERIFICATION_SETTINGS).items()
                                     if k not in ("min_items", "max_items")},
           "chosen_length": ver.VERIFICATION_LENGTH, "rows": []}
    t0 = time.perf_counter()
    for length in lengths:
        for k, inflation in enumerate(inflations):
            started = time.perf_counter()
            sim = ver.simulate_verification(ab, n, np.random.default_rng([args.seed, k]), inflation=inflation,
                                            length=length, alpha=args.alpha)
            flagged = int(sim.lower.sum())
            se_diff = math.sqrt(np.mean(sim.se_unsupervised**2) + np.mean(sim.se_verification**2))
            doc["rows"].append({
                "length": length, "inflation": inflation, "flagged": flagged,
                "rate": flagged / n, "rate_ci95": wilson(flagged, n),
                "mean_se_unsupervised": float(sim.se_unsupervised.mean()),
                "mean_se_verification": float(sim.se_verification.mean()),
                "se_difference": se_diff,
                "mean_error_verification": float(np.mean(sim.theta_verification - sim.true_theta)),
                "mean_error_unsupervised": float(np.mean(sim.theta_unsupervised - sim.true_theta)),
                "inflation_detected_80pct": z80 * se_diff,
                "seconds": time.perf_counter() - started,
            })
            print(f"L={length} inflation={inflation}: {flagged}/{n} flagged", file=sys.stderr)
    doc["seconds"] = time.perf_counter() - t0

    chosen = {r["inflation"]: r for r in doc["rows"] if r["length"] == ver.VERIFICATION_LENGTH}
    doc["requirements"] = {
        "false_alarms_at_most_5pct": {"value": chosen[0.0]["rate"], "met": chosen[0.0]["rate"] <= 0.05},
        "power_at_inflation_1_at_least_80pct": {"value": chosen[1.0]["rate"], "met": chosen[1.0]["rate"] >= 0.80},
    }
    print(f"verification verdict, alpha {args.alpha} one-sided, {n} simulees per condition, seed {args.seed}; "
          f"bank {ab.bank.bank_id} {ab.bank.version}")
    print(f"{'L':>3} {'infl':>5} {'flagged':>8} {'95% CI':>15} {'SE unsup':>8} {'SE verif':>8} {'SE diff':>7} "
          f"{'err verif':>9} {'80% at':>6}")
    for r in doc["rows"]:
        lo, hi = r["rate_ci95"]
        print(f"{r['length']:>3} {r['inflation']:>5.1f} {r['rate']:>8.1%} {f'{lo:.1%}-{hi:.1%}':>15} "
              f"{r['mean_se_unsupervised']:>8.3f} {r['mean_se_verification']:>8.3f} {r['se_difference']:>7.3f} "
              f"{r['mean_error_verification']:>+9.3f} {r['inflation_detected_80pct']:>6.2f}")
    for name, req in doc["requirements"].items():
        print(f"{'PASS' if req['met'] else 'FAIL'} {name} at L={ver.VERIFICATION_LENGTH}: {req['value']:.1%}")
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = args.out / f"verification-{stamp}.json"
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return 0 if all(r["met"] for r in doc["requirements"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
