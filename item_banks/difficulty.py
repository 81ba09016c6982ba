"""A-priori 3PL parameters predicted from an item's features (no response data).

**These are our a-priori assumptions, not estimates.** No candidate has answered these
items yet. Every weight below is a judgement informed by the cited research on what
makes such items hard; all of them are to be replaced by calibration on real responses
(the bank's ``irt.parameters`` then becomes ``"calibrated"``). Until then an ability
estimate is only as good as these guesses, which reports must say.

The approach follows the linear logistic test model (Fischer, 1973), where an item's
difficulty is a weighted sum of the cognitive operations it requires, and Embretson's
cognitive design system (Embretson, 1998), where item models are built so that such
features predict difficulty. Here the weights are fixed in advance instead of estimated.

The 3PL model: P(correct | theta) = c + (1 - c) / (1 + exp(-a (theta - b))), theta on a
standard-normal scale of the candidate population.

c (guessing)
    ``1 / number of options`` for every item (a blind guess).

b (difficulty) = the type's intercept + sum of weight x feature, clipped to [-3.5, 3.5]
    (weights in ``B_WEIGHTS``; "beyond" means the feature minus its easiest value).

    Number series (Simon & Kotovsky, 1963; Holzman, Pellegrino & Glaser, 1983: difficulty
    grows with the number of relations to keep in working memory, the period length,
    second-order relations and multiplication, and with larger numbers):

    ====================  ======  =====================================================
    intercept             -2.40   one constant difference, small numbers
    n_rules               +0.70   per relation beyond the first (each difference of a
                                  cycle, each interleaved sub-series, the change of a
                                  difference)
    period                +0.45   per position of the period beyond 1
    second_order          +1.40   the rule works on the differences or on earlier terms
    multiply              +0.60   multiplication or division is involved
    mixed_operations      +0.40   addition and multiplication in the same rule
    magnitude             +0.35   per digit of the largest number beyond the first
    decreasing            +0.30   the series goes down
    ====================  ======  =====================================================

    Letter series (Simon & Kotovsky, 1963: letter series are solved by the same pattern
    description; counting through the alphabet adds load for larger and backward steps
    and for the wrap from Z to A):

    ====================  ======  =====================================================
    intercept             -2.30   one small forward step
    n_rules               +0.70   per relation beyond the first
    period                +0.45   per position of the period beyond 1
    second_order          +1.30   growing steps
    step                  +0.15   per letter of the largest step beyond 1
    backwards             +0.45   any step goes backwards in the alphabet
    wraps                 +0.70   the series wraps around from Z to A
    group                 +0.25   per letter of a letter group beyond 1
    ====================  ======  =====================================================

    Deductive items (mental-model theory, Johnson-Laird & Byrne, 1991: problems that
    need more models are harder; negations add load; modus tollens is harder than modus
    ponens; the invalid forms affirming the consequent and denying the antecedent are
    accepted by many reasoners, so the correct "cannot be determined" is hard; converse
    comparatives cost time, Clark, 1969):

    ====================  ======  =====================================================
    intercept             -2.30   orderings (-1.80 quantified statements, -2.10
                                  conditionals)
    n_premises            +0.35   per premise beyond 2
    n_terms               +0.30   per person/team/predicate beyond 3 (conditionals:
                                  per event beyond 2)
    models                +0.60   per doubling of the number of mental models
                                  (log2 n_models)
    negations             +0.35   per negation in the premises and the conclusion
    tollens               +0.50   reasoning backwards from a denied consequent
    undetermined          +0.90   the key is "cannot be determined"
    converse              +0.10   per premise phrased with the converse relation
    ====================  ======  =====================================================

    Matrices (Carpenter, Just & Shell, 1990: difficulty grows with the number of rule
    tokens and with the rule type, constant < progression < distribution of three <
    figure addition/subtraction; Embretson, 1998: "memory load", the summed rule levels,
    and the number of figure elements predict difficulty):

    ====================  ======  =====================================================
    intercept             -3.00
    memory_load           +0.40   per rule level summed over the non-constant rules
                                  (progression 2, distribution 3, addition 4); when the
                                  features list no rules: n_rules x max_rule_level
    n_rules               +0.35   per non-constant rule beyond the first
    n_attributes          +0.15   per varying attribute beyond 3
    n_elements            +0.15   per figure in a cell beyond 1
    ====================  ======  =====================================================

a (discrimination) = the type's base minus penalties, clipped to [0.8, 1.6]
    Items whose content draws on more than the target ability (long premise sets,
    several rules at once) and items with a guessable shortcut discriminate less.

    ====================  ======  =====================================================
    base                   1.50   series and matrices; 1.40 deductive (reading load)
    per rule beyond 1     -0.10   series and matrices (n_rules)
    second_order          -0.10   series
    guessable key         -0.20   series: the key is the median option or the option
                                  closest to the options' mean; deductive: the key is
                                  "cannot be determined" (a response bias finds it)
    per premise beyond 2  -0.10   deductive
    per negation          -0.05   deductive
    per attribute beyond 3 -0.05  matrices
    ====================  ======  =====================================================

References: Carpenter, Just & Shell (1990), Psychological Review 97, 404-431. Clark
(1969), Psychological Review 76, 387-404. Embretson (1998), Psychological Methods 3,
380-396. Fischer (1973), Acta Psychologica 37, 359-374. Holzman, Pellegrino & Glaser
(1983), Journal of Educational Psychology 75, 603-618. Johnson-Laird & Byrne (1991),
Deduction, Erlbaum. Simon & Kotovsky (1963), Psychological Review 70, 534-546.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

DIFFICULTY_MODEL_VERSION = "apriori-1.0"

B_RANGE = (-3.5, 3.5)
A_RANGE = (0.8, 1.6)

B_WEIGHTS: dict[str, dict[str, Any]] = {
    "number_series": {
        "intercept": -2.40, "n_rules": 0.70, "period": 0.45, "second_order": 1.40,
        "multiply": 0.60, "mixed_operations": 0.40, "magnitude": 0.35, "decreasing": 0.30,
    },
    "letter_series": {
        "intercept": -2.30, "n_rules": 0.70, "period": 0.45, "second_order": 1.30,
        "step": 0.15, "backwards": 0.45, "wraps": 0.70, "group": 0.25,
    },
    "deductive": {
        "intercept": {"order": -2.30, "monadic": -1.80, "propositional": -2.10},
        "n_premises": 0.35, "n_terms": 0.30, "models": 0.60, "negations": 0.35,
        "tollens": 0.50, "undetermined": 0.90, "converse": 0.10,
    },
    "matrix": {
        "intercept": -3.00, "memory_load": 0.40, "n_rules": 0.35, "n_attributes": 0.15,
        "n_elements": 0.15,
    },
}

A_WEIGHTS: dict[str, float] = {
    "base_series": 1.50, "base_matrix": 1.50, "base_deductive": 1.40,
    "per_rule": -0.10, "second_order": -0.10, "guessable": -0.20,
    "per_premise": -0.10, "per_negation": -0.05, "per_attribute": -0.05,
}

#: Carpenter, Just & Shell (1990) rule types, easiest first (as in matrix_check.RULE_LEVEL).
RULE_LEVEL = {"constant": 1, "progression": 2, "distribution": 3, "addition": 4, "subtraction": 4}


def _clip(x: float, bounds: tuple[float, float]) -> float:
    return min(max(x, bounds[0]), bounds[1])


def _b_number(f: Mapping[str, Any]) -> float:
    w = B_WEIGHTS["number_series"]
    ops = set(f.get("operations", ["add"]))
    return (w["intercept"]
            + w["n_rules"] * (f["n_rules"] - 1)
            + w["period"] * (f["period"] - 1)
            + w["second_order"] * bool(f["second_order"])
            + w["multiply"] * ("multiply" in ops)
            + w["mixed_operations"] * (len(ops) > 1)
            + w["magnitude"] * (f["magnitude"] - 1)
            + w["decreasing"] * bool(f.get("decreasing", False)))


def _b_letter(f: Mapping[str, Any]) -> float:
    w = B_WEIGHTS["letter_series"]
    return (w["intercept"]
            + w["n_rules"] * (f["n_rules"] - 1)
            + w["period"] * (f["period"] - 1)
            + w["second_order"] * bool(f["second_order"])
            + w["step"] * (f["max_step"] - 1)
            + w["backwards"] * bool(f["backwards"])
            + w["wraps"] * bool(f["wraps"])
            + w["group"] * (f.get("group_size", 1) - 1))


def _b_deductive(f: Mapping[str, Any]) -> float:
    w = B_WEIGHTS["deductive"]
    logic = f["logic"]
    base_terms = 2 if logic == "propositional" else 3
    return (w["intercept"][logic]
            + w["n_premises"] * (f["n_premises"] - 2)
            + w["n_terms"] * (f["n_terms"] - base_terms)
            + w["models"] * math.log2(f["n_models"])
            + w["negations"] * f["n_negations"]
            + w["tollens"] * bool(f["tollens"])
            + w["undetermined"] * bool(f["key_undetermined"])
            + w["converse"] * f.get("n_converse", 0))


def memory_load(f: Mapping[str, Any]) -> int:
    """Summed rule levels of the non-constant rules (Embretson, 1998)."""
    rules = f.get("rules")
    if rules:
        return sum(RULE_LEVEL[r["rule"]] for r in rules if r["rule"] != "constant")
    return f["n_rules"] * f["max_rule_level"]


def _b_matrix(f: Mapping[str, Any]) -> float:
    w = B_WEIGHTS["matrix"]
    return (w["intercept"]
            + w["memory_load"] * memory_load(f)
            + w["n_rules"] * (f["n_rules"] - 1)
            + w["n_attributes"] * max(f["n_attributes"] - 3, 0)
            + w["n_elements"] * (f["n_elements"] - 1))


def guessable_key(item: Mapping[str, Any]) -> bool:
    """Whether a shortcut that ignores the item's logic finds the key (see A_WEIGHTS)."""
    if item["type"] == "deductive":
        return bool(item["features"].get("key_undetermined"))
    if item["type"] in ("number_series", "letter_series"):
        from .checks import _numeric_options

        values = _numeric_options(item)
        if values is None:
            return False
        key = values[item["key"]]
        ranked = sorted(values)
        m = len(values)
        middles = {ranked[m // 2]} if m % 2 else {ranked[m // 2 - 1], ranked[m // 2]}
        mean = sum(values) / m
        closest = abs(key - mean) <= min(abs(v - mean) for v in values) + 1e-9
        return key in middles or closest
    return False


def _a(item: Mapping[str, Any]) -> float:
    f, t, w = item["features"], item["type"], A_WEIGHTS
    guess = w["guessable"] * guessable_key(item)
    if t in ("number_series", "letter_series"):
        a = w["base_series"] + w["per_rule"] * (f["n_rules"] - 1) + w["second_order"] * bool(f["second_order"])
    elif t == "matrix":
        a = (w["base_matrix"] + w["per_rule"] * (f["n_rules"] - 1)
             + w["per_attribute"] * max(f["n_attributes"] - 3, 0))
    else:
        a = (w["base_deductive"] + w["per_premise"] * (f["n_premises"] - 2)
             + w["per_negation"] * f["n_negations"])
    return _clip(a + guess, A_RANGE)


B_FUNCTIONS = {
    "number_series": _b_number,
    "letter_series": _b_letter,
    "deductive": _b_deductive,
    "matrix": _b_matrix,
}


def apriori_b(item_type: str, features: Mapping[str, Any]) -> float:
    """Unrounded, unclipped b from the features (the linear predictor)."""
    return B_FUNCTIONS[item_type](features)


def apriori_parameters(item: Mapping[str, Any]) -> dict[str, float]:
    """``{"a", "b", "c"}`` for one item (a, b rounded to 3 decimals, c = 1 / options).

    ``item`` needs ``type``, ``features`` (as written by the generators), ``options`` and
    ``key``. Raises KeyError/ValueError when a needed feature is missing.
    """
    if item["type"] not in B_FUNCTIONS:
        raise ValueError(f"no difficulty model for item type {item['type']!r}")
    n_options = len(item["options"])
    b = _clip(apriori_b(item["type"], item["features"]), B_RANGE)
    return {"a": round(_a(item), 3), "b": round(b, 3), "c": 1 / n_options}
