"""Figure-matrix item models (model 2): the plan over b, item families, colour arithmetic.

The operational matrix sets are drawn exactly as ``item_banks.generate`` draws them (own
random stream, practice item first), for the shipped seed and two others, and must meet
the bank targets for version 3: at least 30 items with a-priori b > 1.5 and 12 with
b < -1.5 among 130, every band of 0.5 from -2.5 to +2.5 with at least 6 items, at least
20 item families (6 among the hard items, 4 among the easy ones), no family above 12.
"""
from __future__ import annotations

import copy
import json
from collections import Counter

import numpy as np
import pytest

from item_banks import checks, generate
from item_banks.difficulty import apriori_parameters, memory_load
from item_banks.families import family_key
from item_banks.generators import matrix
from item_banks.matrix_check import RULE_LEVEL, rule_predictions, shortcut_rate, solve_matrix
from item_banks.svg import ATTRIBUTES

STREAM = {item_type: stream for item_type, _, stream in generate._TYPES}["matrix"]
SEEDS = (generate.GENERATOR_SEED, 1, 2)


def draw(seed: int) -> tuple[list[dict], list[dict]]:
    """(practice, operational) matrix items of the bank generated with ``seed``."""
    rng = np.random.default_rng([seed, STREAM])
    practice = matrix.generate_matrix_items(rng, dict(generate.PRACTICE)["matrix"], practice=True,
                                            start=generate.PRACTICE_ID_START)
    items = matrix.generate_matrix_items(rng, generate.N_PER_TYPE, start=generate.OPERATIONAL_ID_START)
    return practice, items


@pytest.fixture(scope="module", params=SEEDS, ids=lambda s: f"seed{s}")
def drawn(request) -> tuple[list[dict], list[dict]]:
    return draw(request.param)


def _b(item: dict) -> float:
    return apriori_parameters(item)["b"]


def _cell(shape="square", count=1, size="large", rotation=0, fill="white"):
    return {"shape": shape, "count": count, "size": size, "rotation": rotation, "fill": fill}


# --------------------------------------------------------------------------- b and families


def test_operational_set_meets_the_b_targets(drawn):
    _, items = drawn
    assert len(items) == 130 and items[0]["id"] == "MX-3001" and items[-1]["id"] == "MX-3130"
    b = np.array([_b(it) for it in items])
    assert (b > 1.5).sum() >= 30, sorted(b)
    assert (b < -1.5).sum() >= 12, sorted(b)
    for low in np.arange(-2.5, 2.5, 0.5):
        inside = ((b >= low) & (b < low + 0.5)).sum()
        assert inside >= 6, (low, inside)
    assert b.max() >= 2.5 and b.min() <= -2.0
    assert -2.5 <= b.min() and b.max() <= 3.0
    report = checks.difficulty_report([{**it, "irt": apriori_parameters(it)} for it in items])
    assert report["empty_unit_bands"] == [] and report["by_type"]["matrix"]["n"] == 130


def test_operational_set_meets_the_family_targets(drawn):
    _, items = drawn
    families = Counter(family_key(it) for it in items)
    hard = {family_key(it) for it in items if _b(it) > 1.5}
    easy = {family_key(it) for it in items if _b(it) < -1.5}
    assert len(families) >= 20, len(families)
    assert len(hard) >= 6 and len(easy) >= 4, (len(hard), len(easy))
    assert max(families.values()) <= 12, families.most_common(3)
    assert max(families.values()) <= int(np.ceil(matrix.FAMILY_SHARE * 130))


def test_hard_items_are_hard_by_their_rules_and_easy_items_have_one_rule(drawn):
    """Difficulty comes from rules the candidate must find, not from surface."""
    _, items = drawn
    for item in items:
        f = item["features"]
        if _b(item) > 1.5:
            assert f["n_rules"] == 3 and memory_load(f) >= 9, (item["id"], f)
        if _b(item) < -1.5:
            assert f["n_rules"] == 1 and f["max_rule_level"] <= 3, (item["id"], f)
    top = [it for it in items if _b(it) >= 2.5]
    # the top band: arithmetic on the count and on the colour, and a distribution of three
    assert len(top) >= 5
    for item in top:
        kinds = {r["attribute"]: r["rule"] for r in item["features"]["rules"] if r["rule"] != "constant"}
        assert kinds["count"] in ("addition", "subtraction") and kinds["fill"] in ("addition", "subtraction")
        assert sorted(kinds.values()).count("distribution") == 1, (item["id"], kinds)


def test_every_item_passes_every_bank_check(drawn):
    practice, items = drawn
    for item in practice + items:
        assert checks.check_item(item) == [], item["id"]
        assert checks.check_svgs(item) == [], item["id"]
        assert checks.check_irt({**item, "irt": apriori_parameters(item)}) == [], item["id"]
        assert apriori_parameters(item)["c"] == pytest.approx(1 / 8)
    assert checks.duplicate_problems(practice + items) == []
    assert shortcut_rate(items) <= 1 / 8
    assert practice[0]["id"] == "MX-P31" and practice[0]["features"]["n_rules"] == 1


def test_same_seed_same_items_other_seed_other_items():
    a, b = draw(generate.GENERATOR_SEED), draw(generate.GENERATOR_SEED)
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    other = draw(7)
    assert [it["structure"] for it in a[1]] != [it["structure"] for it in other[1]]


# --------------------------------------------------------------------------- the plan


