"""The synthesis's calibration study, run small (the full run is bench/synthesis.py)."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from portal import synthesis as syn
from portal import synthesis_sim as sim
from portal.competencies import load_library

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def links():
    return sim.library_links(load_library())


@pytest.fixture(scope="module")
def model_run(links):
    return sim.simulate(links, rows=3000, seed=11)


def test_probabilities_are_calibrated_under_the_model(model_run):
    """Of rows given about p, about p meet the target (loosely at this N: the full run's
    ECE is in docs/synthesis.md)."""
    assert model_run["rows_with_evidence"] > 2900
    assert model_run["ece"] <= 0.05
    assert model_run["brier"] < 0.6 * model_run["brier_base_rate"]  # far better than the base rate
    for b in model_run["diagram"]:
        if b["rows"] >= 150:
            assert abs(b["predicted"] - b["observed"]) < 0.1, b
    assert 0.85 <= model_run["band_coverage_90"] <= 0.94


def test_disagreement_is_rare_when_sources_are_coherent(model_run):
    assert 0.0 < model_run["disagreement_rate"] <= 0.10


def test_the_study_detects_a_wrong_assumption(links):
    """When finalists are stronger than the prior says, the probabilities are too low
    and the study shows it: the check can fail."""
    off = sim.simulate(links, rows=3000, seed=11, truth=replace(syn.DEFAULT_PARAMS, prior_mean=3.5))
    assert off["ece"] > 0.04
    low_bins = [b for b in off["diagram"] if b["rows"] >= 150 and b["predicted"] < 0.5]
    assert all(b["observed"] > b["predicted"] for b in low_bins)


def test_summary_known_values():
    predicted = np.array([0.05, 0.05, 0.95, 0.95])
    met = np.array([False, True, True, True])
    out = sim.summarise(predicted, met, np.array([False, True, False, False]), np.array([2, 2, 1, 3]),
                        np.array([True, True, True, False]))
    # ECE: bin 0: |0.05 - 0.5| x 2/4; bin 9: |0.95 - 1| x 2/4
    assert out["ece"] == pytest.approx(0.5 * 0.45 + 0.5 * 0.05)
    assert out["brier"] == pytest.approx((0.05 ** 2 + 0.95 ** 2 + 2 * 0.05 ** 2) / 4)
    assert out["disagreement_rate"] == pytest.approx(1 / 3, abs=1e-4) and out["band_coverage_90"] == 0.75


def test_bad_arguments(links):
    with pytest.raises(ValueError):
        sim.simulate(links, rows=0)
    with pytest.raises(ValueError):
        sim.simulate(links, rows=10, validity_factor=0)
    with pytest.raises(ValueError):
        sim.simulate([], rows=10)


def test_bench_script_runs_and_reports_every_run():
    out = subprocess.run([sys.executable, "bench/synthesis.py", "--rows", "300", "--seed", "3", "--json",
                          "--no-save"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    report = json.loads(out.stdout)
    assert set(report["runs"]) == {"model", "validity_half", "raters_noisier", "lenient_referees",
                                   "strong_finalists"}
    assert report["runs"]["validity_half"]["validity_factor"] == 0.5
    assert out.returncode == (0 if all(g["met"] for g in report["goals"].values()) else 1)
    bad = subprocess.run([sys.executable, "bench/synthesis.py", "--rows", "5"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2 and "--rows must be at least 100" in bad.stderr
