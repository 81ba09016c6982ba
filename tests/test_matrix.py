"""Figure-matrix items: generator, independent solver, distractor design and SVG safety."""
from __future__ import annotations

import copy
import json
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from item_banks.generators.matrix import MODEL_VERSION, generate_matrix_item, generate_matrix_items
from item_banks.matrix_check import (
    RULE_LEVEL,
    check_matrix_item,
    modal_option_index,
    shortcut_rate,
    solve_matrix,
)
from item_banks.svg import ATTRIBUTES, ROTATIONS, check_svg, render_matrix, render_option

SEED = 20261126


@pytest.fixture(scope="module")
def bank() -> list[dict]:
    return generate_matrix_items(np.random.default_rng(SEED), 300)


@pytest.fixture(scope="module")
def singles() -> list[dict]:
    """One item from each of 100 seeds, through the single-item entry point."""
    return [generate_matrix_item(np.random.default_rng(seed), f"S-{seed:03d}") for seed in range(100)]


def _cell(shape="circle", count=1, size="large", rotation=0, fill="white"):
    return {"shape": shape, "count": count, "size": size, "rotation": rotation, "fill": fill}


def _same(a: dict, b: dict) -> bool:
    return all(a[k] == b[k] for k in ATTRIBUTES)


# --------------------------------------------------------------------------- solving


def test_every_generated_item_has_a_unique_solution_shown_by_the_key(bank, singles):
    for item in bank + singles:
        solution = solve_matrix(item["structure"])
        assert solution is not None and solution["unique"], item["id"]
        matching = [i for i, o in enumerate(item["structure"]["options"]) if _same(o, solution["answer"])]
        assert matching == [item["key"]], item["id"]


def test_every_generated_item_passes_the_independent_check(bank, singles):
    problems = [p for item in bank + singles for p in check_matrix_item(item)]
    assert problems == []


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1), st.sampled_from([None, 1, 2, 3]))
def test_any_seed_gives_a_valid_item(seed, n_rules):
    item = generate_matrix_item(np.random.default_rng(seed), "H-001", n_rules=n_rules)
    assert check_matrix_item(item) == []
    if n_rules is not None:
        assert item["features"]["n_rules"] == n_rules


def test_solver_on_a_hand_made_matrix():
    # count +1 per column (2, 3, 4: not also a sum), shapes distributed (Latin square),
    # fill constant per row
    shapes = [["circle", "square", "triangle"], ["square", "triangle", "circle"], ["triangle", "circle", "square"]]
    fills = ["white", "black", "darkgrey"]
    cells = [_cell(shape=shapes[r][c], count=c + 2, fill=fills[r]) for r in range(3) for c in range(3)]
    solution = solve_matrix({"cells": cells[:8] + [None], "options": []})
    assert solution["unique"]
    assert solution["answer"] == _cell(shape="square", count=4, fill="darkgrey")
    assert solution["rules"] == {
        "shape": ["distribution"], "count": ["progression"], "size": ["constant"],
        "rotation": ["constant"], "fill": ["constant"],
    }


def test_solver_addition_subtraction_and_rotation():
    counts = [(1, 2, 3), (2, 2, 4), (1, 1, None)]
    arrows = [(0, 90, 180), (90, 180, 270), (270, 0, None)]
    cells = [
        None if counts[r][c] is None else _cell(shape="arrow", count=counts[r][c], rotation=arrows[r][c])
        for r in range(3) for c in range(3)
    ]
    solution = solve_matrix({"cells": cells, "options": []})
    assert solution["rules"]["count"] == ["addition"]
    assert solution["rules"]["rotation"] == ["progression"]
    assert solution["answer"] == _cell(shape="arrow", count=2, rotation=90)

    counts = [(4, 1, 3), (3, 2, 1), (4, 2, None)]
    cells = [None if counts[r][c] is None else _cell(count=counts[r][c]) for r in range(3) for c in range(3)]
    solution = solve_matrix({"cells": cells, "options": []})
    assert solution["rules"]["count"] == ["subtraction"] and solution["answer"]["count"] == 2


