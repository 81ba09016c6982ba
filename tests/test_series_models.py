"""Number and letter series item models of bank 3 (item_banks.generators, checks).

Every item has 8 options; the new models (repeats, pairs, interleaved sub-series with
different rules, growing factors, falling differences, letter groups whose places follow
their own rules, growing steps around Z) are recomputed by the independent checker in
item_banks.checks; a set of 130 items per type spreads its a-priori b over the whole
range with enough item families for the adaptive test.
"""

from __future__ import annotations

import copy
import json
from collections import Counter, defaultdict

import numpy as np
import pytest

from item_banks import checks
from item_banks.checks import (
    _group_readings,
    check_item,
    item_signatures,
    series_predictions,
    series_shortcut_rates,
    series_terms,
    shortcut_success,
)
from item_banks.difficulty import apriori_parameters, guessable_key
from item_banks.families import family_key
from item_banks.generate import (
    GENERATOR_SEED,
    N_PER_TYPE,
    OPERATIONAL_ID_START,
    PRACTICE,
    PRACTICE_ID_START,
)
from item_banks.generators import letter_series, number_series
from item_banks.schema import SERIES_SHORTCUT_MAX

AZ = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MODULES = {"number_series": number_series, "letter_series": letter_series}
GENERATE = {
    "number_series": number_series.generate_number_series_items,
    "letter_series": letter_series.generate_letter_series_items,
}
STREAM = {"number_series": 1, "letter_series": 2}  # as item_banks.generate
NEW_MODELS = {
    "number_series": ("with_repeat", "pairs", "interleaved_rules", "growing_ratio"),
    "letter_series": ("with_repeat", "interleaved_rules", "group_positions"),
}


def _bank_set(item_type: str, seed: int = GENERATOR_SEED) -> list[dict]:
    """The 130 operational items as item_banks.generate makes them (same seed, stream,
    practice items first): with the default seed, those of the shipped bank."""
    rng = np.random.default_rng([seed, STREAM[item_type]])
    n_practice = dict(PRACTICE).get(item_type, 0)
    practice = GENERATE[item_type](rng, n_practice, practice=True, start=PRACTICE_ID_START) if n_practice else []
    avoid = {sig for item in practice for sig in item_signatures(item)}
    return GENERATE[item_type](rng, N_PER_TYPE, start=OPERATIONAL_ID_START, avoid=avoid)


@pytest.fixture(scope="module")
def sets() -> dict[str, list[dict]]:
    return {t: _bank_set(t) for t in MODULES}


def _shown_and_options(item: dict) -> tuple[list, list]:
    line = item["stem"]["en"].split("\n")[0]
    parse = (lambda s: int(s)) if item["type"] == "number_series" else (
        lambda s: AZ.index(s) if len(s) == 1 else tuple(AZ.index(c) for c in s))
    shown = [parse(p) for p in line.split(", ")[:-1]]
    options = [parse(o["en"]) for o in item["options"]]
    return shown, options


def _recomputed_key(item: dict):
    """The next term from the shown terms alone, by the model's rule (not the stated key)."""
    shown, _ = _shown_and_options(item)
    rule = item["model"].split(".", 1)[1]
    if isinstance(shown[0], tuple):
        nexts = _group_readings(shown)[rule]
    else:
        nexts = series_predictions(item["type"], shown)[rule]
    assert len(nexts) == 1, (item["id"], nexts)
    return next(iter(nexts))


# --------------------------------------------------------------------------- every item


@pytest.mark.parametrize("item_type", sorted(MODULES))
def test_every_item_has_8_options_passes_the_checks_and_its_key_is_recomputed(item_type, sets):
    for item in sets[item_type]:
        assert len(item["options"]) == 8, item["id"]
        assert check_item(item) == [], (item["id"], check_item(item))
        _, options = _shown_and_options(item)
        assert options[item["key"]] == _recomputed_key(item), item["id"]
        assert options.count(options[item["key"]]) == 1
        assert apriori_parameters(item)["c"] == pytest.approx(1 / 8)
        for lang in ("sv", "en"):
            assert item["explanation"][lang].strip()
        # the structure's parameters reproduce the shown terms and the key
        if item["model"].split(".")[1] not in ("letter_groups", "group_positions"):
            shown, _ = _shown_and_options(item)
            terms = series_terms(item["model"], item["structure"]["rule"], len(shown) + 1)
            assert terms == shown + [options[item["key"]]], item["id"]


