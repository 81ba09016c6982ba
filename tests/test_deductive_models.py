"""Deductive item models (item_banks/generators/deductive.py, model deductive-3.0).

Every planned form generates items with six options of which the checker (which
recomputes the answer from the logical form) finds exactly one that follows; an
operational set of 130 items spreads its a-priori difficulty over the ability range in
many small item families; the invalid forms affirming the consequent and denying the
antecedent are no longer rated easy.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections import Counter

import numpy as np
import pytest

from item_banks import checks, difficulty
from item_banks.checks import check_item, deductive_follows
from item_banks.difficulty import apriori_b, apriori_parameters
from item_banks.families import family_key
from item_banks.generate import GENERATOR_SEED
from item_banks.generators import deductive

#: the deductive stream of item_banks.generate (stream 4)
BANK_RNG = [GENERATOR_SEED, 4]


def _items_of(spec, seed=0, n=3):
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        item = deductive._make(rng, f"DE-{len(out) + 1:03d}", spec, False)
        if item is not None:
            out.append(item)
    return out


@pytest.fixture(scope="module")
def bank_set():
    items = deductive.generate_deductive_items(np.random.default_rng(BANK_RNG), 130, start=3001)
    return items, np.array([apriori_parameters(i)["b"] for i in items])


# --------------------------------------------------------------------------- every form


@pytest.mark.parametrize("spec", [spec for spec, _ in deductive.PLAN], ids=str)
def test_every_planned_form_gives_six_options_and_exactly_one_conclusion(spec):
    for item in _items_of(spec):
        assert check_item(item) == [], (spec, item["stem"]["en"])
        assert len(item["options"]) == 6 and apriori_parameters(item)["c"] == pytest.approx(1 / 6)
        follows = deductive_follows(item["structure"])
        assert follows.count(True) == 1 and follows.index(True) == item["key"]
        if item["structure"]["logic"] == "monadic":  # also when every group named exists
            assert deductive_follows(item["structure"], existential_import=True) == follows
        assert item["features"]["form"] == spec[0] and item["model"] == f"deductive.{spec[0]}"
        for lang in ("sv", "en"):
            texts = [o[lang].casefold() for o in item["options"]]
            assert len(set(texts)) == 6
            assert len(item["explanation"][lang]) > 40
            premises, question = item["stem"][lang].split("\n\n")
            assert question.endswith("?") and len(premises.split("\n")) == len(item["structure"]["premises"])
        # a key "cannot be determined" reads so, in both languages
        key = item["options"][item["key"]]
        assert key["en"].startswith("It cannot be determined") == item["features"]["key_undetermined"]
        assert key["sv"].startswith("Det går inte att avgöra") == item["features"]["key_undetermined"]


def test_invalid_forms_offer_their_tempting_conclusion():
    """Where ``lure`` is set, the conclusion of the invalid inference is among the options."""
    expected = {  # form -> the fallacy's conclusion in the template letters
        "affirming_consequent": ["fact", 1], "denying_antecedent": ["not", 2],
        "chain_affirming": ["fact", 1], "chain_denying": ["not", 3],
    }
    for form, lure in expected.items():
        assert deductive.CONDITIONALS[form][4] is True and lure in deductive.CONDITIONALS[form][2]
    assert ["is", "n", "A"] in deductive.SYLLOGISMS["all_converse"][2]
    assert ["some", "A", "C"] in deductive.SYLLOGISMS["some_some"][2]
    assert ["none", "A", "C"] in deductive.SYLLOGISMS["none_none"][2]
    lured = {form for form, entry in deductive.SYLLOGISMS.items() if entry[4]}
    assert lured == {"all_converse", "all_denial", "some_some", "shared_predicate", "none_none",
                     "all_chain_converse", "all_chain_denial"}
    # in a generated item of denying the antecedent "not q" is an option that does not follow
    item = _items_of(("denying_antecedent", 0))[0]
    rule = item["structure"]["premises"][0]
    consequent = rule[2]
    denial = ["not", consequent] if isinstance(consequent, str) else ["fact", consequent[1]]
    assert denial in item["structure"]["options"]
    assert item["structure"]["options"].index(denial) != item["key"]


def test_names_are_distinct_and_never_part_of_another():
    names = deductive.NAMES + deductive.TEAMS
    assert len(set(names)) == len(names)
    assert not [(a, b) for a, b in itertools.permutations(names, 2) if a in b]


# --------------------------------------------------------------------------- checker


@pytest.mark.parametrize(
    "premises,form,expected",
    [
        ([["some", "a", "b"], ["some", "b", "c"]], ["undetermined_some", "a", "c"], True),
        ([["all", "a", "b"], ["all", "b", "c"]], ["undetermined_some", "a", "c"], True),  # a may be empty
        ([["all", "a", "b"], ["some", "c", "a"]], ["undetermined_some", "c", "b"], False),
        ([["none", "a", "b"], ["none", "b", "c"]], ["none", "a", "c"], False),
    ],
)
def test_undetermined_some_known_values(premises, form, expected):
    assert checks.entails_monadic(premises, form) is expected


def test_existential_import_changes_what_follows():
    all_chain = [["all", "a", "b"], ["all", "b", "c"]]
    assert checks.entails_monadic(all_chain, ["some", "a", "c"]) is False
    assert checks.entails_monadic(all_chain, ["some", "a", "c"], existential_import=True) is True


def test_checker_rejects_a_distractor_that_follows_when_groups_exist():
    item = _items_of(("all_chain",))[0]
    assert check_item(item) == []
    a, c = item["structure"]["options"][item["key"]][1:]
    wrong = (item["key"] + 1) % 6
    item["structure"]["options"][wrong] = ["some", a, c]  # true as soon as anyone has a
    problems = check_item(item)
    assert any("non-empty" in p for p in problems), problems


@pytest.mark.parametrize(
    "premises,form,expected",
    [
        ([["gt", "A", "B"], ["gt", "B", "C"], ["if", ["gt", "A", "C"], "e"]], ["fact", "e"], True),
        ([["if", ["gt", "A", "B"], "e"], ["not", "e"], ["gt", "A", "C"]], ["gt", "B", "C"], True),
        ([["if", ["gt", "A", "B"], "e"], ["not", "e"], ["gt", "A", "C"]], ["gt", "A", "B"], False),
        ([["if", ["gt", "A", "B"], "e"], ["fact", "e"], ["gt", "B", "C"]], ["undetermined_pair", "A", "C"], True),
        ([["if", ["gt", "A", "B"], "e"], ["fact", "e"], ["gt", "B", "C"]], ["gt", "A", "C"], False),
        ([["if", ["gt", "A", "B"], "e"], ["gt", "B", "C"], ["gt", "C", "A"]], ["undetermined", "e"], True),
        ([["if", ["gt", "A", "B"], "e"], ["gt", "B", "C"], ["gt", "C", "A"]], ["not", "e"], False),
    ],
)
def test_entails_mixed_known_values(premises, form, expected):
    assert checks.entails_mixed(["A", "B", "C"], premises, form) is expected


def test_entails_propositional_and():
    mp = [["if", "p", "q"], ["fact", "p"]]
    assert checks.entails_propositional(mp, ["and", "p", "q"]) is True
    assert checks.entails_propositional(mp, ["and", "p", ["not", "q"]]) is False


def test_checker_catches_a_second_valid_option_in_a_mixed_item():
    item = _items_of(("order_tollens", 4, False))[0]
    assert check_item(item) == []
    broken = copy.deepcopy(item)
    a, b = item["structure"]["premises"][[p[0] for p in item["structure"]["premises"]].index("if")][1][1:]
    broken["structure"]["options"][(item["key"] + 1) % 6] = ["gt", b, a]  # the reversed condition follows
    assert any("2 options follow" in p for p in check_item(broken))


# --------------------------------------------------------------------------- difficulty


def test_invalid_forms_are_no_longer_rated_easy():
    """Affirming the consequent and denying the antecedent: b from the lure weight, known values."""
    ac = _items_of(("affirming_consequent", 0))[0]
    da = _items_of(("denying_antecedent", 0))[0]
    assert ac["features"]["lure"] and da["features"]["lure"]
    # -2.10 + log2(2) x 0.60 + 0.90 (undetermined) + 1.80 (lure) [+ 0.35 for DA's "not p"]
    assert apriori_parameters(ac)["b"] == pytest.approx(1.20)
    assert apriori_parameters(da)["b"] == pytest.approx(1.55)
    assert difficulty.B_WEIGHTS["deductive"]["lure"] == pytest.approx(1.80)
    mp = apriori_parameters(_items_of(("modus_ponens", 0))[0])["b"]
    mt = apriori_parameters(_items_of(("modus_tollens", 0))[0])["b"]
    # the order of the endorsement rates (MP 97 %, MT 74 %, AC 64 %, DA 56 % wrong answers)
    assert mp < mt < apriori_parameters(ac)["b"]
    assert mt - mp == pytest.approx(2.15, abs=0.01)
    # an item without the feature (an older bank) keeps its old value
    old = {**ac["features"]}
    del old["lure"]
    assert apriori_b("deductive", old) == pytest.approx(-0.60)


def test_lure_is_documented_where_the_weights_are():
    doc = difficulty.__doc__
    section = doc[doc.index("Deductive items"):doc.index("Matrices (Carpenter")]
    assert "lure                  +1.80" in section and "Schroyens & Schaeken (2003)" in section


def test_the_bank_set_meets_the_difficulty_targets(bank_set):
    items, b = bank_set
    assert len(items) == 130
    assert (b > 1.5).sum() >= 30 and (b < -1.5).sum() >= 12
    bands = np.histogram(b, np.arange(-2.5, 2.51, 0.5))[0]
    assert bands.min() >= 6, bands  # every 0.5-wide band from -2.5 to +2.5
    assert 3 <= ((b >= 2.5) & (b <= 3.0)).sum() and b.max() <= 3.0
    assert b.min() >= -2.5


def test_the_bank_set_has_many_small_families(bank_set):
    items, b = bank_set
    families = [family_key(i) for i in items]
    sizes = Counter(families)
    assert len(sizes) >= 20 and max(sizes.values()) <= 12, sizes.most_common(3)
    assert len({f for f, x in zip(families, b) if x > 1.5}) >= 6
    assert len({f for f, x in zip(families, b) if x < -1.5}) >= 4
    logic = Counter(i["features"]["logic"] for i in items)
    assert set(logic) == {"order", "monadic", "propositional", "mixed"}


def test_the_bank_set_is_not_answered_by_a_response_bias(bank_set):
    """Every position holds the key about equally often, and "cannot be determined" is
    the key in about a third of the items that offer it (not in all the hard ones)."""
    items, b = bank_set
    positions = Counter(i["key"] for i in items)
    assert set(positions) == set(range(6)) and max(positions.values()) - min(positions.values()) <= 1
    offering = [i for i in items if any(o["en"].startswith("It cannot be determined") for o in i["options"])]
    keyed = [i for i in offering if i["features"]["key_undetermined"]]
    assert len(keyed) / len(offering) <= 0.36
    hard = [i for i, x in zip(items, b) if x > 1.5]
    assert sum(not i["features"]["key_undetermined"] for i in hard) >= 5


def test_orderings_leave_a_bounded_number_of_orders_open(bank_set):
    items, _ = bank_set
    for item in items:
        f = item["features"]
        if f["logic"] == "order":
            assert 1 <= f["n_models"] <= deductive.MAX_ORDERS[f["form"]]
            if f["form"] == "ordering_extreme":
                assert f["n_terms"] in (5, 6)


# --------------------------------------------------------------------------- determinism


def test_generation_is_deterministic_and_varies_with_the_seed():
    a = deductive.generate_deductive_items(np.random.default_rng(5), 40)
    b = deductive.generate_deductive_items(np.random.default_rng(5), 40)
    c = deductive.generate_deductive_items(np.random.default_rng(6), 40)
    assert json.dumps(a, sort_keys=True, ensure_ascii=False) == json.dumps(b, sort_keys=True, ensure_ascii=False)
    assert [i["stem"] for i in a] != [i["stem"] for i in c]


def test_practice_item_is_a_plain_easy_chain_with_six_options():
    (item,) = deductive.generate_deductive_items(np.random.default_rng(2), 1, practice=True, start=31)
    assert item["id"] == "DE-P31" and item["practice"] is True
    assert check_item(item) == [] and len(item["options"]) == 6
    assert item["features"]["n_terms"] == 3 and item["features"]["n_converse"] == 0
    assert apriori_parameters(item)["b"] <= -2.0
