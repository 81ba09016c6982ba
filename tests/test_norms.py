"""Tests for the norms package: standard scores, inverse normal, norm-table files (formats 1
and 2), conversion with confidence bands, provisional builder. The norm builder for real
data is tested in test_norm_builder.py."""

from __future__ import annotations

import ast
import dataclasses
import itertools
import json
import math
import sys
from pathlib import Path
from statistics import NormalDist

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import norms
from norms import (
    NormError,
    NormScore,
    available_groups,
    build_provisional,
    load_norm_table,
    normal_quantile,
    percentile_from_z,
    stanine_from_z,
    sten_from_z,
    t_from_z,
    z_for_level,
)

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
DOMAINS = ("ES", "EX", "OP", "AG", "CO")
FACET_SCALES = {f"personality.{f}" for facets in build_provisional.FACETS.values() for f in facets}
V2_SCALES = (
    {"logic.theta", "logic.number_correct"} | {f"personality.{d}" for d in DOMAINS} | FACET_SCALES
)
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
    return [100 * (phi(b) - phi(a)) for a, b in itertools.pairwise(cuts)]


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
def test_shipped_v1_table_is_provisional_and_complete(group):
    # Stored results refer to general.v1, so the v1 files stay loadable unchanged.
    table = load_norm_table(group, "1")
    assert table.format_version == 1
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
    assert table.label_for("sv") == "Simulerad referensgrupp (preliminär)"
    assert table.label_for("en") == "Simulated reference group (provisional)"
    assert table.label_for("sv-SE") == "Simulerad referensgrupp (preliminär)"
    assert table.label_for("de") == "Simulated reference group (provisional)"
    assert load_norm_table("managers").label_for("sv") == "Simulerad referensgrupp, chefer (preliminär)"
    assert load_norm_table("managers").label_for("en") == "Simulated reference group, managers (provisional)"


@pytest.mark.parametrize("group", ["general", "managers"])
@pytest.mark.parametrize("version", ["1", "2"])
def test_simulated_tables_never_carry_the_name_of_a_real_population(group, version):
    """Issue 11: a label such as "General working population" on simulated data misleads."""
    table = load_norm_table(group, version)
    assert table.provisional
    assert table.label_for("en").startswith("Simulated reference group")
    assert table.label_for("en").endswith("(provisional)")
    assert table.label_for("sv").startswith("Simulerad referensgrupp")
    assert table.label_for("sv").endswith("(preliminär)")
    for spec in build_provisional.GROUPS.values():  # a rebuild gives the same labels
        assert spec.label["en"].startswith("Simulated reference group")
        assert spec.label["sv"].startswith("Simulerad referensgrupp")


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
    assert load_norm_table("general", "2") is table
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
    with pytest.raises(NormError, match=r"no version '7'.*available versions: 1, 2$"):
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
        (minimal_table(format_version=3), "unsupported format_version 3"),
        (minimal_table(format_version=True), "unsupported format_version"),
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
        (minimal_table(warnings=["x"]), "unknown key.*warnings"),
    ],
)
def test_broken_file_gives_norm_error_naming_the_file(tmp_path, content, message):
    _refused_naming_the_file(tmp_path, content, message)


def _refused_naming_the_file(tmp_path, content, message):
    """Loading ``content`` as a table raises NormError matching ``message`` and naming the file."""
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
    assert sorted(p.name for p in paths) == [
        "general.v1.json", "general.v2.json", "managers.v1.json", "managers.v2.json"
    ]
    for path in paths:
        assert path.read_bytes() == (DATA_DIR / path.name).read_bytes(), path.name
    assert available_groups(tmp_path) == SHIPPED
    for version in ("1", "2"):
        assert (
            load_norm_table("managers", version, directory=tmp_path).scales
            == load_norm_table("managers", version).scales
        )