@pytest.mark.parametrize("item_type", sorted(MODULES))
def test_practice_items_have_8_options_too(item_type):
    items = GENERATE[item_type](np.random.default_rng(3), 3, practice=True)
    assert all(len(i["options"]) == 8 and check_item(i) == [] for i in items)
    assert all(apriori_parameters(i)["b"] <= -1.5 for i in items)


@pytest.mark.parametrize("item_type", sorted(MODULES))
def test_every_model_and_variant_is_in_the_set(item_type, sets):
    module = MODULES[item_type]
    models = Counter(i["model"].split(".")[1] for i in sets[item_type])
    assert set(models) == {name for name, _ in module.MODELS}
    for name in NEW_MODELS[item_type]:
        assert models[name] >= 7, (name, models)
    # a model planned per variant gets exactly its weight in MODELS
    weights = dict(module.MODELS)
    for name, variants in module.VARIANTS.items():
        assert sum(w for _, w in variants) == weights[name], name


def test_generation_is_deterministic_and_fast():
    import time

    for item_type in MODULES:
        t0 = time.perf_counter()
        a = _bank_set(item_type)
        assert time.perf_counter() - t0 < 3.0
        b = _bank_set(item_type)
        assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
        assert [i["stem"] for i in a] != [i["stem"] for i in _bank_set(item_type, seed=7)]


# --------------------------------------------------------------------------- targets of bank 3


@pytest.mark.parametrize("item_type", sorted(MODULES))
def test_a_set_of_130_measures_the_whole_range(item_type, sets):
    items = sets[item_type]
    b = np.array([apriori_parameters(i)["b"] for i in items])
    assert len(items) == 130
    assert (b > 1.5).sum() >= 30 and (b < -1.5).sum() >= 12
    for low in np.arange(-2.5, 2.5, 0.5):
        assert ((b >= low) & (b < low + 0.5)).sum() >= 6, (item_type, low)
    assert (b > 2.5).sum() >= 3  # strong candidates (theta 2-2.5) need items there
    assert b.min() >= -2.5 and b.max() <= 3.0


@pytest.mark.parametrize("item_type", sorted(MODULES))
def test_a_set_of_130_has_enough_item_families(item_type, sets):
    families = defaultdict(list)
    for item in sets[item_type]:
        families[family_key(item)].append(apriori_parameters(item)["b"])
    assert len(families) >= 20
    assert sum(any(x > 1.5 for x in bs) for bs in families.values()) >= 6
    assert sum(any(x < -1.5 for x in bs) for bs in families.values()) >= 4
    assert max(len(bs) for bs in families.values()) <= 12


@pytest.mark.parametrize("item_type", sorted(MODULES))
def test_the_key_rank_is_balanced_over_the_8_options(item_type, sets):
    ranks = Counter()
    for item in sets[item_type]:
        values = checks._numeric_options(item)
        ranks[sorted(values).index(values[item["key"]])] += 1
    assert sorted(ranks) == list(range(8))
    assert max(ranks.values()) - min(ranks.values()) <= 1, ranks  # 130 = 16 x 8 + 2
    rates = series_shortcut_rates(sets[item_type])[item_type]
    assert rates["median"] <= SERIES_SHORTCUT_MAX and rates["closest_to_mean"] <= SERIES_SHORTCUT_MAX


# --------------------------------------------------------------------------- the checker