def test_solver_reports_no_rule_and_ambiguity():
    # row 3 changes shape inside the row, though rows 1-2 are constant: no rule fits
    cells = [_cell(shape=s) for s in ["circle"] * 3 + ["square"] * 3 + ["triangle", "circle"]] + [None]
    assert solve_matrix({"cells": cells, "options": []}) is None
    # rows 1,2,3 all count 1,2,3: progression (-> 3) and addition (-> 3) both fit: same answer,
    # two rules; a row 3 of (1, 3) separates them (progression -> 5 impossible, addition -> 4)
    cells = [_cell(count=c) for c in (1, 2, 3, 1, 2, 3, 1, 2)] + [None]
    solution = solve_matrix({"cells": cells, "options": []})
    assert solution["unique"] and solution["rules"]["count"] == ["progression", "addition"]
    # a structure without the empty ninth cell is not a matrix
    assert solve_matrix({"cells": cells[:8] + [_cell()], "options": []}) is None


# --------------------------------------------------------------------------- the set


def test_same_seed_same_json_and_different_seeds_differ():
    a = generate_matrix_items(np.random.default_rng(7), 40)
    b = generate_matrix_items(np.random.default_rng(7), 40)
    c = generate_matrix_items(np.random.default_rng(8), 40)
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert json.dumps(a[0], ensure_ascii=False) == json.dumps(b[0], ensure_ascii=False)
    assert [i["structure"] for i in a] != [i["structure"] for i in c]
    one = generate_matrix_item(np.random.default_rng(3), "X-1")
    assert json.dumps(one) == json.dumps(generate_matrix_item(np.random.default_rng(3), "X-1"))
    assert json.dumps(one) != json.dumps(generate_matrix_item(np.random.default_rng(4), "X-1"))


def test_no_duplicate_matrices_in_a_set(bank):
    signatures = [json.dumps(item["structure"]["cells"][:8], sort_keys=True) for item in bank]
    assert len(set(signatures)) == len(signatures)
    assert len({item["id"] for item in bank}) == len(bank)
    assert bank[0]["id"] == "MX-001" and bank[-1]["id"] == "MX-300"


def test_rule_and_feature_spread(bank):
    n_rules = Counter(item["features"]["n_rules"] for item in bank)
    assert set(n_rules) == {1, 2, 3}
    # the set is planned over b bands (tests/test_matrix_models.py), not by n_rules: each
    # number of rules still makes up a good part of it
    assert all(n >= 60 for n in n_rules.values()), n_rules
    kinds = Counter(r["rule"] for item in bank for r in item["features"]["rules"])
    assert set(kinds) == set(RULE_LEVEL)
    varying = {r["attribute"] for item in bank for r in item["features"]["rules"] if r["rule"] != "constant"}
    assert varying == set(ATTRIBUTES)
    models = Counter(item["model"] for item in bank)
    assert set(models) == {f"matrix.{k}" for k in ("progression", "distribution", "addition", "subtraction")}
    keys = Counter(item["key"] for item in bank)
    assert sorted(keys) == list(range(8)) and max(keys.values()) - min(keys.values()) <= 1


def test_item_format(bank):
    item = bank[0]
    assert MODEL_VERSION == "2"
    assert set(item) == {"id", "type", "model", "practice", "stem", "figure", "options", "key",
                         "features", "structure", "explanation"}
    assert item["type"] == "matrix" and item["practice"] is False
    assert item["stem"] == {"sv": "Vilken figur ska stå på den tomma platsen?",
                            "en": "Which figure belongs in the empty cell?"}
    for it in bank:
        f = it["features"]
        assert set(f) == {"rules", "n_rules", "n_attributes", "max_rule_level", "n_elements"}
        assert [r["attribute"] for r in f["rules"]] == list(ATTRIBUTES)
        assert 1 <= f["n_rules"] <= 3 and f["n_rules"] <= f["n_attributes"]
        assert f["max_rule_level"] == max(RULE_LEVEL[r["rule"]] for r in f["rules"])
        assert it["model"] == "matrix." + max((r["rule"] for r in f["rules"]), key=RULE_LEVEL.get)
        assert all(it["explanation"][lang].strip() for lang in ("sv", "en"))
        assert it["structure"]["cells"][8] is None and len(it["options"]) == 8


def test_practice_items_are_easy():
    items = generate_matrix_items(np.random.default_rng(1), 6, practice=True)
    assert [i["id"] for i in items] == [f"MX-P0{k}" for k in range(1, 7)]
    for item in items:
        assert item["practice"] is True and item["features"]["n_rules"] == 1
        assert item["features"]["max_rule_level"] <= 3
        assert check_matrix_item(item) == []
    with pytest.raises(ValueError):
        generate_matrix_item(np.random.default_rng(1), "P", n_rules=2, practice=True)


