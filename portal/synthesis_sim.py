"""Calibration study of the synthesis model (``docs/synthesis.md``, section 6).

Simulates candidates whose true competency levels are known, generates every source
the way the documented model says sources behave (tests with known validity, raters with
known reliability, referees with known leniency), turns them into what the portal stores
(percentiles with 90 % bands rounded as ``norms`` rounds them, whole-number ratings on the
1-5 scale), runs **the same functions the evidence matrix calls** (``scale_score``,
``instrument_evidence``, ``interview_evidence``, ``reference_evidence``, ``assess``) and
compares the probabilities of meeting the target with what happened.

Pure Python + numpy (no Flask, no database). ``bench/synthesis.py`` prints the full run;
the test suite runs it small.

Per simulated competency row:

* the competency is drawn from the shipped library (its scale links and directions, so
  the combinations candidates actually get are simulated: logic alone, logic + facet,
  two facets of one domain, facet + domain, none); the target from {2, 3, 4, 5} with
  probabilities .1/.4/.4/.1;
* true level ``L ~ N(prior_mean, prior_sd)`` of ``truth`` (the model's prior unless a
  sensitivity run says otherwise), ``C = (L - 3) / 1`` on the norm group's z scale;
* test scales: true scores jointly Normal with ``C`` (correlation = the validity times
  ``validity_factor``) and with each other (``synthesis.true_score_correlation``);
  observed score = true score + error with SE 0.28-0.40 (logic), 0.35 (domains), 0.55
  (facets); 10 % of logic tests are cut off by the time limit (SE 0.55 on the answered
  items, stored as incomplete); 8 % of inventory protocols are flagged and carry extra
  error of the same size as the evidence's own (the discount's assumption);
* interview: no interview 10 %, else 1/2/3 interviewers (.3/.5/.2); rating =
  round(L + shared + own), clipped to 1-5, with shared SD 0.5 and own SD 0.53 (0.6 with
  the rounding);
* references: 0/1/2 referees (.3/.4/.3); rating = round(L + 0.5 + shared + own), clipped,
  shared SD 1.0, own SD 0.75 (0.8 with the rounding).

``validity_factor`` < 1 makes the tests less valid than the model assumes (the
sensitivity run: true validity half the assumed one); ``truth`` lets the interviewers and
referees behave otherwise than assumed (other sensitivity runs).
"""
from __future__ import annotations

import math
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from . import synthesis as syn

DEFAULT_SEED = 20261206
DEFAULT_ROWS = 20_000
#: Reliability-diagram bins: predicted probability in [0, .1), [.1, .2), ... [.9, 1].
BINS = 10

TARGETS = (2, 3, 4, 5)
TARGET_P = (0.1, 0.4, 0.4, 0.1)
RATERS_P = {0: 0.1, 1: 0.27, 2: 0.45, 3: 0.18}
REFEREES_P = {0: 0.3, 1: 0.4, 2: 0.3}
LOGIC_SE = (0.28, 0.40)
INCOMPLETE_SE = 0.55
DOMAIN_SE = 0.35
FACET_SE = 0.55
P_INCOMPLETE = 0.10
P_FLAGGED = 0.08
RATING_ROUNDING_VAR = 1.0 / 12.0


@dataclass(frozen=True)
class Link:
    scale: str
    direction: int = 1
    validity: float | None = None


def library_links(library: Mapping) -> list[tuple[Link, ...]]:
    """The scale links of every competency of a library (``portal.competencies``)."""
    return [tuple(Link(s.scale, s.direction, s.validity) for s in c.scales) for c in library.values()]


def _se(scale: str, rng: np.random.Generator) -> float:
    if scale.startswith("logic."):
        return float(rng.uniform(*LOGIC_SE))
    return FACET_SE if scale.count(".") == 2 else DOMAIN_SE


def _stored(y: float, se: float) -> tuple[float, tuple[float, float]]:
    """What the portal stores for a z score with SE: percentile and 90 % band, one decimal,
    clipped to [0.1, 99.9] (``norms.scores.percentile_from_z``)."""
    def pct(z: float) -> float:
        return round(min(max(50.0 * (1.0 + math.erf(z / math.sqrt(2.0))), 0.1), 99.9), 1)
    return pct(y), (pct(y - syn.Z90 * se), pct(y + syn.Z90 * se))


