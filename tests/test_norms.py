"""Tests for the norms package: standard scores, norm-table files, provisional builder."""

from __future__ import annotations

import ast
import dataclasses
import json
import math
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import norms
from norms import (
    NormError,
    NormScore,
    available_groups,
    load_norm_table,
    percentile_from_z,
    stanine_from_z,
    sten_from_z,
    t_from_z,
)
from norms import build_provisional

NORMS_DIR = Path(norms.__file__).resolve().parent
DATA_DIR = NORMS_DIR / "data"
SIX_SCALES = {
    "logic.number_correct",
    "personality.ES",
    "personality.EX",
    "personality.OP",
    "personality.AG",
    "personality.CO",
}
SHIPPED = ["general", "managers"]
FAST = settings(max_examples=200, database=None, deadline=None)


def phi(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def minimal_table(**overrides) -> dict:
    doc = {
        "format": "second-opinion/norms",
        "format_version": 1,
        "group": "test",
        "version": "1",
        "label": {"sv": "Testgrupp", "en": "Test group"},
        "provisional": True,
        "n": 100,
        "date": "2026-11-26",
        "method": {"sv": "Påhittad.", "en": "Made up."},
        "source": "Unit test.",
        "scales": {
            "logic.number_correct": {
                "distribution": "normal", "mean": 10, "sd": 2,
                "min": 0, "max": 20, "discrete": True,
            },
            "personality.ES": {
                "distribution": "normal", "mean": 3.5, "sd": 0.5,
                "min": 1, "max": 5, "discrete": False,
            },
        },
    }
    doc.update(overrides)
    return doc


def write(directory: Path, name: str, doc) -> Path:
    path = directory / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


# ----------------------------------------------------------------- standard scores

@pytest.mark.parametrize(
    ("z", "percentile", "t", "sten", "stanine"),
    [
        (0.0, 50.0, 50.0, 6, 5),
        (-1e-9, 50.0, 50.0, 5, 5),
        (1.0, 84.1, 60.0, 8, 7),
        (-1.0, 15.9, 40.0, 4, 3),
        (2.0, 97.7, 70.0, 10, 9),
        (-2.0, 2.3, 30.0, 2, 1),
        (0.5, 69.1, 55.0, 7, 6),
        (-0.5, 30.9, 45.0, 5, 4),
        (1.96, 97.5, 69.6, 9, 9),
        (3.5, 99.9, 80.0, 10, 9),
        (-4.0, 0.1, 20.0, 1, 1),
        (9.0, 99.9, 80.0, 10, 9),
        (math.inf, 99.9, 80.0, 10, 9),
        (-math.inf, 0.1, 20.0, 1, 1),
    ],
)
def test_known_values(z, percentile, t, sten, stanine):
    assert percentile_from_z(z) == percentile
    assert t_from_z(z) == t
    assert sten_from_z(z) == sten
    assert stanine_from_z(z) == stanine


@pytest.mark.parametrize(
    ("z", "sten"),
    [(-2.0001, 1), (-2.0, 2), (-1.5, 3), (-1.0, 4), (-0.5, 5), (-0.0001, 5),
     (0.0, 6), (0.4999, 6), (0.5, 7), (1.0, 8), (1.5, 9), (1.9999, 9), (2.0, 10)],
)
def test_sten_band_edges(z, sten):
    assert sten_from_z(z) == sten


@pytest.mark.parametrize(
    ("z", "stanine"),
    [(-1.7501, 1), (-1.75, 2), (-1.25, 3), (-0.75, 4), (-0.25, 5), (0.2499, 5),
     (0.25, 6), (0.75, 7), (1.25, 8), (1.7499, 8), (1.75, 9)],
)
def test_stanine_band_edges(z, stanine):
    assert stanine_from_z(z) == stanine


def _band_shares(func, values) -> list[float]:
    """Share (percent) of a standard normal in each band of ``func``, found on a fine z grid."""
    grid = [i / 1000 for i in range(-5000, 5001)]
    lower = {}
    for z in grid:
        lower.setdefault(func(z), z)
    edges = [lower[v] for v in values[1:]]
    cuts = [-math.inf, *edges, math.inf]
    return [100 * (phi(b) - phi(a)) for a, b in zip(cuts, cuts[1:])]


def test_stanine_bands_hold_the_standard_percentages():
    shares = _band_shares(stanine_from_z, list(range(1, 10)))
    assert [round(s) for s in shares] == [4, 7, 12, 17, 20, 17, 12, 7, 4]


def test_sten_bands_are_half_sd_wide_and_symmetric():
    shares = _band_shares(sten_from_z, list(range(1, 11)))
    assert [round(s, 1) for s in shares] == [2.3, 4.4, 9.2, 15.0, 19.1, 19.1, 15.0, 9.2, 4.4, 2.3]


@pytest.mark.parametrize("func", [percentile_from_z, t_from_z, sten_from_z, stanine_from_z])
def test_nan_z_is_rejected(func):
    with pytest.raises(ValueError, match="NaN"):
        func(math.nan)


@FAST
@given(st.floats(allow_nan=False), st.floats(allow_nan=False))
def test_standard_scores_are_monotone_and_bounded_in_z(a, b):
    lo, hi = min(a, b), max(a, b)
    for func in (percentile_from_z, t_from_z, sten_from_z, stanine_from_z):
        assert func(lo) <= func(hi)
    assert 0.1 <= percentile_from_z(lo) <= 99.9
    assert 20.0 <= t_from_z(lo) <= 80.0
    assert 1 <= sten_from_z(lo) <= 10 and isinstance(sten_from_z(lo), int)
    assert 1 <= stanine_from_z(lo) <= 9 and isinstance(stanine_from_z(lo), int)


# ----------------------------------------------------------------- shipped tables

def test_available_groups_lists_the_shipped_groups():
    assert available_groups() == SHIPPED


@pytest.mark.parametrize("group", SHIPPED)
def test_shipped_table_is_provisional_and_complete(group):
    table = load_norm_table(group)
    assert table.group == group
    assert table.version == "1"
    assert table.ref == f"{group}.v1"
    assert table.provisional is True
    assert set(table.scales) == SIX_SCALES
    assert all(table.has_scale(s) for s in SIX_SCALES)
    assert not table.has_scale("personality.XX")
    assert table.n == build_provisional.N
    assert table.path == DATA_DIR / f"{group}.v1.json"
    # Says where it comes from, in both languages, and that it is not real data.
    assert "simulated" in table.method_for("en") and "NOT BASED ON REAL DATA" in table.method_for("en")
    assert "simulerad" in table.method_for("sv") and "INTE BASERAD PÅ VERKLIGA DATA" in table.method_for("sv")
    assert "No real respondents" in table.source
    assert table.label_for("sv") != table.label_for("en")


def test_labels_and_language_fallback():
    table = load_norm_table("general")
    assert table.label_for("sv") == "Yrkesverksamma, allmän grupp"
    assert table.label_for("en") == "General working population"
    assert table.label_for("sv-SE") == "Yrkesverksamma, allmän grupp"
    assert table.label_for("de") == "General working population"
    assert load_norm_table("managers").label_for("sv") == "Chefer"


def test_managers_norms_are_higher_where_documented():
    general, managers = load_norm_table("general"), load_norm_table("managers")
    for scale in ("logic.number_correct", "personality.ES", "personality.EX"):
        assert managers.scales[scale].mean > general.scales[scale].mean, scale
    # The same raw logic score is therefore a lower percentile among managers.
    assert managers.convert("logic.number_correct", 14).percentile < general.convert(
        "logic.number_correct", 14
    ).percentile


@pytest.mark.parametrize("spec", build_provisional.GROUPS.values(), ids=lambda s: s.group)
def test_shipped_statistics_match_the_documented_parameters(spec):
    table = load_norm_table(spec.group)
    for domain, (mean, sd) in spec.personality.items():
        scale = table.scales[f"personality.{domain}"]
        assert abs(scale.mean - mean) < 0.06, domain  # n = 1000: SE of the mean about 0.02
        assert abs(scale.sd - sd) < 0.05, domain
    logic = table.scales["logic.number_correct"]
    chance = sum(build_provisional.CHANCE) / build_provisional.N_ITEMS
    expected = build_provisional.N_ITEMS * (spec.logic.known_mean + (1 - spec.logic.known_mean) * chance)
    assert abs(logic.mean - expected) < 0.5
    assert 3.0 < logic.sd < 4.5
    assert (logic.min, logic.max, logic.discrete) == (0, 20, True)


def test_loaded_tables_are_cached_and_read_only():
    table = load_norm_table("general")
    assert load_norm_table("general", "1") is table
    with pytest.raises(TypeError):
        table.scales["personality.ES"] = None  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        table.version = "2"  # type: ignore[misc]


# ----------------------------------------------------------------- conversion

def test_convert_uses_the_table_mean_and_sd(tmp_path):
    write(tmp_path, "test.v1.json", minimal_table())
    table = load_norm_table("test", directory=tmp_path)
    score = table.convert("logic.number_correct", 12)
    assert score == NormScore(
        scale="logic.number_correct", raw=12.0, z=1.0, percentile=84.1, t=60.0, sten=8, stanine=7
    )
    es = table.convert("personality.ES", 3.0)
    assert (es.z, es.percentile, es.t, es.sten, es.stanine) == (-1.0, 15.9, 40.0, 4, 3)


@pytest.mark.parametrize("raw", [0, 20, 0.0, 20.0])
def test_convert_accepts_the_range_ends(raw):
    score = load_norm_table("general").convert("logic.number_correct", raw)
    assert score.raw == float(raw)


@pytest.mark.parametrize(
    ("scale", "raw", "message"),
    [
        ("logic.number_correct", -1, "outside"),
        ("logic.number_correct", 21, "outside"),
        ("logic.number_correct", 12.5, "whole number"),
        ("logic.number_correct", math.nan, "NaN"),
        ("personality.ES", 0.99, "outside"),
        ("personality.ES", 5.01, "outside"),
        ("personality.ES", math.inf, "outside"),
        ("personality.ES", math.nan, "NaN"),
    ],
)
def test_convert_rejects_invalid_raw_scores(scale, raw, message):
    with pytest.raises(ValueError, match=message) as info:
        load_norm_table("general").convert(scale, raw)
    assert not isinstance(info.value, NormError)
    assert scale in str(info.value)


def test_convert_rejects_non_numbers():
    table = load_norm_table("general")
    for raw in ("12", None, True):
        with pytest.raises(TypeError):
            table.convert("logic.number_correct", raw)


def test_convert_unknown_scale_is_a_norm_error():
    with pytest.raises(NormError, match=r"no scale 'logic\.speed'.*personality\.ES"):
        load_norm_table("general").convert("logic.speed", 3)


@st.composite
def scale_and_two_raws(draw):
    table = load_norm_table(draw(st.sampled_from(SHIPPED)))
    scale = draw(st.sampled_from(sorted(table.scales)))
    norm = table.scales[scale]
    if norm.discrete:
        raws = st.integers(int(norm.min), int(norm.max))
    else:
        raws = st.floats(norm.min, norm.max, allow_nan=False)
    a, b = draw(raws), draw(raws)
    return table, scale, min(a, b), max(a, b)


@FAST
@given(scale_and_two_raws())
def test_scores_are_monotone_in_raw(case):
    table, scale, lo, hi = case
    low, high = table.convert(scale, lo), table.convert(scale, hi)
    assert low.z <= high.z
    assert low.percentile <= high.percentile
    assert low.t <= high.t
    assert low.sten <= high.sten
    assert low.stanine <= high.stanine
    assert 0.1 <= low.percentile <= 99.9 and 0.1 <= high.percentile <= 99.9


# ----------------------------------------------------------------- loading and validation

def test_unknown_group_lists_available_groups():
    with pytest.raises(NormError, match="unknown norm group 'nurses'") as info:
        load_norm_table("nurses")
    assert "general" in str(info.value) and "managers" in str(info.value)


def test_unknown_version_lists_available_versions():
    with pytest.raises(NormError, match=r"no version '7'.*available versions: 1"):
        load_norm_table("general", "7")


def test_highest_version_is_the_default_numerically(tmp_path):
    write(tmp_path, "test.v2.json", minimal_table(version="2"))
    write(tmp_path, "test.v10.json", minimal_table(version="10"))
    write(tmp_path, "README.txt", "not a table")
    assert load_norm_table("test", directory=tmp_path).version == "10"
    assert load_norm_table("test", 2, directory=str(tmp_path)).ref == "test.v2"
    assert available_groups(tmp_path) == ["test"]
    assert norms.available_versions("test", tmp_path) == ["2", "10"]


def test_missing_directory_is_a_norm_error(tmp_path):
    with pytest.raises(NormError, match="does not exist"):
        available_groups(tmp_path / "nowhere")


def _scale_with(**changes) -> dict:
    scales = minimal_table()["scales"]
    scales["personality.ES"] = {**scales["personality.ES"], **changes}
    return scales


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"sd": NaN}', "not valid JSON"),
        ('{"n": 1, "n": 2}', "duplicate key"),
        ("[]", "JSON object"),
        ({k: v for k, v in minimal_table().items() if k != "source"}, "missing key.*source"),
        (minimal_table(provisonal=True), "unknown key.*provisonal"),
        (minimal_table(format="something/else"), "format must be"),
        (minimal_table(format_version=2), "format_version"),
        (minimal_table(provisional="yes"), "provisional must be true or false"),
        (minimal_table(n=0), "n must be a positive integer"),
        (minimal_table(date="26/11/2026"), "ISO date"),
        (minimal_table(label={"sv": "Test"}), "label.en"),
        (minimal_table(method={"sv": "", "en": "x"}), "method.sv"),
        (minimal_table(version=1), "version must be a string"),
        (minimal_table(group="other"), "file name says group 'test'"),
        (minimal_table(scales={}), "scales must be a non-empty object"),
        (minimal_table(scales=_scale_with(sd=0)), "sd must be > 0"),
        (minimal_table(scales=_scale_with(sd=-0.5)), "sd must be > 0"),
        (minimal_table(scales=_scale_with(min=5, max=5)), "min must be < max"),
        (minimal_table(scales=_scale_with(min=5, max=1)), "min must be < max"),
        (minimal_table(scales=_scale_with(mean=7)), "outside"),
        (minimal_table(scales=_scale_with(mean="3.5")), "mean must be a finite number"),
        (minimal_table(scales=_scale_with(discrete="no")), "discrete must be true or false"),
        (minimal_table(scales=_scale_with(distribution="empirical")), "unsupported distribution"),
        (minimal_table(scales=_scale_with(reliability=0.8)), "unknown key.*reliability"),
    ],
)
def test_broken_file_gives_norm_error_naming_the_file(tmp_path, content, message):
    path = write(tmp_path, "test.v1.json", content)
    with pytest.raises(NormError, match=message) as info:
        load_norm_table("test", directory=tmp_path)
    assert str(path) in str(info.value)