@pytest.mark.parametrize(
    "item_type,shown,rule,expected",
    [
        ("number_series", [2, 9, 4, 9, 6, 9], "with_repeat", 8),
        ("number_series", [9, 2, 9, 4, 9, 6, 9], "with_repeat", 8),
        ("number_series", [9, 2, 9, 4, 9, 6], "with_repeat", 9),
        ("number_series", [3, 3, 5, 5, 7], "pairs", 7),
        ("number_series", [3, 3, 5, 5, 7, 7], "pairs", 9),
        ("number_series", [5, 40, 6, 45, 8, 50, 11, 55], "interleaved_rules", 15),  # +1, +2, +3 | +5
        ("number_series", [56, 569, 28, 563, 14, 557], "interleaved_rules", 7),  # / 2 | -6
        ("number_series", [16, 3, 17, 5, 22, 11, 31, 21], "interleaved_rules", 44),  # growing | growing
        ("number_series", [2, 4, 12, 48], "growing_ratio", 240),  # x2, x3, x4, x5
        ("number_series", [1440, 720, 240, 60], "growing_ratio", 12),  # /2, /3, /4, /5
        ("number_series", [100, 98, 94, 86], "ratio_difference", 70),  # -2, -4, -8, -16
        ("letter_series", [1, 12, 2, 12, 3, 12], "with_repeat", 4),  # B, M, C, M, D, M -> E
        ("letter_series", [0, 25, 1, 23, 3, 21, 6, 19], "interleaved_rules", 10),  # A Z B X D V G T -> K
        ("letter_series", [21, 22, 24, 1], "growing_step", 5),  # V W Y B -> F (around Z)
    ],
)
def test_new_rules_are_recomputed_from_the_shown_terms(item_type, shown, rule, expected):
    assert series_predictions(item_type, shown)[rule] == {expected}


def test_letter_group_readings():
    def g(*texts):
        return [tuple(AZ.index(c) for c in t) for t in texts]

    assert _group_readings(g("AZ", "BY", "CX")) == {"group_positions": {(3, 22)}}  # DW
    assert _group_readings(g("AA", "BB", "CC"))["letter_groups"] == {(3, 3)}
    assert _group_readings(g("HEQ", "IEO", "KEM", "NEK"))["group_positions"] == {(17, 4, 8)}  # REI
    assert "group_positions" not in _group_readings(g("AZ", "BY", "DW"))  # no rule for the first place


def _one(item_type: str, model: str, sets) -> dict:
    return copy.deepcopy(next(i for i in sets[item_type] if i["model"] == f"{item_type}.{model}"))


NEW_CASES = [(t, m) for t in sorted(NEW_MODELS) for m in NEW_MODELS[t]] + [
    ("number_series", "ratio_difference"), ("letter_series", "letter_groups"), ("letter_series", "growing_step")]


@pytest.mark.parametrize("item_type,model", NEW_CASES)
def test_a_wrong_key_is_caught(item_type, model, sets):
    item = _one(item_type, model, sets)
    assert check_item(item) == []
    item["key"] = (item["key"] + 3) % 8
    assert any("key is option" in p for p in check_item(item)), check_item(item)


@pytest.mark.parametrize("item_type,model", NEW_CASES)
def test_a_distractor_that_also_continues_the_series_is_caught(item_type, model, sets):
    item = _one(item_type, model, sets)
    other = (item["key"] + 1) % 8
    item["options"][other] = dict(item["options"][item["key"]])
    problems = check_item(item)
    assert any("2 options" in p or "must be exactly one option" in p or "not distinct" in p
               for p in problems), problems


def _nudge_first_start(rule: dict) -> None:
    """Move the first start (number or letter) of a rule's parameters one step on."""
    spec = (rule.get("subseries") or rule.get("positions") or [rule])[0]
    for name in ("starts", "start", "value", "letter"):
        if name in spec:
            holder, key = (spec[name], 0) if name == "starts" else (spec, name)
            value = holder[key]
            holder[key] = value + 1 if isinstance(value, int) else AZ[(AZ.index(value) + 1) % 26]
            return
    raise AssertionError(f"no start in {rule}")