def test_explanations_name_the_rules_in_both_languages(bank):
    words = {"progression": ("from left to right", "from one cell to the next"),
             "distribution": ("in a different order",), "addition": ("sum",), "subtraction": ("minus",)}
    sv_words = {"progression": ("från vänster till höger", "från ruta till ruta"),
                "distribution": ("i olika ordning",), "addition": ("summan",), "subtraction": ("minus",)}
    for item in bank:
        for r in item["features"]["rules"]:
            if r["rule"] != "constant":
                assert any(w in item["explanation"]["en"] for w in words[r["rule"]]), item["explanation"]
                assert any(w in item["explanation"]["sv"] for w in sv_words[r["rule"]]), item["explanation"]


# --------------------------------------------------------------------------- distractors


def test_options_are_an_attribute_bisection(bank):
    for item in bank:
        options = item["structure"]["options"]
        varying = [a for a in ATTRIBUTES if len({o[a] for o in options}) > 1]
        assert len(varying) == 3, item["id"]
        for a in varying:
            assert sorted(Counter(o[a] for o in options).values()) == [4, 4], (item["id"], a)
        assert len({json.dumps(o, sort_keys=True) for o in options}) == 8
        assert len({o["svg"] for o in item["options"]}) == 8


def test_wrong_values_occur_in_the_matrix(bank):
    """No option can be ruled out just because it shows a value absent from the matrix."""
    for item in bank:
        cells = item["structure"]["cells"][:8]
        key = item["structure"]["options"][item["key"]]
        for option in item["structure"]["options"]:
            for a in ATTRIBUTES:
                if option[a] != key[a]:
                    assert option[a] in {c[a] for c in cells}, (item["id"], a, option[a])


def test_key_is_not_the_modal_option(bank):
    rate = shortcut_rate(bank)
    assert rate <= 1 / 8 + 0.05, rate


def _naive(item: dict) -> dict:
    """The classic flawed design: each distractor changes one attribute of the key."""
    key = item["structure"]["options"][item["key"]]
    changes = [("count", c) for c in (1, 2, 3, 4) if c != key["count"]]
    changes += [("size", v) for v in ("small", "medium", "large") if v != key["size"]]
    changes += [("fill", v) for v in ("white", "lightgrey", "darkgrey", "black") if v != key["fill"]][:2]
    naive = copy.deepcopy(item)
    naive["structure"]["options"] = [key] + [dict(key, **{a: v}) for a, v in changes]
    naive["key"] = 0
    return naive


def test_the_shortcut_check_catches_one_change_distractors(bank):
    naive = [_naive(item) for item in bank[:60]]
    assert all(len(n["structure"]["options"]) == 8 for n in naive)
    assert modal_option_index(naive[0]["structure"]["options"]) == [0]
    assert shortcut_rate(naive) == 1.0


def test_modal_option_index_ties():
    key = _cell()
    options = [dict(key, size=s, fill=f) for s in ("large", "small") for f in ("white", "black")]
    assert modal_option_index(options) == [0, 1, 2, 3]
    assert modal_option_index([key, dict(key, size="small"), dict(key, fill="black")]) == [0]
    assert shortcut_rate([]) == 0.0


# --------------------------------------------------------------------------- SVG


def test_every_svg_passes_the_checker(bank):
    for item in bank:
        assert check_svg(item["figure"]) == []
        assert all(check_svg(o["svg"]) == [] for o in item["options"])
        assert 'width="' not in item["figure"].split(">")[0]  # the page sizes it
        assert "<script" not in item["figure"] and "style" not in item["figure"]


def test_svg_is_rendered_from_the_structure(bank):
    item = bank[0]
    assert item["figure"] == render_matrix(item["structure"])
    assert [o["svg"] for o in item["options"]] == [render_option(item["structure"], i) for i in range(8)]


def test_rotation_only_where_it_is_visible(bank):
    for item in bank:
        for cell in item["structure"]["cells"][:8] + item["structure"]["options"]:
            assert cell["rotation"] in ROTATIONS[cell["shape"]]
            if cell["shape"] in ("circle", "square", "hexagon", "pentagon", "cross", "diamond"):
                assert cell["rotation"] == 0


GOOD = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">{}</svg>'