def _ratings(level: float, n: int, shift: float, shared_sd: float, own_sd: float,
             rng: np.random.Generator) -> list[int]:
    shared = rng.normal(0.0, shared_sd)
    raw = level + shift + shared + rng.normal(0.0, own_sd, n)
    return [int(v) for v in np.clip(np.rint(raw), 1, 5)]


def simulate_row(links: Sequence[Link], rng: np.random.Generator, *, params: syn.Params = syn.DEFAULT_PARAMS,
                 validity_factor: float = 1.0, truth: syn.Params | None = None) -> dict:
    """One simulated competency row: the truth, the evidence, the synthesis. Sources are
    generated with ``truth`` (default: ``params``, the model's own assumptions) and the
    tests' validities times ``validity_factor``; the synthesis always uses ``params``."""
    truth = truth or params
    level = truth.prior_mean + truth.prior_sd * float(rng.standard_normal())
    c = (level - syn.LINK_MEAN) / syn.LINK_SD  # on the norm group's z scale
    target = int(rng.choice(TARGETS, p=TARGET_P))
    incomplete = bool(rng.random() < P_INCOMPLETE)
    flagged = bool(rng.random() < P_FLAGGED)
    evidence: list[syn.Evidence] = []
    by_instrument: dict[str, list[Link]] = {}
    for link in links:
        by_instrument.setdefault(syn.instrument_of(link.scale), []).append(link)
    for instrument in syn.INSTRUMENTS:
        group = by_instrument.get(instrument)
        if not group:
            continue
        k = len(group)
        rho = np.array([(l.validity or truth.validity[instrument]) * validity_factor * l.direction for l in group])
        # (C, T_1..T_k) jointly Normal; T | C ~ N(rho C, R - rho rho').
        r = np.array([[syn.true_score_correlation(a.scale, b.scale) * a.direction * b.direction
                       for b in group] for a in group])
        cond = r - np.outer(rho, rho)
        values, vectors = np.linalg.eigh(cond)
        root = vectors * np.sqrt(np.maximum(values, 0.0))
        true = rho * c + root @ rng.standard_normal(k)
        scores = []
        for link, t in zip(group, true):
            se = INCOMPLETE_SE if (instrument == "logic" and incomplete) else _se(link.scale, rng)
            y = t + rng.normal(0.0, se)
            discount = None
            if instrument == "personality" and flagged:
                # Careless responding: extra error as large as the evidence's own.
                v = link.validity or truth.validity[instrument]
                y += rng.normal(0.0, math.sqrt(1.0 - v ** 2 + se ** 2))
                discount = "flagged"
            if instrument == "logic" and incomplete:
                discount = "incomplete"
            percentile, band = _stored(y, se)
            scores.append(syn.scale_score(link.scale, percentile, band, direction=link.direction,
                                          validity=link.validity, discount=discount, params=params))
        evidence.append(syn.instrument_evidence(scores, params))
    n_raters = int(rng.choice(list(RATERS_P), p=list(RATERS_P.values())))
    if n_raters:
        own = math.sqrt(max(truth.rater_sd ** 2 - RATING_ROUNDING_VAR, 0.0))
        evidence.append(syn.interview_evidence(
            _ratings(level, n_raters, 0.0, truth.interview_shared_sd, own, rng), params))
    n_refs = int(rng.choice(list(REFEREES_P), p=list(REFEREES_P.values())))
    if n_refs:
        own = math.sqrt(max(truth.referee_sd ** 2 - RATING_ROUNDING_VAR, 0.0))
        evidence.append(syn.reference_evidence(
            _ratings(level, n_refs, truth.reference_leniency, truth.reference_shared_sd, own, rng), params))
    if not evidence:
        return {"level": level, "target": target, "assessment": None}
    return {"level": level, "target": target, "assessment": syn.assess(evidence, target, params)}