@pytest.mark.parametrize("item_type,model", NEW_CASES)
def test_a_changed_term_or_rule_is_caught(item_type, model, sets):
    item = _one(item_type, model, sets)
    broken = copy.deepcopy(item)
    _nudge_first_start(broken["structure"]["rule"])
    assert any("structure.rule" in p for p in check_item(broken)), check_item(broken)
    # the stem's third term changed: the rule no longer fits the shown terms
    broken = copy.deepcopy(item)
    for lang in ("sv", "en"):
        lines = broken["stem"][lang].split("\n")
        parts = lines[0].split(", ")
        parts[2] = str(int(parts[2]) + 1) if item_type == "number_series" else "".join(
            AZ[(AZ.index(c) + 1) % 26] for c in parts[2])
        broken["stem"][lang] = "\n".join([", ".join(parts)] + lines[1:])
    broken["structure"]["shown"] = broken["stem"]["en"].split("\n")[0].split(", ")[:-1]
    if item_type == "number_series":
        broken["structure"]["shown"] = [int(x) for x in broken["structure"]["shown"]]
    assert check_item(broken), item["id"]


def test_readings_that_fit_the_same_series_agree_and_a_second_key_is_caught():
    """4, 4, 8, 8, 16, 16 fits two readings, two interleaved doubling series and a cycle of
    +0 and x2: both give 32, so the item is valid. "Every number twice" does not fit (the
    pairs do not step by a constant), so 24 is a plain distractor; a second 32 is not."""
    item = {
        "id": "NS-T", "type": "number_series", "model": "number_series.interleaved_rules",
        "stem": {"sv": "4, 4, 8, 8, 16, 16, ?", "en": "4, 4, 8, 8, 16, 16, ?"},
        "structure": {"shown": [4, 4, 8, 8, 16, 16], "rule": {"subseries": [
            {"kind": "ratio", "start": 4, "factor": 2, "divide": False},
            {"kind": "ratio", "start": 4, "factor": 2, "divide": False}]}},
        "options": [{"sv": s, "en": s} for s in ("32", "24", "20", "31", "33", "30", "34", "28")],
        "key": 0,
    }
    assert check_item(item) == []
    predictions = series_predictions("number_series", [4, 4, 8, 8, 16, 16])
    assert predictions["interleaved_rules"] == predictions["alternating_operations"] == {32}
    assert "pairs" not in predictions
    item["options"][1] = {"sv": "32", "en": "32"}
    assert any("2 options" in p for p in check_item(item))


# --------------------------------------------------------------------------- guessing and shortcuts


def test_shortcut_success_with_8_options():
    values = [10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0]
    # the key is one of the two middle options: "take the middle" finds it half of the time
    assert shortcut_success(values, 3) == (0.5, 0.5)  # 13 and 14 tie for closest to 13.5
    assert shortcut_success(values, 0) == (0.0, 0.0)
    skewed = [10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 40.0]  # mean 16.375
    assert shortcut_success(skewed, 6) == (0.0, 1.0)


def _series_item(values, key):
    return {"type": "number_series", "key": key, "options": [{"sv": str(v), "en": str(v)} for v in values]}


def test_guessable_key_means_a_shortcut_leads_to_the_key_alone():
    eight = [10, 11, 12, 13, 14, 15, 16, 17]
    assert not guessable_key(_series_item(eight, 3))  # one of two middles, tied for closest
    assert guessable_key(_series_item([10, 11, 12, 13, 14, 15, 16, 40], 6))  # only one closest to the mean
    assert guessable_key(_series_item([11, 12, 13, 14, 15], 2))  # 5 options: the median
    assert not guessable_key(_series_item([11, 12, 13, 14, 15], 0))


def test_the_shortcut_limit_catches_symmetric_distractors(sets):
    items = copy.deepcopy(sets["number_series"])
    for item in items:  # the key always in the middle of evenly spaced options
        key = int(item["options"][item["key"]]["en"])
        item["options"] = [{"sv": str(key + k), "en": str(key + k)} for k in (-30, -20, -10, 0, 10, 20, 30, 40)]
        item["key"] = 3
    rates = series_shortcut_rates(items)["number_series"]
    assert rates["median"] == 0.5 and rates["closest_to_mean"] == 0.5  # 1/2 for each item
    assert any("number_series" in p for p in checks.shortcut_problems(items))
    assert not [p for p in checks.shortcut_problems(sets["number_series"])]