def test_build_provisional_check_detects_stale_files(tmp_path, capsys):
    assert build_provisional.main(["--check"]) == 0
    assert build_provisional.main(["--out", str(tmp_path)]) == 0
    assert build_provisional.main(["--check", "--out", str(tmp_path)]) == 0
    path = tmp_path / "general.v1.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"n": 1000', '"n": 999'), encoding="utf-8")
    assert build_provisional.main(["--check", "--out", str(tmp_path)]) == 1
    assert "general.v1.json" in capsys.readouterr().err
    path.unlink()
    (tmp_path / "managers.v2.json").unlink()
    assert build_provisional.main(["--check", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "general.v1.json" in err and "managers.v2.json" in err and "general.v2.json" not in err


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
    assert {"general.v1.json", "managers.v1.json", "general.v2.json", "managers.v2.json"} <= {
        p.name for p in DATA_DIR.iterdir()
    }


# ----------------------------------------------------------------- inverse normal

@pytest.mark.parametrize(
    ("p", "z"),
    [
        (0.5, 0.0),
        (0.8413447460685429, 1.0),  # Phi(1)
        (0.9, 1.2815515655446004),
        (0.95, 1.6448536269514722),
        (0.975, 1.959963984540054),
        (0.99, 2.3263478740408408),
        (0.995, 2.5758293035489004),
        (0.999, 3.090232306167813),
        (0.01, -2.3263478740408408),
        (0.02425, NormalDist().inv_cdf(0.02425)),  # boundary of Acklam's central region
        (1e-10, -6.361340902404056),
    ],
)
def test_normal_quantile_known_values(p, z):
    assert normal_quantile(p) == pytest.approx(z, abs=1e-12)


def test_normal_quantile_rounded_textbook_values():
    assert round(normal_quantile(0.95), 4) == 1.6449
    assert round(normal_quantile(0.975), 4) == 1.9600
    assert round(z_for_level(0.90), 4) == 1.6449
    assert round(z_for_level(0.95), 4) == 1.9600
    assert round(z_for_level(0.68), 3) == 0.994


@FAST
@given(st.floats(min_value=1e-300, max_value=1.0 - 1e-16))
def test_normal_quantile_matches_the_standard_library(p):
    # statistics.NormalDist.inv_cdf is Wichura's AS241: an independent implementation.
    assert normal_quantile(p) == pytest.approx(NormalDist().inv_cdf(p), abs=1e-12, rel=1e-13)


@FAST
@given(st.floats(min_value=0.5, max_value=1.0, exclude_max=True))
def test_normal_quantile_is_exactly_antisymmetric(p):
    # For p >= 0.5, 1 - p is exact in floating point (Sterbenz), and the upper half is
    # computed from the lower one, so the results are exact negatives.
    assert normal_quantile(p) == -normal_quantile(1.0 - p)


@FAST
@given(st.floats(min_value=1e-9, max_value=1 - 1e-9), st.floats(min_value=1e-9, max_value=1 - 1e-9))
def test_normal_quantile_is_monotone_and_inverts_phi(a, b):
    lo, hi = min(a, b), max(a, b)
    assert normal_quantile(lo) <= normal_quantile(hi)
    assert phi(normal_quantile(lo)) == pytest.approx(lo, rel=1e-9)


@pytest.mark.parametrize("p", [0.0, 1.0, -0.1, 1.5, math.nan, math.inf])
def test_normal_quantile_rejects_probabilities_outside_the_open_unit_interval(p):
    with pytest.raises(ValueError, match="between 0 and 1"):
        normal_quantile(p)


@pytest.mark.parametrize("level", [0.0, 1.0, 90, -0.5, math.nan])
def test_z_for_level_rejects_bad_levels(level):
    with pytest.raises(ValueError, match="confidence level"):
        z_for_level(level)


# ----------------------------------------------------------------- format 2: shipped tables

@pytest.mark.parametrize("group", SHIPPED)
def test_shipped_v2_table_is_the_default_provisional_and_complete(group):
    table = load_norm_table(group)
    assert (table.version, table.ref, table.format_version) == ("2", f"{group}.v2", 2)
    assert table.path == DATA_DIR / f"{group}.v2.json"
    assert table.provisional is True
    assert set(table.scales) == V2_SCALES
    assert len(FACET_SCALES) == 20
    assert table.n == build_provisional.N and table.warnings == ()
    assert "NOT BASED ON REAL DATA" in table.method_for("en")
    assert "INTE BASERAD PÅ VERKLIGA DATA" in table.method_for("sv")
    assert "No real respondents" in table.source
    for name in {f"personality.{d}" for d in DOMAINS}:
        assert table.scales[name].reliability == build_provisional.RELIABILITY_DOMAIN == 0.85
    for name in FACET_SCALES:
        scale = table.scales[name]
        assert scale.reliability == build_provisional.RELIABILITY_FACET == 0.70
        assert (scale.min, scale.max, scale.discrete, scale.latent, scale.n) == (1, 5, False, False, 1000)
    number_correct = table.scales["logic.number_correct"]
    assert 0.6 < number_correct.reliability < 0.75  # KR-20 of the simulated responses
    theta = table.scales["logic.theta"]
    assert (theta.min, theta.max, theta.discrete, theta.latent, theta.n) == (-4, 4, False, True, None)
    assert theta.reliability is None  # bands on theta come from the candidate's own IRT SE


def test_shipped_v2_keeps_the_v1_numbers():
    for group in SHIPPED:
        v1, v2 = load_norm_table(group, 1), load_norm_table(group, 2)
        for name, scale in v1.scales.items():
            assert (scale.mean, scale.sd, scale.min, scale.max, scale.discrete) == (
                v2.scales[name].mean, v2.scales[name].sd, v2.scales[name].min,
                v2.scales[name].max, v2.scales[name].discrete,
            ), name


def test_theta_metric_is_standard_normal_for_general_and_assumed_for_managers():
    general, managers = load_norm_table("general"), load_norm_table("managers")
    assert (general.scales["logic.theta"].mean, general.scales["logic.theta"].sd) == (0.0, 1.0)
    assert (managers.scales["logic.theta"].mean, managers.scales["logic.theta"].sd) == (0.25, 0.95)
    assert general.convert("logic.theta", 0.0).percentile == 50.0
    assert general.convert("logic.theta", 1.0).percentile == 84.1
    assert managers.convert("logic.theta", 0.25).percentile == 50.0
    assert "assumption" in managers.method_for("en") and "antagande" in managers.method_for("sv")


@pytest.mark.parametrize("spec", build_provisional.GROUPS.values(), ids=lambda s: s.group)
def test_shipped_facets_match_the_documented_parameters(spec):
    table = load_norm_table(spec.group)
    for domain, facets in build_provisional.FACETS.items():
        mean, sd = spec.personality[domain]
        domain_sd = table.scales[f"personality.{domain}"].sd
        for facet in facets:
            scale = table.scales[f"personality.{facet}"]
            assert abs(scale.mean - mean) < 0.07, facet  # n = 1000: SE of the mean ~0.02
            assert abs(scale.sd - build_provisional.FACET_SD_FACTOR * sd) < 0.05, facet
            assert scale.sd > domain_sd, facet  # facets are more spread than their domain


def test_facet_ids_match_the_inventory():
    from item_banks import load_inventory

    inventory = load_inventory()
    assert [f.id for f in inventory.facets] == [
        f for domain in DOMAINS for f in build_provisional.FACETS[domain]
    ]
    assert {f.domain for f in inventory.facets} == set(DOMAINS)


# ----------------------------------------------------------------- format 2: validation

def minimal_v2(**overrides) -> dict:
    doc = minimal_table(format_version=2)
    doc["scales"] = {
        "logic.theta": {
            "distribution": "normal", "mean": 0, "sd": 1, "min": -4, "max": 4,
            "discrete": False, "latent": True, "n": None,
        },
        "logic.number_correct": {
            "distribution": "normal", "mean": 10, "sd": 2, "min": 0, "max": 20,
            "discrete": True, "latent": False, "n": 100, "reliability": 0.75,
        },
        "personality.ES": {
            "distribution": "normal", "mean": 3.5, "sd": 0.5, "min": 1, "max": 5,
            "discrete": False, "latent": False, "n": 120, "reliability": 0.84,
        },
    }
    doc.update(overrides)
    return doc


def _v2_scale_with(name="personality.ES", drop=(), **changes) -> dict:
    scales = minimal_v2()["scales"]
    scales[name] = {k: v for k, v in {**scales[name], **changes}.items() if k not in drop}
    return scales


def test_valid_minimal_v2_table_loads(tmp_path):
    write(tmp_path, "test.v1.json", minimal_v2(warnings=["personality.ES: N = 120 is small"]))
    table = load_norm_table("test", directory=tmp_path)
    assert table.format_version == 2
    assert table.warnings == ("personality.ES: N = 120 is small",)
    assert table.scales["personality.ES"].reliability == 0.84
    assert table.scales["personality.ES"].n == 120
    assert table.scales["logic.theta"].latent is True
    assert table.scales["logic.theta"].reliability is None
    assert table.scales["logic.theta"].sem is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (minimal_v2(scales=_v2_scale_with(drop=("latent",))), "missing key.*latent"),
        (minimal_v2(scales=_v2_scale_with(drop=("n",))), "missing key.*n"),
        (minimal_v2(scales=_v2_scale_with(reliabilty=0.8)), "unknown key.*reliabilty"),
        (minimal_v2(scales=_v2_scale_with(reliability=1)), "reliability must be"),
        (minimal_v2(scales=_v2_scale_with(reliability=0)), "reliability must be"),
        (minimal_v2(scales=_v2_scale_with(reliability=None)), "reliability must be"),
        (minimal_v2(scales=_v2_scale_with(reliability="0.8")), "reliability must be"),
        (minimal_v2(scales=_v2_scale_with(n=0)), "n must be a positive integer or null"),
        (minimal_v2(scales=_v2_scale_with(n=12.0)), "n must be a positive integer or null"),
        (minimal_v2(scales=_v2_scale_with(latent="no")), "latent must be true or false"),
        (minimal_v2(scales=_v2_scale_with("logic.number_correct", latent=True)), "latent scale cannot be discrete"),
        (minimal_v2(warnings="small"), "warnings must be a list"),
        (minimal_v2(warnings=[""]), "warnings must be a list"),
        (minimal_v2(n=120), r"n must be the smallest per-scale n \(100\)"),
        (minimal_v2(extra=1), "unknown key.*extra"),
    ],
)
def test_broken_v2_file_gives_norm_error(tmp_path, content, message):
    _refused_naming_the_file(tmp_path, content, message)