@pytest.mark.parametrize(
    "markup, expected",
    [
        (GOOD.format('<script>alert(1)</script>'), "element <script> is not allowed"),
        ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" onload="alert(1)"/>', "event attribute onload"),
        (GOOD.format('<circle cx="5" cy="5" r="3" onclick="x()"/>'), "event attribute onclick"),
        (GOOD.format('<use href="https://evil.example/x.svg#a"/>'), "not an internal '#id' reference"),
        ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 1 1">'
         '<use xlink:href="http://evil.example/a.svg#x"/></svg>', "not an internal '#id' reference"),
        (GOOD.format('<use href="#nowhere"/>'), "#nowhere, which is not in this SVG"),
        (GOOD.format('<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">hi</p></foreignObject>'),
         "element <foreignObject> is not allowed"),
        (GOOD.format('<rect x="1" y="1" width="5" height="5">'), "not well-formed XML"),
        ("<svg", "not well-formed XML"),
        ('<svg xmlns="http://www.w3.org/2000/svg"/>', "has no viewBox"),
        ('<svg viewBox="0 0 1 1"/>', "not in the SVG namespace"),
        ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" width="300px"/>', "fixed width"),
        (GOOD.format('<rect style="fill:url(http://evil.example/p)"/>'), "attribute style on <rect> is not allowed"),
        (GOOD.format('<rect fill="url(https://evil.example/#p)"/>'), "forbidden value"),
        (GOOD.format('<a href="https://evil.example"><rect/></a>'), "element <a> is not allowed"),
        (GOOD.format('<image href="x.png"/>'), "element <image> is not allowed"),
        (GOOD.format('<style>rect{fill:red}</style>'), "element <style> is not allowed"),
        (GOOD.format('<text x="1" y="1">Svar B</text>'), "language-neutral"),
        ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg/>', "DOCTYPE"),
        (GOOD.format('<?xml-stylesheet href="x.css"?><rect/>'), "processing instruction"),
        (GOOD.format('<circle cx="1" cy="1" r="1"/>' * 900), "bytes (limit"),
        ("<html/>", "root element is <html>"),
    ],
)
def test_check_svg_catches(markup, expected):
    problems = check_svg(markup)
    assert any(expected in p for p in problems), problems


def test_check_svg_accepts_internal_references():
    markup = GOOD.format(
        '<defs><clipPath id="c"><circle cx="5" cy="5" r="4"/></clipPath></defs>'
        '<g clip-path="url(#c)"><line x1="0" y1="0" x2="9" y2="9" stroke="#000"/></g>'
        '<text x="50" y="50">?</text>'
    )
    assert check_svg(markup) == []
    assert check_svg('<?xml version="1.0" encoding="UTF-8"?>' + markup) == []


# --------------------------------------------------------------------------- broken items


@pytest.fixture
def item(bank) -> dict:
    return copy.deepcopy(bank[5])


def _assert_named(problems: list[str], item_id: str, fragment: str):
    assert problems, "expected problems"
    assert all(p.startswith(f"item {item_id}:") for p in problems), problems
    assert any(fragment in p for p in problems), problems


def test_check_catches_a_wrong_key(item):
    item["key"] = (item["key"] + 1) % 8
    _assert_named(check_matrix_item(item), item["id"], "shows the solution")


def test_check_catches_a_duplicated_option(item):
    j = (item["key"] + 1) % 8
    k = (item["key"] + 2) % 8
    item["structure"]["options"][k] = dict(item["structure"]["options"][j])
    item["options"][k] = dict(item["options"][j])
    _assert_named(check_matrix_item(item), item["id"], f"options {min(j, k)} and {max(j, k)} look the same")


def test_check_catches_tampered_svg(item):
    item["options"][0]["svg"] = item["options"][0]["svg"].replace("<svg ", '<svg onload="alert(1)" ', 1)
    _assert_named(check_matrix_item(item), item["id"], "event attribute onload")
    item = copy.deepcopy(item)
    item["figure"] = item["figure"].replace("#000000", "#ff0000", 1)
    _assert_named(check_matrix_item(item), item["id"], "figure SVG does not match the structure")


def test_check_catches_a_changed_cell_and_wrong_features(item):
    broken = copy.deepcopy(item)
    broken["features"]["n_rules"] += 1
    _assert_named(check_matrix_item(broken), item["id"], "features.n_rules")
    broken = copy.deepcopy(item)
    cell = broken["structure"]["cells"][4]
    cell["count"] = cell["count"] % 4 + 1
    problems = check_matrix_item(broken)
    _assert_named(problems, item["id"], "")
    broken = copy.deepcopy(item)
    broken["structure"]["cells"][0] = dict(broken["structure"]["cells"][0], shape="circle", rotation=45)
    _assert_named(check_matrix_item(broken), item["id"], "not visible for a circle")