def simulate(links: Sequence[Sequence[Link]], *, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED,
             validity_factor: float = 1.0, params: syn.Params = syn.DEFAULT_PARAMS,
             truth: syn.Params | None = None, progress: bool = False) -> dict:
    """Run ``rows`` simulated competency rows; return the calibration figures (see
    :func:`summarise`). ``truth``: how the sources really behave, when not as the model
    assumes (sensitivity runs)."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    if not (0 < validity_factor <= 1 / max(params.validity.values())):
        raise ValueError(f"validity_factor must be > 0 and keep validities below 1, not {validity_factor!r}")
    if not links:
        raise ValueError("no competencies to simulate")
    rng = np.random.default_rng(seed)
    predicted, met, flags, sources, inside = [], [], [], [], []
    start = time.perf_counter()
    for i in range(rows):
        row = simulate_row(links[int(rng.integers(len(links)))], rng, params=params,
                           validity_factor=validity_factor, truth=truth)
        a = row["assessment"]
        if a is None:
            continue
        predicted.append(a.probability)
        met.append(row["level"] >= row["target"])
        sources.append(len(a.evidence))
        flags.append(a.disagree)
        inside.append(abs(row["level"] - a.level) <= syn.Z90 * a.sd)
        if progress and (i + 1) % max(1, rows // 50) == 0:
            done = (i + 1) / rows
            sys.stderr.write(f"\r  [{'#' * int(done * 30):<30}] {i + 1}/{rows} rows")
    if progress:
        sys.stderr.write("\n")
    out = summarise(np.array(predicted), np.array(met), np.array(flags), np.array(sources), np.array(inside))
    out.update({"rows": rows, "seed": seed, "validity_factor": validity_factor, "model": syn.MODEL_VERSION,
                "params": params.as_dict(), "truth": (truth or params).as_dict(),
                "seconds": round(time.perf_counter() - start, 1)})
    return out


def summarise(predicted: np.ndarray, met: np.ndarray, flags: np.ndarray, sources: np.ndarray,
              inside: np.ndarray) -> dict:
    """Reliability diagram (per bin of predicted probability: rows, mean predicted, share
    met), expected calibration error ``sum(n_b / N |mean_pred_b - share_b|)``, Brier score
    ``mean((p - met)^2)`` and the Brier score of always predicting the base rate, the share
    of rows with two or more sources whose disagreement flag fired, and the coverage of the
    90 % band of the combined level."""
    n = predicted.size
    if n == 0:
        raise ValueError("no rows with evidence")
    edges = np.linspace(0.0, 1.0, BINS + 1)
    index = np.clip(np.digitize(predicted, edges[1:-1]), 0, BINS - 1)
    diagram, ece = [], 0.0
    for b in range(BINS):
        mask = index == b
        count = int(mask.sum())
        if count:
            mean_p, share = float(predicted[mask].mean()), float(met[mask].mean())
            ece += count / n * abs(mean_p - share)
        else:
            mean_p = share = None
        diagram.append({"bin": [round(edges[b], 1), round(edges[b + 1], 1)], "rows": count,
                        "predicted": None if mean_p is None else round(mean_p, 3),
                        "observed": None if share is None else round(share, 3)})
    base = float(met.mean())
    multi = sources >= 2
    return {
        "rows_with_evidence": int(n),
        "base_rate": round(base, 3),
        "ece": round(ece, 4),
        "brier": round(float(np.mean((predicted - met) ** 2)), 4),
        "brier_base_rate": round(base * (1 - base), 4),
        "disagreement_rate": round(float(flags[multi].mean()), 4) if multi.any() else None,
        "band_coverage_90": round(float(inside.mean()), 4),
        "diagram": diagram,
    }


def format_report(result: dict, title: str) -> str:
    lines = [f"### {title}", "",
             f"{result['rows_with_evidence']} rows with evidence (of {result['rows']}), seed {result['seed']}, "
             f"test validity x {result['validity_factor']:g}, model {result['model']}", "",
             "| predicted | rows | mean predicted | share met |", "|---|---:|---:|---:|"]
    for b in result["diagram"]:
        low, high = b["bin"]
        pred = "–" if b["predicted"] is None else f"{b['predicted']:.3f}"
        obs = "–" if b["observed"] is None else f"{b['observed']:.3f}"
        lines.append(f"| {low:.1f}–{high:.1f} | {b['rows']} | {pred} | {obs} |")
    dis = result["disagreement_rate"]
    lines += ["",
              f"- expected calibration error (ECE): {result['ece']:.3f}",
              f"- Brier score: {result['brier']:.3f} (always the base rate {result['base_rate']:.2f}: "
              f"{result['brier_base_rate']:.3f})",
              f"- disagreement flagged on {'–' if dis is None else f'{dis:.1%}'} of rows with two or more sources",
              f"- true level inside the combined level's 90 % band: {result['band_coverage_90']:.1%}",
              ""]
    return "\n".join(lines)