# ----------------------------------------------------------------- bands

def test_sem_from_reliability_known_value(tmp_path):
    # SEM = sd * sqrt(1 - r) = 0.5 * sqrt(1 - 0.84) = 0.5 * 0.4 = 0.2
    write(tmp_path, "test.v1.json", minimal_v2())
    table = load_norm_table("test", directory=tmp_path)
    assert table.scales["personality.ES"].sem == pytest.approx(0.2)
    score = table.convert("personality.ES", 3.5)
    assert score.sem == pytest.approx(0.2)
    assert score.level == 0.90
    z90 = 1.6448536269514722
    assert score.raw_band == pytest.approx((3.5 - z90 * 0.2, 3.5 + z90 * 0.2))
    # Band ends at z = -/+ 0.6579 -> percentiles 25.5 and 74.5.
    assert score.band == (25.5, 74.5)
    assert (score.percentile, score.z) == (50.0, 0.0)
    wide = table.convert("personality.ES", 3.5, level=0.95)
    assert wide.raw_band == pytest.approx((3.5 - 1.959963984540054 * 0.2, 3.5 + 1.959963984540054 * 0.2))
    assert wide.level == 0.95 and wide.band[0] < score.band[0] and wide.band[1] > score.band[1]


def test_se_overrides_the_reliability_and_gives_theta_a_band():
    table = load_norm_table("general")
    theta = table.convert("logic.theta", 0.0, se=0.3)
    z90 = 1.6448536269514722
    assert theta.sem == 0.3
    assert theta.raw_band == pytest.approx((-z90 * 0.3, z90 * 0.3))
    # percentile band = 100 * Phi(-/+ 0.4935) = 31.1, 68.9
    assert theta.band == (31.1, 68.9)
    es = table.convert("personality.ES", 3.4, se=0.1)
    assert es.sem == 0.1 and es.sem != table.scales["personality.ES"].sem


