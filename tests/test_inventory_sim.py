"""The simulation behind the validity cut-offs (item_banks.inventory_sim)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import item_banks

from item_banks import load_inventory, validity
from item_banks.inventory_sim import (
    DEFAULT_MODEL,
    KEYS,
    MODEL_CHECK_KEYS,
    PAGE_SIZE,
    RESPONDER_TYPES,
    expected_answer,
    format_report,
    indicator_arrays,
    latent_mean,
    model_check,
    run,
    simulate,
)


STARTER_FILE = Path(item_banks.__file__).resolve().parent / "data" / "big5_starter.json"


@pytest.fixture(scope="module")
def inv():
    return load_inventory()


@pytest.fixture(scope="module")
def power(inv):
    """A moderate run with a fixed seed: the documented claims must hold here too."""
    return run(inv, n=2000, seed=11, types=("honest", "random"))


def test_small_run_returns_every_documented_key(inv):
    report = run(inv, n=30, seed=1)
    assert tuple(report) == KEYS
    assert report["n"] == 30 and report["seed"] == 1
    assert report["inventory"] == f"big5-work {inv.version}"
    assert report["responder_types"] == list(RESPONDER_TYPES)
    for kind in RESPONDER_TYPES:
        assert set(report["rates"][kind]) == {*validity.CODES, "any"}
        assert all(0 <= r <= 1 for r in report["rates"][kind].values())
        assert set(report["indicator_quantiles"][kind]) == set(validity.CODES)
    assert report["honest_false_positive"] == report["rates"]["honest"]
    assert set(report["detection"]) == set(RESPONDER_TYPES) - {"honest"}
    assert set(report["honest_pessimistic"]) == {*validity.CODES, "any"}
    assert tuple(report["model_check"]) == MODEL_CHECK_KEYS
    assert report["thresholds"]["inconsistency"] == validity.INCONSISTENCY_MEAN_DIFF
    text = format_report(report)
    for kind in RESPONDER_TYPES:
        assert kind in text
    assert "seed 1" in text and "n = 30" in text


def test_honest_responders_rarely_raise_a_flag(power):
    assert power["honest_false_positive"]["any"] <= 0.05
    assert power["honest_pessimistic"]["any"] <= 0.05


def test_random_responders_are_caught(power):
    assert power["detection"]["random"] >= 0.90
    # mostly through the synonym pairs and the infrequency statements
    assert power["rates"]["random"]["inconsistency"] >= 0.75
    assert power["rates"]["random"]["infrequency"] >= 0.45


def test_the_old_inconsistency_cut_off_missed_random_responders(inv, monkeypatch):
    monkeypatch.setattr(validity, "INCONSISTENCY_MEAN_DIFF", 1.5)
    report = run(inv, n=2000, seed=11, types=("random",), pessimistic=None)
    assert report["detection"]["random"] < 0.90
    assert report["rates"]["random"]["inconsistency"] < 0.70


def test_the_same_seed_gives_the_same_figures(inv):
    first, second = run(inv, n=40, seed=5), run(inv, n=40, seed=5)
    first.pop("seconds"), second.pop("seconds")
    assert first == second
    assert run(inv, n=40, seed=6)["indicator_quantiles"] != first["indicator_quantiles"]


def test_honest_model_is_plausible(inv):
    rng = np.random.default_rng(3)
    answers, order, pages = simulate(inv, "honest", 3000, rng)
    check = model_check(inv, answers, pages)
    assert 0.62 <= check["facet_alpha"] <= 0.78  # the norms assume .70
    assert 0.78 <= check["domain_alpha"] <= 0.90  # the norms assume .85
    assert 0.45 <= check["pair_correlation"] <= 0.75  # near-synonyms
    for domain, target in DEFAULT_MODEL.domain_means.items():
        assert check["domain_means"][domain] == pytest.approx(target, abs=0.12)
    assert 3.0 <= check["seconds_per_statement"] <= 6.0
    # every answer on the scale is used
    assert set(np.unique(answers)) == {1, 2, 3, 4, 5}


def test_responder_types_behave_as_documented(inv):
    n = 400
    ids = [s.id for s in inv.statements]
    scored = np.array([s.is_scored for s in inv.statements])
    out = {kind: simulate(inv, kind, n, np.random.default_rng(9)) for kind in RESPONDER_TYPES}
    for answers, order, pages in out.values():
        assert answers.shape == order.shape == (n, len(ids))
        assert pages.shape == (n, -(-len(ids) // PAGE_SIZE))
        assert (np.sort(order, axis=1) == np.arange(len(ids))).all()  # a permutation each
        assert answers.min() >= 1 and answers.max() <= 5
    random_answers = out["random"][0]
    assert np.bincount(random_answers.ravel(), minlength=6)[1:] / random_answers.size == pytest.approx(
        [0.2] * 5, abs=0.01)
    rows = np.arange(n)[:, None]
    seq = out["straight_line"][0][rows, out["straight_line"][1]]
    assert (seq[:, 1:] == seq[:, :-1]).mean() > 0.75
    assert out["acquiescent"][0][:, scored].mean() > out["honest"][0][:, scored].mean() + 0.8
    late = out["half_random"][0][rows, out["half_random"][1]][:, len(ids) // 2 + 1:]
    assert late.mean() == pytest.approx(3.0, abs=0.05)
    per_statement = {k: np.median(v[2][:, :-1] / PAGE_SIZE) for k, v in out.items()}
    assert per_statement["too_fast"] < 2.0 < 3.5 < per_statement["honest"]


def test_indicators_are_the_portals(inv):
    """A protocol built by hand gives the values validity.indicators gives it directly."""
    ids = [s.id for s in inv.statements]
    answers = np.array([[4] * len(ids)])
    order = np.arange(len(ids))[None, :]
    pages = np.full((1, -(-len(ids) // PAGE_SIZE)), 30.0)
    values, raised = indicator_arrays(inv, answers, order, pages)
    by_code = dict(zip(validity.CODES, zip(values[0], raised[0])))
    assert by_code["long_string"] == (len(ids), True)
    assert by_code["inconsistency"] == (0.0, False)
    assert by_code["acquiescence"] == (4.0, True)
    assert by_code["too_fast"][0] == pytest.approx(3.0)  # 30 s for 10 statements (median page)
    expected_disagree = sum(s.expected == "disagree" for s in inv.validity_statements)
    assert by_code["infrequency"] == (expected_disagree, expected_disagree >= validity.INFREQUENCY_COUNT)


@pytest.mark.parametrize("target", [1.5, 2.0, 3.0, 3.9, 4.6])
def test_latent_mean_inverts_the_expected_answer(target):
    thresholds = DEFAULT_MODEL.thresholds
    assert expected_answer(latent_mean(target, 1.1, thresholds), 1.1, thresholds) == pytest.approx(target)


def test_symmetric_thresholds_centre_on_the_midpoint():
    assert expected_answer(0.0, 1.0, (-1.5, -0.5, 0.5, 1.5)) == pytest.approx(3.0)


def test_bad_arguments(inv):
    with pytest.raises(ValueError, match="unknown responder type"):
        simulate(inv, "liar", 5, np.random.default_rng(0))
    with pytest.raises(ValueError, match="format 2"):
        simulate(load_inventory(STARTER_FILE), "honest", 5, np.random.default_rng(0))
    with pytest.raises(ValueError):
        run(inv, n=1)