def test_valid_minimal_table_loads(tmp_path):
    # The fixture the broken-file cases start from is itself valid, so each case above
    # fails because of its one change.
    write(tmp_path, "test.v1.json", minimal_table())
    table = load_norm_table("test", directory=tmp_path)
    assert table.ref == "test.v1" and set(table.scales) == {"logic.number_correct", "personality.ES"}


# ----------------------------------------------------------------- provisional builder

def test_build_provisional_regenerates_the_shipped_files_bit_for_bit(tmp_path):
    paths = build_provisional.write_tables(tmp_path)
    assert sorted(p.name for p in paths) == ["general.v1.json", "managers.v1.json"]
    for path in paths:
        assert path.read_bytes() == (DATA_DIR / path.name).read_bytes(), path.name
    assert available_groups(tmp_path) == SHIPPED
    assert load_norm_table("managers", directory=tmp_path).scales == load_norm_table("managers").scales


def test_build_provisional_check_detects_stale_files(tmp_path, capsys):
    assert build_provisional.main(["--check"]) == 0
    assert build_provisional.main(["--out", str(tmp_path)]) == 0
    assert build_provisional.main(["--check", "--out", str(tmp_path)]) == 0
    path = tmp_path / "general.v1.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"n": 1000', '"n": 999'), encoding="utf-8")
    assert build_provisional.main(["--check", "--out", str(tmp_path)]) == 1
    assert "general.v1.json" in capsys.readouterr().err


def test_simulated_logic_scores_are_whole_numbers_in_range():
    rng = build_provisional.scale_rng(1, "logic.number_correct")
    scores = build_provisional.simulate_logic(build_provisional.GENERAL.logic, 500, rng)
    assert scores.shape == (500,)
    assert scores.min() >= 0 and scores.max() <= 20
    assert scores.dtype.kind == "i"


# ----------------------------------------------------------------- package boundary

def test_norms_imports_only_numpy_and_the_standard_library():
    allowed = set(sys.stdlib_module_names) | {"numpy", "norms", "__future__"}
    offenders = []
    for path in sorted(NORMS_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] not in allowed]
    assert offenders == []
    assert {"general.v1.json", "managers.v1.json"} <= {p.name for p in DATA_DIR.iterdir()}