def test_no_band_without_reliability_or_se():
    score = load_norm_table("general").convert("logic.theta", 1.2)
    assert (score.band, score.raw_band, score.level, score.sem) == (None, None, None, None)
    v1 = load_norm_table("general", 1).convert("personality.ES", 3.4)
    assert v1.band is None  # format 1 has no reliabilities


def test_band_is_clipped_at_the_scale_edges():
    table = load_norm_table("general")
    top = table.convert("logic.theta", 4.0, se=0.5)
    assert top.raw_band[1] == 4.0 and top.raw_band[0] == pytest.approx(4.0 - 1.6448536269514722 * 0.5)
    assert top.band[1] == 99.9 and top.percentile == 99.9
    bottom = table.convert("personality.CO", 1.0)
    assert bottom.raw_band[0] == 1.0 and bottom.band[0] == bottom.percentile == 0.1
    full = table.convert("personality.AG.trust", 3.0, se=100.0)
    assert full.raw_band == (1.0, 5.0)
    trust = table.scales["personality.AG.trust"]
    assert full.band == (
        percentile_from_z((1 - trust.mean) / trust.sd), percentile_from_z((5 - trust.mean) / trust.sd)
    )
    assert full.band[0] == 0.1 and 95 < full.band[1] < 99.9
    nc = table.convert("logic.number_correct", 0)
    assert nc.raw_band[0] == 0.0 and nc.raw_band[1] > 0


