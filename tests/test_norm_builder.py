"""Tests for norms.build: building local norm tables from real scores, alpha, versioning."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import norms
from norms import (
    MIN_N,
    NormError,
    build_norm_table,
    cronbach_alpha,
    load_norm_table,
    next_version,
    write_table,
)
from norms.build import KNOWN_PREFIXES, KNOWN_SCALES, known_scale
from norms.build_provisional import render

FAST = settings(max_examples=100, database=None, deadline=None)
LABEL = {"sv": "Byråns kandidater", "en": "The consultancy's candidates"}
METHOD = {"sv": "Kandidater som bedömts 2027.", "en": "Candidates assessed in 2027."}
SOURCE = "Second Opinion database, assessments 2027-01-01 to 2027-06-30."
BUILT_ON = date(2027, 7, 1)


def build(scores, group="local", **overrides):
    kwargs = {
        "version": "1", "label": LABEL, "scores": scores, "method": METHOD, "source": SOURCE,
        "built_on": BUILT_ON,
    }
    kwargs.update(overrides)
    return build_norm_table(group, **kwargs)


def test_min_n_is_200():
    assert MIN_N == 200
    assert norms.MIN_N is MIN_N


# ----------------------------------------------------------------- build_norm_table

def test_known_mean_sd_and_n():
    scores = {"personality.ES": [2.0, 3.0, 4.0, 5.0] * 60}  # N = 240
    document, warnings = build(scores, reliability={"personality.ES": 0.8})
    scale = document["scales"]["personality.ES"]
    # mean 3.5; SD with n - 1: sqrt(sum (x - 3.5)^2 / 239) = sqrt(60 * 5 / 239)
    assert scale["mean"] == 3.5
    assert scale["sd"] == round(math.sqrt(300 / 239), 4) == 1.1204
    assert (scale["n"], scale["min"], scale["max"], scale["discrete"], scale["latent"]) == (
        240, 1, 5, False, False
    )
    assert scale["reliability"] == 0.8
    assert warnings == [] and "warnings" not in document
    assert document["provisional"] is False
    assert document["format_version"] == 2
    assert document["n"] == 240
    assert document["date"] == "2027-07-01"
    assert document["source"] == SOURCE
    assert document["label"] == LABEL
    assert document["method"]["en"].startswith("Candidates assessed in 2027. Computation")
    assert document["method"]["sv"].startswith("Kandidater som bedömts 2027. Beräkning")


def test_table_n_is_the_smallest_scale_n():
    rng = np.random.default_rng(1)
    scores = {
        "personality.ES": rng.uniform(1, 5, 300),
        "personality.EX.lead": rng.uniform(1, 5, 250),
        "logic.number_correct": rng.integers(0, 21, 280),
    }
    document, warnings = build(scores)
    assert document["n"] == 250
    assert {name: s["n"] for name, s in document["scales"].items()} == {
        "personality.ES": 300, "personality.EX.lead": 250, "logic.number_correct": 280,
    }
    assert document["scales"]["logic.number_correct"]["discrete"] is True
    assert warnings == []


def test_latent_variance_correction_known_value():
    # EAPs -1, 0, 1 (repeated): var(EAP, n - 1) = 2 * 100 / 299; SEs all 0.5: mean(SE^2) = 0.25.
    eap = [-1.0, 0.0, 1.0] * 100
    se = [0.5] * 300
    document, warnings = build({"logic.theta": eap}, latent_se={"logic.theta": se})
    theta = document["scales"]["logic.theta"]
    assert theta["mean"] == 0.0
    assert theta["sd"] == round(math.sqrt(200 / 299 + 0.25), 4)
    assert theta["latent"] is True and (theta["min"], theta["max"]) == (-4, 4)
    assert "reliability" not in theta
    assert warnings == []
    without, warnings = build({"logic.theta": eap})
    assert without["scales"]["logic.theta"]["sd"] == round(math.sqrt(200 / 299), 4)
    assert any("without standard errors" in w for w in warnings)


def test_latent_variance_correction_recovers_the_population_sd():
    # Simulated EAPs under a normal-normal model: theta ~ N(0.3, 1.2^2), x = theta + e,
    # e ~ N(0, 0.6^2). With the prior equal to the population the posterior is normal, so
    # EAP and posterior SD are closed form; var(EAP) alone underestimates var(theta).
    rng = np.random.default_rng(2026)
    mu, tau, sigma = 0.3, 1.2, 0.6
    theta = rng.normal(mu, tau, 20_000)
    x = theta + rng.normal(0, sigma, theta.size)
    shrink = tau**2 / (tau**2 + sigma**2)
    eap = mu + shrink * (x - mu)
    post_sd = math.sqrt(tau**2 * sigma**2 / (tau**2 + sigma**2))
    eap = np.clip(eap, -4, 4)
    document, _ = build({"logic.theta": eap}, latent_se={"logic.theta": [post_sd] * eap.size})
    assert document["scales"]["logic.theta"]["sd"] == pytest.approx(tau, abs=0.03)
    assert document["scales"]["logic.theta"]["mean"] == pytest.approx(mu, abs=0.03)
    assert float(np.std(eap, ddof=1)) < tau - 0.1  # the naive SD is clearly too small


def test_warning_below_min_n_is_returned_and_recorded():
    rng = np.random.default_rng(3)
    scores = {"personality.ES": rng.uniform(1, 5, 199), "personality.EX": rng.uniform(1, 5, 200)}
    document, warnings = build(scores)
    assert len(warnings) == 1
    assert "personality.ES" in warnings[0] and "N = 199" in warnings[0] and "200" in warnings[0]
    assert document["warnings"] == warnings
    assert document["provisional"] is False
    _, warnings = build(scores, min_n=100)
    assert warnings == []
    _, warnings = build(scores, min_n=201)
    assert len(warnings) == 2


def test_reliability_and_range_come_from_the_base_table():
    base = load_norm_table("general")
    rng = np.random.default_rng(4)
    scores = {"personality.AG.trust": rng.uniform(1, 5, 300), "logic.theta": rng.normal(0, 0.9, 300)}
    document, warnings = build(
        scores, base=base, reliability={"logic.theta": 0.9}, latent_se={"logic.theta": [0.3] * 300}
    )
    assert document["scales"]["personality.AG.trust"]["reliability"] == 0.70  # from the base
    assert document["scales"]["logic.theta"]["reliability"] == 0.9  # given
    assert document["scales"]["logic.theta"]["latent"] is True
    # Scales of the base without scores are named, not silently dropped.
    assert any("personality.ES:" in w and "general.v2" in w for w in warnings)
    assert set(document["scales"]) == set(scores)


def test_reliability_from_a_v1_base_is_absent():
    base = load_norm_table("general", 1)
    document, _ = build({"personality.ES": [2.0, 4.0] * 150}, base=base)
    assert "reliability" not in document["scales"]["personality.ES"]


def test_known_scales():
    assert known_scale("logic.theta") == KNOWN_SCALES["logic.theta"]
    assert known_scale("personality.CO.order") == KNOWN_PREFIXES["personality."]
    assert known_scale("personality.ES")["max"] == 5
    assert known_scale("personality.") is None
    assert known_scale("logic.speed") is None


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"scores": {"logic.speed": [1, 2, 3]}}, ValueError, "unknown scale 'logic.speed'"),
        ({"scores": {"personality.ES": [3.0]}}, ValueError, "at least 2 scores"),
        ({"scores": {"personality.ES": [3.0, 3.0, 3.0]}}, ValueError, "SD is 0"),
        ({"scores": {"personality.ES": [3.0, 5.5]}}, ValueError, "outside the scale range"),
        ({"scores": {"personality.ES": [3.0, math.nan]}}, ValueError, "NaN"),
        ({"scores": {"personality.ES": [3.0, None]}}, ValueError, "NaN|numbers"),
        ({"scores": {"personality.ES": ["a", "b"]}}, ValueError, "must be numbers"),
        ({"scores": {"logic.number_correct": [3, 4.5]}}, ValueError, "whole-number"),
        ({"scores": {}}, ValueError, "at least one scale"),
        ({"latent_se": {"personality.ES": [0.1, 0.1]}}, ValueError, "not a latent scale"),
        ({"latent_se": {"logic.theta": [0.1]}}, ValueError, "without scores"),
        ({"reliability": {"personality.ES": 1.0}}, ValueError, "reliability must be"),
        ({"reliability": {"personality.ES": True}}, ValueError, "reliability must be"),
        ({"reliability": {"personality.EX": 0.8}}, ValueError, "without scores"),
        ({"version": "0"}, ValueError, "version must be"),
        ({"version": 2}, ValueError, "version must be"),
        ({"group": "Local"}, ValueError, "group must be"),
        ({"label": {"sv": "x"}}, ValueError, "label needs a non-empty 'en'"),
        ({"method": {"sv": "x", "en": " "}}, ValueError, "method needs a non-empty 'en'"),
        ({"source": ""}, ValueError, "source"),
        ({"built_on": "2027-07-01"}, TypeError, "built_on"),
        ({"min_n": 1}, ValueError, "min_n"),
    ],
)
def test_invalid_input_is_rejected(overrides, error, message):
    kwargs = {"scores": {"personality.ES": [2.0, 4.0, 3.0]}, **overrides}
    with pytest.raises(error, match=message):
        build(**kwargs)


def test_latent_se_must_match_the_scores():
    with pytest.raises(ValueError, match="2 SEs for 3 scores"):
        build({"logic.theta": [0.0, 1.0, -1.0]}, latent_se={"logic.theta": [0.3, 0.3]})
    with pytest.raises(ValueError, match="SEs must be >= 0"):
        build({"logic.theta": [0.0, 1.0]}, latent_se={"logic.theta": [0.3, -0.3]})


# ----------------------------------------------------------------- write, version, reload

def test_written_file_loads_back_with_the_same_numbers(tmp_path):
    rng = np.random.default_rng(5)
    scores = {
        "logic.theta": np.clip(rng.normal(0.1, 0.8, 400), -4, 4),
        "logic.number_correct": rng.integers(0, 21, 400).tolist(),
        "personality.ES": rng.uniform(1, 5, 150),
        "personality.ES.composure": rng.uniform(1, 5, 400),
    }
    document, warnings = build(
        scores, version=next_version("local", tmp_path),
        latent_se={"logic.theta": rng.uniform(0.25, 0.4, 400)},
        reliability={"personality.ES": 0.86, "personality.ES.composure": 0.71},
    )
    path = write_table(document, tmp_path)
    assert path == tmp_path / "local.v1.json"
    assert path.read_text(encoding="utf-8") == render(document)  # same rendering as shipped
    assert path.read_bytes().endswith(b"}\n")
    assert "Byråns" in path.read_text(encoding="utf-8")  # ensure_ascii=False
    table = load_norm_table("local", directory=tmp_path)
    assert table.provisional is False and table.format_version == 2
    assert table.n == 150 and table.date == "2027-07-01" and table.source == SOURCE
    assert table.warnings == tuple(warnings) and len(warnings) == 1
    for name, entry in document["scales"].items():
        scale = table.scales[name]
        assert (scale.mean, scale.sd, scale.n, scale.min, scale.max) == (
            entry["mean"], entry["sd"], entry["n"], entry["min"], entry["max"]
        )
        assert scale.reliability == entry.get("reliability")
        assert scale.latent == entry["latent"]
    assert json.loads(path.read_text(encoding="utf-8")) == document
    # The loaded table converts with bands.
    score = table.convert("personality.ES", 3.0)
    assert score.band is not None and score.sem == pytest.approx(table.scales["personality.ES"].sd * math.sqrt(0.14))


def test_write_refuses_to_overwrite(tmp_path):
    document, _ = build({"personality.ES": [2.0, 4.0] * 150})
    path = write_table(document, tmp_path)
    before = path.read_bytes()
    changed = {**document, "source": "Something else."}
    with pytest.raises(FileExistsError, match=r"local\.v1\.json already exists.*next free version: 2"):
        write_table(changed, tmp_path)
    assert path.read_bytes() == before


def test_write_rejects_an_invalid_document(tmp_path):
    document, _ = build({"personality.ES": [2.0, 4.0] * 150})
    with pytest.raises(NormError, match="sd must be > 0"):
        write_table({**document, "scales": {"personality.ES": {**document["scales"]["personality.ES"], "sd": 0}}}, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_write_makes_the_new_version_the_default(tmp_path):
    first, _ = build({"personality.ES": [2.0, 4.0] * 150})
    write_table(first, tmp_path)
    assert load_norm_table("local", directory=tmp_path).version == "1"  # now cached
    second, _ = build({"personality.ES": [2.0, 5.0] * 150}, version=next_version("local", tmp_path))
    write_table(second, tmp_path)  # clears the cache
    assert load_norm_table("local", directory=tmp_path).version == "2"


def test_next_version(tmp_path):
    assert next_version("local", tmp_path) == "1"
    for version in ("1", "2", "10"):
        (tmp_path / f"local.v{version}.json").write_text("{}", encoding="utf-8")
    (tmp_path / "other.v4.json").write_text("{}", encoding="utf-8")
    assert next_version("local", tmp_path) == "11"
    assert next_version("other", tmp_path) == "5"
    assert next_version("general") == "3"  # shipped: general.v1, general.v2
    with pytest.raises(ValueError, match="group"):
        next_version("../etc", tmp_path)


def test_write_uses_the_default_directory_only_when_asked(tmp_path, monkeypatch):
    # Writing to the real data directory is what the CLI does; here it is redirected.
    monkeypatch.setattr("norms.build.DEFAULT_DIRECTORY", tmp_path / "data")
    document, _ = build({"personality.ES": [2.0, 4.0] * 150})
    assert write_table(document) == tmp_path / "data" / "local.v1.json"


# ----------------------------------------------------------------- Cronbach's alpha

def test_alpha_known_value():
    # Items 1 and 2: 1, 2, 3, 4 (var 5/3 each); item 3: 2, 2, 4, 4 (var 4/3);
    # totals 4, 6, 10, 12 (var 40/3). alpha = 3/2 * (1 - (14/3) / (40/3)) = 0.975.
    items = np.array([[1, 1, 2], [2, 2, 2], [3, 3, 4], [4, 4, 4]], dtype=float)
    assert cronbach_alpha(items) == pytest.approx(0.975)
    assert cronbach_alpha(items, missing="pairwise") == pytest.approx(0.975)


def test_alpha_of_perfectly_parallel_items_is_one():
    person = np.array([1.0, 2.0, 2.0, 3.0, 5.0, 4.0])
    assert cronbach_alpha(np.column_stack([person] * 5)) == pytest.approx(1.0)


def test_alpha_of_independent_items_is_about_zero():
    rng = np.random.default_rng(6)
    alpha = cronbach_alpha(rng.normal(size=(20_000, 10)))
    assert abs(alpha) < 0.03


def test_alpha_matches_spearman_brown_for_parallel_noisy_items():
    # k parallel items with inter-item correlation rho: alpha = k rho / (1 + (k - 1) rho).
    rng = np.random.default_rng(7)
    true = rng.normal(size=(50_000, 1))
    items = true + rng.normal(size=(50_000, 5))  # rho = 1 / (1 + 1) = 0.5
    assert cronbach_alpha(items) == pytest.approx(5 * 0.5 / (1 + 4 * 0.5), abs=0.01)


def test_alpha_missing_answers_listwise_and_pairwise():
    items = np.array(
        [[1, 1, 2], [2, 2, 2], [3, 3, 4], [4, 4, 4], [5, np.nan, 1], [np.nan, 1, 5]], dtype=float
    )
    # Listwise drops the last two persons: the known example above.
    assert cronbach_alpha(items) == pytest.approx(0.975)
    pairwise = cronbach_alpha(items, missing="pairwise")
    assert pairwise != pytest.approx(0.975)
    assert math.isfinite(pairwise)


@pytest.mark.parametrize(
    ("items", "kwargs", "message"),
    [
        (np.ones((5,)), {}, "2-D"),
        (np.ones((5, 1)), {}, "at least 2 items"),
        (np.array([[1.0, 2.0], [np.nan, 1.0]]), {}, "fewer than 2 persons"),
        (np.array([[1.0, np.nan], [np.nan, 1.0], [2.0, np.nan]]), {"missing": "pairwise"}, "fewer than 2 persons"),
        (np.ones((5, 3)), {}, "no variance"),
        (np.array([[1.0, np.inf], [2.0, 1.0]]), {}, "infinite"),
        (np.ones((5, 3)), {"missing": "mean"}, "listwise"),
    ],
)
def test_alpha_rejects_bad_input(items, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cronbach_alpha(items, **kwargs)


@FAST
@given(st.integers(2, 8), st.integers(0, 2**32 - 1))
def test_alpha_is_at_most_one_and_listwise_equals_pairwise_without_missing(k, seed):
    rng = np.random.default_rng(seed)
    items = rng.integers(1, 6, size=(30, k)).astype(float)
    if np.var(items.sum(axis=1)) == 0:
        return
    alpha = cronbach_alpha(items)
    assert alpha <= 1.0 + 1e-12
    assert cronbach_alpha(items, missing="pairwise") == pytest.approx(alpha)


def test_provisional_kr20_is_alpha_of_the_simulated_items():
    from norms import build_provisional

    for spec in build_provisional.GROUPS.values():
        table = load_norm_table(spec.group)
        assert table.scales["logic.number_correct"].reliability == round(
            build_provisional.logic_kr20(spec), 2
        )


def test_builder_output_matches_shipped_format(tmp_path):
    # A built table and a shipped v2 table have the same per-scale keys.
    shipped = json.loads(Path(norms.__file__).with_name("data").joinpath("general.v2.json").read_text("utf-8"))
    document, _ = build({"personality.ES": [2.0, 4.0] * 150}, reliability={"personality.ES": 0.85})
    assert set(document["scales"]["personality.ES"]) == set(shipped["scales"]["personality.ES"])
    assert set(document) - {"warnings"} == set(shipped)


def test_wle_estimates_are_corrected_the_other_way():
    # WLEs are (nearly) unbiased, theta_hat = theta + e with var(e) = SE^2: their spread is
    # the ability's plus the error's, so the builder subtracts mean(SE^2).
    rng = np.random.default_rng(2027)
    mu, tau, se = -0.2, 0.9, 0.33
    wle = np.clip(rng.normal(mu, tau, 20_000) + rng.normal(0, se, 20_000), -4, 4)
    document, warnings = build({"logic.theta": wle}, latent_se={"logic.theta": [se] * wle.size},
                               latent_estimator={"logic.theta": ["wle"] * wle.size})
    assert document["scales"]["logic.theta"]["sd"] == pytest.approx(tau, abs=0.03)
    assert document["scales"]["logic.theta"]["mean"] == pytest.approx(mu, abs=0.03)
    assert float(np.std(wle, ddof=1)) > tau + 0.04  # the naive SD is too large
    # Treated as EAPs (the default) the same numbers would give a clearly wrong SD.
    as_eap, _ = build({"logic.theta": wle}, latent_se={"logic.theta": [se] * wle.size})
    assert as_eap["scales"]["logic.theta"]["sd"] > tau + 0.1
    assert "WLE" in document["method"]["en"] and "WLE" in document["method"]["sv"]


def test_mixed_estimators_known_value():
    # Estimates -1, 0, 1 (repeated): var = 200 / 299; SEs 0.5, half EAP (+0.25), half WLE (-0.25).
    est = [-1.0, 0.0, 1.0] * 100
    kinds = ["eap", "wle"] * 150
    document, _ = build({"logic.theta": est}, latent_se={"logic.theta": [0.5] * 300},
                        latent_estimator={"logic.theta": kinds})
    assert document["scales"]["logic.theta"]["sd"] == round(math.sqrt(200 / 299), 4)


@pytest.mark.parametrize("kwargs, message", [
    ({"latent_se": {"logic.theta": [1.0] * 4}, "latent_estimator": {"logic.theta": ["wle"] * 4}},
     "smaller than their measurement error"),
    ({"latent_se": {"logic.theta": [0.3] * 4}, "latent_estimator": {"logic.theta": ["mle"] * 4}},
     "unknown estimator"),
    ({"latent_se": {"logic.theta": [0.3] * 4}, "latent_estimator": {"logic.theta": ["wle"] * 3}},
     "3 estimator names for 4 scores"),
    ({"latent_estimator": {"logic.theta": ["wle"] * 4}}, "without latent_se"),
])
def test_bad_latent_estimator_input_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        build({"logic.theta": [-0.5, 0.0, 0.5, 0.1]}, **kwargs)
