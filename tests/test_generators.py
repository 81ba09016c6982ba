"""Item generators, content checks and the a-priori difficulty model (item_banks).

Every generated item is checked by item_banks.checks, which recomputes the answer from
the stem, the rule or the logical form; these tests also break items on purpose to show
that the checks notice.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from item_banks import checks, difficulty
from item_banks.checks import (
    check_item,
    difficulty_report,
    item_signatures,
    series_shortcut_rates,
)
from item_banks.difficulty import apriori_b, apriori_parameters
from item_banks.generators import deductive, letter_series, number_series
from item_banks.schema import SERIES_SHORTCUT_MAX
from item_banks.team_names import name_in

FAST = settings(database=None, deadline=None, max_examples=60)
SEEDS = range(6)

TEXT_GENERATORS = {
    "number_series": (number_series.generate_number_series_items, number_series, "NS"),
    "letter_series": (letter_series.generate_letter_series_items, letter_series, "LS"),
    "deductive": (deductive.generate_deductive_items, deductive, "DE"),
}


def _generate(item_type, seed, n=60, **kwargs):
    make, _, _ = TEXT_GENERATORS[item_type]
    return make(np.random.default_rng(seed), n, **kwargs)


# --------------------------------------------------------------------------- generators


@pytest.mark.parametrize("item_type", sorted(TEXT_GENERATORS))
@pytest.mark.parametrize("seed", SEEDS)
def test_generated_items_pass_every_check(item_type, seed):
    items = _generate(item_type, seed)
    assert len(items) == 60
    for item in items:
        assert item["type"] == item_type
        assert check_item(item) == [], (item["id"], item["stem"]["en"])
        key_text = item["options"][item["key"]]
        assert sum(o == key_text for o in item["options"]) == 1  # no distractor equals the key
        for lang in ("sv", "en"):
            assert item["explanation"][lang].strip() and item["stem"][lang].strip()
        params = apriori_parameters(item)
        assert 0.3 <= params["a"] <= 3 and -4 <= params["b"] <= 4
        assert params["c"] == pytest.approx(1 / len(item["options"]))


@pytest.mark.parametrize("item_type", sorted(TEXT_GENERATORS))
def test_generators_are_deterministic_and_vary_with_the_seed(item_type):
    a = _generate(item_type, 11, n=30)
    b = _generate(item_type, 11, n=30)
    c = _generate(item_type, 12, n=30)
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert [i["stem"] for i in a] != [i["stem"] for i in c]


@pytest.mark.parametrize("item_type", sorted(TEXT_GENERATORS))
def test_no_duplicates_and_ids_in_order(item_type):
    items = _generate(item_type, 3, n=105, start=7)
    prefix = TEXT_GENERATORS[item_type][2]
    assert [i["id"] for i in items] == [f"{prefix}-{k:03d}" for k in range(7, 112)]
    sigs = [s for i in items for s in item_signatures(i)]
    assert len(sigs) == len(set(sigs))
    assert all(i["practice"] is False for i in items)


@pytest.mark.parametrize("item_type", sorted(TEXT_GENERATORS))
def test_every_model_is_used(item_type):
    _, module, _ = TEXT_GENERATORS[item_type]
    models = Counter(i["model"] for i in _generate(item_type, 5, n=105))
    assert set(models) == {f"{item_type}.{name}" for name, _ in module.MODELS}


@pytest.mark.parametrize("item_type", sorted(TEXT_GENERATORS))
def test_practice_items_are_easy_and_explained(item_type):
    items = _generate(item_type, 2, n=3, practice=True)
    prefix = TEXT_GENERATORS[item_type][2]
    assert [i["id"] for i in items] == [f"{prefix}-P01", f"{prefix}-P02", f"{prefix}-P03"]
    for item in items:
        assert item["practice"] is True and check_item(item) == []
        assert apriori_parameters(item)["b"] <= -1.5
        assert len(item["explanation"]["sv"]) > 20


def test_avoid_skips_known_items():
    first = _generate("number_series", 4, n=20)
    avoid = {s for i in first for s in item_signatures(i)}
    again = number_series.generate_number_series_items(np.random.default_rng(4), 20, avoid=avoid)
    assert not avoid & {s for i in again for s in item_signatures(i)}


def test_series_key_rank_is_spread():
    """Over many items the key is not systematically the middle or the mean-nearest option."""
    items = [i for seed in (0, 1) for t in ("number_series", "letter_series") for i in _generate(t, seed, n=105)]
    rates = series_shortcut_rates(items)
    for item_type in ("number_series", "letter_series"):
        assert rates[item_type]["n"] == 210
        assert rates[item_type]["median"] <= SERIES_SHORTCUT_MAX, rates
        assert rates[item_type]["closest_to_mean"] <= SERIES_SHORTCUT_MAX, rates
        ranks = Counter()
        for item in items:
            if item["type"] == item_type:
                values = checks._numeric_options(item)
                ranks[sorted(values).index(values[item["key"]])] += 1
        # 8 options: every rank 0..7 of the key among the options occurs about equally often
        assert len(ranks) == 8 and max(ranks.values()) <= 0.2 * 210, ranks


def test_key_positions_are_spread():
    for item_type in TEXT_GENERATORS:
        positions = Counter(i["key"] for i in _generate(item_type, 9, n=105))
        assert len(positions) >= 4 and max(positions.values()) <= 0.4 * 105, (item_type, positions)


def test_letter_series_say_how_the_alphabet_works():
    for item in _generate("letter_series", 1, n=40):
        sv, en = item["stem"]["sv"].split("\n")[1], item["stem"]["en"].split("\n")[1]
        assert "A–Z" in sv and "26" in sv and "Å, Ä och Ö" in sv and "Efter Z kommer A" in sv
        assert "A–Z" in en and "26" in en and "After Z comes A" in en
    items = _generate("letter_series", 1, n=60)
    wraps = [i for i in items if i["features"]["wraps"]]
    may_wrap = {f"letter_series.{m}" for m in ("cycle", "growing_step", "alternating_step", "interleaved_rules",
                                              "group_positions")}
    assert wraps and {i["model"] for i in wraps} <= may_wrap
    assert all(i["features"]["wraps"] for i in items if i["model"] == "letter_series.cycle")


def test_deductive_covers_forms_and_undetermined_keys():
    items = _generate("deductive", 8, n=105)
    forms = Counter(i["features"]["form"] for i in items)
    assert {"modus_ponens", "modus_tollens", "affirming_consequent", "denying_antecedent"} <= set(forms)
    assert {"ordering_pair", "ordering_extreme", "some_none", "all_chain"} <= set(forms)
    orderings = [i for i in items if i["features"]["logic"] == "order"]
    assert {i["features"]["n_terms"] for i in orderings} == {3, 4, 5, 6}
    assert any(i["features"]["key_undetermined"] for i in orderings)
    assert any(not i["features"]["key_undetermined"] for i in orderings)
    # the invalid forms always have "cannot be determined" as key
    for item in items:
        if item["features"]["form"] in ("affirming_consequent", "denying_antecedent", "all_converse"):
            assert item["features"]["key_undetermined"]
            assert item["options"][item["key"]]["en"].startswith("It cannot be determined")


def test_deductive_texts_name_what_the_logic_says():
    for item in _generate("deductive", 6, n=60):
        s = item["structure"]
        for lang in ("sv", "en"):
            premises, question = item["stem"][lang].split("\n\n")
            assert question.endswith("?")
            assert len(premises.split("\n")) == len(s["premises"])
            for name in s.get("entities", []):
                assert name_in(lang, name) in premises  # a team's English name in English
            if lang == "en":
                assert not any(team in item["stem"]["en"] or any(team in o["en"] for o in item["options"])
                               or team in item["explanation"]["en"] for team in deductive.TEAMS)
        if s["logic"] == "propositional":  # Swedish word order: "Om X inte är ..., är Y ..."
            for line in item["stem"]["sv"].split("\n"):
                if line.startswith("Om "):
                    assert ", " in line and not re.search(r"\binte\b.*\binte\b.*,", line)


# --------------------------------------------------------------------------- checks catch errors


def _one(item_type, seed=0, model=None):
    for item in _generate(item_type, seed, n=60):
        if model is None or item["model"].endswith(model):
            return copy.deepcopy(item)
    raise AssertionError(model)


def test_series_check_catches_a_changed_key():
    item = _one("number_series")
    item["key"] = (item["key"] + 1) % len(item["options"])
    assert any("key is option" in p for p in check_item(item))


def test_series_check_catches_a_wrong_series():
    item = _one("number_series", model="constant_difference")
    shown = item["structure"]["shown"]
    shown[-1] += 1
    item["stem"] = {lang: ", ".join(map(str, shown)) + ", ?" for lang in ("sv", "en")}
    problems = check_item(item)
    assert any("do not follow the rule" in p for p in problems), problems


def test_series_check_catches_a_distractor_another_rule_explains():
    # 1, 1, 2, 4, 7: the differences 0, 1, 2, 3 grow by one (-> 11), but each term from
    # the fourth on is also the sum of the three before it (-> 13)
    item = _one("number_series", model="growing_difference")
    item.update({
        "stem": {"sv": "1, 1, 2, 4, 7, ?", "en": "1, 1, 2, 4, 7, ?"},
        "structure": {"shown": [1, 1, 2, 4, 7], "rule": {"start": 1, "first_difference": 0, "difference_step": 1}},
        "options": [{"sv": s, "en": s} for s in ("11", "10", "12", "9", "14")],
        "key": 0,
    })
    assert check_item(item) == []
    item["options"][4] = {"sv": "13", "en": "13"}
    problems = check_item(item)
    assert problems == ["distractor 13 also continues the series (rule fibonacci_like)"]


def test_letter_group_check():
    item = _one("letter_series", model="letter_groups")
    assert check_item(item) == []
    item["key"] = (item["key"] + 1) % len(item["options"])
    assert any("next group" in p for p in check_item(item))


def test_deductive_check_catches_a_changed_key_and_a_second_valid_option():
    item = _one("deductive", model="modus_ponens")
    assert check_item(item) == []
    broken = copy.deepcopy(item)
    broken["key"] = (item["key"] + 1) % 6
    assert any("key is option" in p for p in check_item(broken))
    # make a distractor's logical form equal to the key's: two options follow
    broken = copy.deepcopy(item)
    other = (item["key"] + 1) % 6
    broken["structure"]["options"][other] = item["structure"]["options"][item["key"]]
    assert any("2 options follow" in p for p in check_item(broken))


def test_deductive_check_catches_text_that_does_not_match_the_logic():
    item = _one("deductive", model="ordering_pair")
    name = item["structure"]["entities"][0]
    i = next(k for k, f in enumerate(item["structure"]["options"]) if name in f[1:])
    item["options"][i]["sv"] = item["options"][i]["sv"].replace(name, "Zelda")
    assert any("does not mention" in p for p in check_item(item))


@pytest.mark.parametrize(
    "premises,form,expected",
    [
        ([["gt", "A", "B"], ["gt", "B", "C"]], ["gt", "A", "C"], True),
        ([["gt", "A", "B"], ["gt", "A", "C"]], ["undetermined_pair", "B", "C"], True),
        ([["gt", "A", "B"], ["gt", "A", "C"]], ["top", "A"], True),
        ([["gt", "A", "B"], ["gt", "A", "C"]], ["undetermined", "bottom"], True),
        ([["gt", "A", "B"], ["gt", "A", "C"]], ["bottom", "C"], False),
    ],
)
def test_entails_order_known_values(premises, form, expected):
    assert checks.entails_order(["A", "B", "C"], premises, form) is expected


@pytest.mark.parametrize(
    "premises,form,expected",
    [
        ([["if", "p", "q"], ["fact", "p"]], ["fact", "q"], True),
        ([["if", "p", "q"], ["not", "q"]], ["not", "p"], True),
        ([["if", "p", "q"], ["fact", "q"]], ["undetermined", "p"], True),
        ([["if", "p", "q"], ["not", "p"]], ["not", "q"], False),
        ([["if", ["not", "p"], "q"], ["not", "q"]], ["fact", "p"], True),
        ([["if", "p", "q"], ["if", "q", "r"]], ["if", "p", "r"], True),
        ([["if", "p", "q"], ["if", "q", "r"]], ["if", "r", "p"], False),
    ],
)
def test_entails_propositional_known_values(premises, form, expected):
    assert checks.entails_propositional(premises, form) is expected


@pytest.mark.parametrize(
    "premises,form,expected",
    [
        ([["all", "a", "b"], ["is", "n", "a"]], ["is", "n", "b"], True),
        ([["all", "a", "b"], ["is", "n", "b"]], ["undetermined", "n", "a"], True),
        ([["some", "a", "b"], ["none", "b", "c"]], ["some_not", "a", "c"], True),
        ([["some", "a", "b"], ["none", "b", "c"]], ["none", "a", "c"], False),
        ([["all", "a", "b"], ["some", "c", "a"]], ["some", "c", "b"], True),
    ],
)
def test_entails_monadic_known_values(premises, form, expected):
    assert checks.entails_monadic(premises, form) is expected


def test_contradictory_premises_are_reported():
    item = _one("deductive", model="ordering_pair")
    a, b = item["structure"]["entities"][:2]
    item["structure"]["premises"] += [["gt", a, b], ["gt", b, a]]
    assert any("contradictory" in p for p in check_item(item))


def test_check_irt():
    item = {"options": [{}] * 5, "irt": {"a": 1.2, "b": 0.0, "c": 0.2}}
    assert checks.check_irt(item) == []
    assert any("out of range" in p for p in checks.check_irt({**item, "irt": {"a": 5, "b": 0, "c": 0.2}}))
    assert any("out of range" in p for p in checks.check_irt({**item, "irt": {"a": 1, "b": -4.5, "c": 0.2}}))
    assert any("1/5" in p for p in checks.check_irt({**item, "irt": {"a": 1, "b": 0, "c": 0.25}}))
    assert any("must be a number" in p for p in checks.check_irt({**item, "irt": {"a": True, "b": 0, "c": 0.2}}))
    assert checks.check_irt({"options": []}) == ["missing field 'irt'"]


def test_check_item_never_raises():
    for broken in ({"type": "deductive", "structure": {"logic": "order", "premises": 5, "options": []},
                    "options": []},
                   {"type": "number_series", "stem": {"sv": "1, x, ?", "en": "1, x, ?"}},
                   {"type": "letter_series", "stem": None}):
        assert check_item(broken)


# --------------------------------------------------------------------------- difficulty model


NUMBER = {"rule": "constant_difference", "n_rules": 1, "period": 1, "second_order": False,
          "operations": ["add"], "magnitude": 1, "decreasing": False, "n_shown": 5}
LETTER = {"rule": "constant_step", "n_rules": 1, "period": 1, "second_order": False, "max_step": 1,
          "backwards": False, "wraps": False, "group_size": 1, "n_shown": 5}
DEDUCTIVE = {"form": "modus_ponens", "logic": "propositional", "n_premises": 2, "n_terms": 2, "n_models": 1,
             "n_negations": 0, "tollens": False, "key_undetermined": False, "n_converse": 0}
MATRIX = {"rules": [{"attribute": "size", "rule": "progression"}, {"attribute": "shape", "rule": "constant"}],
          "n_rules": 1, "n_attributes": 3, "max_rule_level": 2, "n_elements": 1}


@pytest.mark.parametrize(
    "item_type,features,expected",
    [
        ("number_series", NUMBER, -2.40),
        ("number_series", {**NUMBER, "magnitude": 3, "decreasing": True}, -2.40 + 0.70 + 0.30),
        ("number_series", {**NUMBER, "n_rules": 2, "second_order": True}, -2.40 + 0.70 + 1.40),
        ("number_series", {**NUMBER, "n_rules": 3, "period": 3, "operations": ["add", "multiply"], "magnitude": 3},
         -2.40 + 1.40 + 0.90 + 0.60 + 0.40 + 0.70),
        ("letter_series", LETTER, -2.30),
        ("letter_series", {**LETTER, "max_step": 4, "wraps": True}, -2.30 + 0.45 + 0.70),
        ("letter_series", {**LETTER, "group_size": 3, "n_rules": 2}, -2.30 + 0.50 + 0.70),
        ("deductive", DEDUCTIVE, -2.10),
        ("deductive", {**DEDUCTIVE, "form": "modus_tollens", "n_models": 3, "n_negations": 2, "tollens": True},
         -2.10 + 0.60 * math.log2(3) + 0.70 + 0.50),
        ("deductive", {**DEDUCTIVE, "form": "affirming_consequent", "n_models": 2, "key_undetermined": True,
                       "lure": True}, -2.10 + 0.60 + 0.90 + 1.80),
        ("deductive", {**DEDUCTIVE, "logic": "order", "n_premises": 4, "n_terms": 5, "n_models": 4, "n_converse": 2},
         -2.30 + 0.70 + 0.60 + 1.20 + 0.20),
        ("matrix", MATRIX, -3.00 + 0.80),
        ("matrix", {**MATRIX, "rules": [{"attribute": "count", "rule": "addition"},
                                        {"attribute": "shape", "rule": "distribution"},
                                        {"attribute": "size", "rule": "progression"}],
                    "n_rules": 3, "n_attributes": 5, "max_rule_level": 4, "n_elements": 4},
         -3.00 + 0.40 * 9 + 0.70 + 0.30 + 0.45),
    ],
)
def test_known_features_give_known_b(item_type, features, expected):
    assert apriori_b(item_type, features) == pytest.approx(expected)


def test_parameters_of_a_known_item():
    item = {"type": "number_series", "features": NUMBER, "key": 0,
            "options": [{"sv": s, "en": s} for s in ("11", "12", "13", "14", "15")]}
    # key 11 is the smallest option: no shortcut, one rule -> a = 1.5
    assert apriori_parameters(item) == {"a": 1.5, "b": -2.4, "c": 0.2}
    # key 13 is the median option: a shortcut finds it -> lower discrimination
    assert apriori_parameters({**item, "key": 2})["a"] == pytest.approx(1.3)
    # an undetermined key in a deductive item is guessable too
    de = {"type": "deductive", "features": {**DEDUCTIVE, "key_undetermined": True}, "key": 0, "options": [{}] * 4}
    assert apriori_parameters(de) == {"a": 1.2, "b": -1.2, "c": 0.25}


def test_b_is_clipped():
    huge = {**NUMBER, "n_rules": 9, "period": 9, "second_order": True, "magnitude": 6}
    item = {"type": "number_series", "features": huge, "key": 0, "options": [{"sv": "1", "en": "1"}] * 4}
    assert apriori_parameters(item)["b"] == difficulty.B_RANGE[1]


def test_more_matrix_rules_are_harder():
    one = apriori_b("matrix", MATRIX)
    two = apriori_b("matrix", {**MATRIX, "n_rules": 2, "rules": MATRIX["rules"] + [{"attribute": "fill", "rule": "progression"}]})
    three = apriori_b("matrix", {**MATRIX, "n_rules": 3, "rules": MATRIX["rules"] + [
        {"attribute": "fill", "rule": "progression"}, {"attribute": "rotation", "rule": "progression"}]})
    assert one < two < three


@FAST
@given(
    n_rules=st.integers(1, 3), period=st.integers(1, 3), second=st.booleans(), mult=st.booleans(),
    magnitude=st.integers(1, 4), feature=st.sampled_from(["n_rules", "period", "magnitude", "second_order",
                                                          "decreasing"]),
)
def test_number_b_is_monotone_in_every_feature(n_rules, period, second, mult, magnitude, feature):
    f = {**NUMBER, "n_rules": n_rules, "period": period, "second_order": second, "magnitude": magnitude,
         "operations": ["add", "multiply"] if mult else ["add"]}
    harder = dict(f)
    harder[feature] = True if isinstance(f[feature], bool) else f[feature] + 1
    assert apriori_b("number_series", harder) >= apriori_b("number_series", f)
    if not isinstance(f[feature], bool) or not f[feature]:
        assert apriori_b("number_series", harder) > apriori_b("number_series", f)


@FAST
@given(
    premises=st.integers(2, 4), terms=st.integers(2, 5), models=st.integers(1, 8), negations=st.integers(0, 4),
    feature=st.sampled_from(["n_premises", "n_terms", "n_models", "n_negations", "tollens", "key_undetermined"]),
    logic=st.sampled_from(["order", "monadic", "propositional"]),
)
def test_deductive_b_is_monotone(premises, terms, models, negations, feature, logic):
    f = {**DEDUCTIVE, "logic": logic, "n_premises": premises, "n_terms": terms, "n_models": models,
         "n_negations": negations}
    harder = dict(f)
    harder[feature] = True if isinstance(f[feature], bool) else f[feature] + 1
    assert apriori_b("deductive", harder) > apriori_b("deductive", f) or (
        isinstance(f[feature], bool) and f[feature])


def test_weights_in_the_docstring_match_the_code():
    """The documented table is the model: every weight printed equals the one used."""
    doc = difficulty.__doc__
    sections = {
        "number_series": doc[doc.index("Number series (Simon"):doc.index("Letter series (Simon")],
        "letter_series": doc[doc.index("Letter series (Simon"):doc.index("Deductive items")],
        "deductive": doc[doc.index("Deductive items"):doc.index("Matrices (Carpenter")],
        "matrix": doc[doc.index("Matrices (Carpenter"):doc.index("a (discrimination)")],
    }
    for item_type, weights in difficulty.B_WEIGHTS.items():
        for name, value in weights.items():
            if isinstance(value, dict):
                continue
            assert re.search(rf"\b{name}\s+{re.escape(format(value, '+.2f'))}\b", sections[item_type]), (item_type, name, value)


# --------------------------------------------------------------------------- report


def test_difficulty_report_known_values():
    items = [{"type": t, "practice": False, "irt": {"a": 1.0, "b": b, "c": 0.2}}
             for t, b in [("deductive", -2.2), ("deductive", -0.1), ("matrix", 0.0), ("matrix", 0.49),
                          ("matrix", 3.9), ("deductive", 4.0)]]
    items.append({"type": "matrix", "practice": True, "irt": {"a": 1.0, "b": -1.5, "c": 0.125}})
    report = difficulty_report({"items": items})
    assert report["n"] == 6
    counts = {(band["low"], band["high"]): band for band in report["bands"]}
    assert counts[(-2.5, -2.0)]["count"] == 1
    assert counts[(0.0, 0.5)]["by_type"] == {"deductive": 0, "matrix": 2}
    assert counts[(3.5, 4.0)]["count"] == 2  # the top band includes 4.0
    assert counts[(-1.5, -1.0)]["count"] == 0  # practice items are not counted
    assert report["empty_unit_bands"] == ["[-2, -1)", "[1, 2)"]
    assert report["by_type"]["deductive"]["n"] == 3
    assert report["by_type"]["matrix"]["b"]["max"] == 3.9
    assert "total" in checks.format_difficulty_report(report)


# --------------------------------------------------------------------------- matrices (other module)


def test_matrix_generator_items_pass_the_checks():
    from item_banks.generators import matrix

    items = matrix.generate_matrix_items(np.random.default_rng(1), 24)
    for item in items:
        assert item["type"] == "matrix" and len(item["options"]) == 8
        assert check_item(item) == [], item["id"]
        params = apriori_parameters(item)
        assert params["c"] == pytest.approx(1 / 8)
    rates = checks.shortcut_rates(items)
    assert rates["matrix"] <= checks.MATRIX_SHORTCUT_MAX
    # a broken SVG is caught
    broken = copy.deepcopy(items[0])
    broken["figure"] = broken["figure"].replace("</svg>", "")
    assert any("figure" in p for p in check_item(broken))