@pytest.mark.parametrize(
    ("scale", "raw"),
    [("logic.theta", 4.0), ("logic.theta", -4.0), ("personality.ES.temper", 1.0),
     ("personality.ES.temper", 5.0), ("logic.number_correct", 20)],
)
def test_conversion_at_the_scale_edges(scale, raw):
    score = load_norm_table("managers").convert(scale, raw, se=0.2)
    assert score.raw == raw
    assert 0.1 <= score.band[0] <= score.percentile <= score.band[1] <= 99.9


@pytest.mark.parametrize(
    ("scale", "raw"),
    [("logic.theta", 4.0001), ("logic.theta", -4.5), ("logic.theta", math.inf),
     ("personality.ES.temper", 0.99), ("personality.OP.ideas", 5.5)],
)
def test_conversion_beyond_the_scale_raises(scale, raw):
    with pytest.raises(ValueError, match="outside the scale range") as info:
        load_norm_table("general").convert(scale, raw, se=0.3)
    assert scale in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"se": 0.0}, ValueError, "se must be a finite number > 0"),
        ({"se": -0.2}, ValueError, "se must be a finite number > 0"),
        ({"se": math.nan}, ValueError, "se must be a finite number > 0"),
        ({"se": math.inf}, ValueError, "se must be a finite number > 0"),
        ({"se": "0.3"}, TypeError, "se must be a real number"),
        ({"se": True}, TypeError, "se must be a real number"),
        ({"level": 1.0}, ValueError, "confidence level"),
        ({"level": 90}, ValueError, "confidence level"),
    ],
)
def test_convert_rejects_bad_se_and_level(kwargs, error, message):
    with pytest.raises(error, match=message):
        load_norm_table("general").convert("logic.theta", 0.5, **kwargs)


@st.composite
def banded_case(draw):
    table = load_norm_table(draw(st.sampled_from(SHIPPED)))
    scale = draw(st.sampled_from(sorted(table.scales)))
    norm = table.scales[scale]
    if norm.discrete:
        raw = draw(st.integers(int(norm.min), int(norm.max)))
    else:
        raw = draw(st.floats(norm.min, norm.max, allow_nan=False))
    se = draw(st.none() | st.floats(1e-6, 10.0)) if norm.reliability is not None else draw(
        st.floats(1e-6, 10.0)
    )
    level = draw(st.floats(0.01, 0.999))
    return table, scale, raw, se, level


@FAST
@given(banded_case())
def test_band_contains_the_point_estimate(case):
    table, scale, raw, se, level = case
    score = table.convert(scale, raw, se=se, level=level)
    norm = table.scales[scale]
    low, high = score.raw_band
    assert norm.min <= low <= score.raw <= high <= norm.max
    assert 0.1 <= score.band[0] <= score.percentile <= score.band[1] <= 99.9
    assert score.level == level and score.sem > 0


@FAST
@given(banded_case(), st.floats(1.0, 5.0), st.floats(0.01, 0.999))
def test_band_widens_with_the_se_and_the_level(case, factor, other_level):
    table, scale, raw, se, level = case
    se = se if se is not None else table.scales[scale].sem
    narrow = table.convert(scale, raw, se=se, level=level)
    wide = table.convert(scale, raw, se=se * factor, level=level)
    assert wide.raw_band[0] <= narrow.raw_band[0] and wide.raw_band[1] >= narrow.raw_band[1]
    assert wide.band[0] <= narrow.band[0] and wide.band[1] >= narrow.band[1]
    lo_level, hi_level = sorted((level, other_level))
    a = table.convert(scale, raw, se=se, level=lo_level)
    b = table.convert(scale, raw, se=se, level=hi_level)
    assert b.band[0] <= a.band[0] and b.band[1] >= a.band[1]


@FAST
@given(
    st.sampled_from(SHIPPED),
    st.sampled_from(sorted({"logic.theta"} | FACET_SCALES)),
    st.floats(0, 1), st.floats(0, 1), st.floats(0.05, 1.5),
)
def test_percentile_and_band_are_monotone_in_raw_for_theta_and_facets(group, scale, u, v, se):
    table = load_norm_table(group)
    norm = table.scales[scale]
    lo, hi = sorted(norm.min + w * (norm.max - norm.min) for w in (u, v))
    low, high = table.convert(scale, lo, se=se), table.convert(scale, hi, se=se)
    assert low.percentile <= high.percentile
    assert low.band[0] <= high.band[0] and low.band[1] <= high.band[1]
    assert low.t <= high.t and low.sten <= high.sten and low.stanine <= high.stanine