def test_band_plan_is_contiguous_and_proportional():
    edges = [(low, high) for low, high, _ in matrix.B_PLAN]
    assert edges[0][0] == -2.5 and edges[-1][1] == 3.0
    assert all(a[1] == b[0] and a[1] - a[0] == 0.5 for a, b in zip(edges, edges[1:]))
    assert matrix._band_counts(130) == [w for _, _, w in matrix.B_PLAN]
    for n in (1, 7, 24, 40, 300):
        counts = matrix._band_counts(n)
        assert sum(counts) == n and min(counts) >= 0
    assert matrix._band_counts(260) == [2 * w for _, _, w in matrix.B_PLAN]
    assert not matrix._in_band(1.5, 1.5, 2.0) and matrix._in_band(1.65, 1.5, 2.0)
    assert matrix._in_band(-2.0, -2.0, -1.5) and not matrix._in_band(-1.5, -2.0, -1.5)


def test_blueprints_are_priced_by_the_difficulty_model():
    assert matrix.blueprint_b(("progression",)) == pytest.approx(-2.2)
    assert matrix.blueprint_b(("distribution",)) == pytest.approx(-1.8)
    assert matrix.blueprint_b(("distribution", "addition", "addition")) == pytest.approx(2.1)
    ordered = sorted(matrix.BLUEPRINTS, key=matrix.blueprint_b)
    assert ordered[0] == ("progression",) and len(ordered[-1]) == 3
    # only the count and the colour take arithmetic, so never three arithmetic rules
    assert ("addition", "addition", "subtraction") not in matrix.BLUEPRINTS
    assert ("addition", "subtraction", "distribution") not in matrix.BLUEPRINTS  # kinds sorted
    assert ("distribution", "addition", "subtraction") in matrix.BLUEPRINTS
    assert {k for kinds in matrix.BLUEPRINTS for k in kinds} == set(RULE_LEVEL) - {"constant"}


# --------------------------------------------------------------------------- colour arithmetic


SHAPES = [["square", "circle", "cross"], ["circle", "cross", "square"], ["cross", "square", "circle"]]


def _matrix(fills: list[list[str | None]]) -> dict:
    """Shapes distributed, size constant per row, one figure, the given colours."""
    cells = [None if fills[r][c] is None
             else _cell(shape=SHAPES[r][c], fill=fills[r][c], size=("small", "medium", "large")[r])
             for r in range(3) for c in range(3)]
    return {"cells": cells, "options": []}


def test_solver_finds_colour_addition_and_subtraction():
    # light grey 1, dark grey 2, black 3: 1 + 1 = 2, 1 + 2 = 3, 2 + 1 = 3
    add = _matrix([["lightgrey", "lightgrey", "darkgrey"],
                   ["lightgrey", "darkgrey", "black"],
                   ["darkgrey", "lightgrey", None]])
    solution = solve_matrix(add)
    assert solution["unique"] and solution["rules"]["fill"] == ["addition"]
    assert solution["answer"] == _cell(shape="circle", size="large", fill="black")
    sub = _matrix([["black", "lightgrey", "darkgrey"],
                   ["darkgrey", "lightgrey", "lightgrey"],
                   ["black", "darkgrey", None]])
    solution = solve_matrix(sub)
    assert solution["rules"]["fill"] == ["subtraction"] and solution["answer"]["fill"] == "lightgrey"


def test_white_takes_no_part_in_colour_arithmetic():
    # white + light grey = light grey would be "addition" if white counted 0; it does not
    rows = [["white", "lightgrey", "lightgrey"], ["white", "darkgrey", "darkgrey"]]
    assert "addition" not in rule_predictions("fill", rows, ["white", "black"])
    # the same rows in counts are ordinary arithmetic
    assert rule_predictions("count", [[1, 1, 2], [1, 2, 3]], [2, 1]) == {"addition": 3}
    # light, dark, black in every row is a progression and a sum: ambiguous, never generated
    both = rule_predictions("fill", [["lightgrey", "darkgrey", "black"]] * 2, ["lightgrey", "darkgrey"])
    assert both == {"progression": "black", "addition": "black"}


def test_colour_arithmetic_items_in_the_bank(drawn):
    _, items = drawn
    rules = Counter((r["attribute"], r["rule"]) for it in items for r in it["features"]["rules"])
    assert rules[("fill", "addition")] >= 5 and rules[("fill", "subtraction")] >= 5, rules
    for item in items:
        if {"attribute": "fill", "rule": "addition"} in item["features"]["rules"] or \
                {"attribute": "fill", "rule": "subtraction"} in item["features"]["rules"]:
            shown = item["structure"]["cells"][:8] + item["structure"]["options"]
            assert all(c["fill"] != "white" for c in shown), item["id"]
            assert "light grey as 1" in item["explanation"]["en"], item["explanation"]
            assert "ljusgrå räknas som 1" in item["explanation"]["sv"], item["explanation"]


def test_checker_catches_a_broken_colour_sum(drawn):
    _, items = drawn
    item = next(it for it in items if {"attribute": "fill", "rule": "addition"} in it["features"]["rules"])
    broken = copy.deepcopy(item)
    first = broken["structure"]["cells"][0]
    # row 1 first cell one shade darker (or lighter): the row no longer adds up
    first["fill"] = {"lightgrey": "darkgrey", "darkgrey": "lightgrey", "black": "darkgrey"}[first["fill"]]
    solution = solve_matrix(broken["structure"])
    assert solution is None or solution["rules"]["fill"] != ["addition"]
    problems = checks.check_item(broken)
    assert problems and any("rule" in p or "SVG" in p for p in problems), problems


def test_fixed_attributes_stay_fixed_in_every_option(drawn):
    """Options differ from the key only in the three bisected attributes (legible choices)."""
    _, items = drawn
    for item in items:
        options = item["structure"]["options"]
        varying = [a for a in ATTRIBUTES if len({o[a] for o in options}) > 1]
        assert len(varying) == 3 and all(Counter(o[a] for o in options).most_common(1)[0][1] == 4 for a in varying)
