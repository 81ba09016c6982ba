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

    Number series (Simon & Kotovsky, 1963; Kotovsky & Simon, 1973; Holzman, Pellegrino &
    Glaser, 1983: difficulty grows with the number of relations to keep in working
    memory, the period length, second-order relations and multiplication, and with larger
    numbers):

    ====================  ======  =====================================================
    intercept             -2.40   one constant difference, small numbers
    n_rules               +0.70   per relation beyond the first (each difference of a
                                  cycle, each interleaved sub-series, the change of a
                                  difference or of a factor; a repeated term adds none)
    period                +0.45   per position of the period beyond 1
    second_order          +1.40   the rule works on the differences or on earlier terms
    multiply              +0.60   multiplication or division is involved
    mixed_operations      +0.40   addition and multiplication in the same rule
    magnitude             +0.35   per digit of the largest number beyond the first
    decreasing            +0.30   the series (or one of its sub-series) goes down
    ====================  ======  =====================================================

    How the series models of bank 3 are counted (no new feature or weight: the models
    were built from relations this table already prices). ``n_rules`` counts the
    relations that change a term, as Simon & Kotovsky's (1963) pattern descriptions
    do: a constant difference or a factor is one, growing differences (a first
    difference and its change) or a growing factor (x2, x3, x4: a factor and its change)
    two. A term that repeats (their "same" relation: 2, 9, 4, 9, 6, 9; 3, 3, 5, 5) is
    held, not computed, and adds no relation; the period it creates is priced by
    ``period``, so such series sit between a constant difference and a two-rule cycle
    (b = -1.95 for small numbers). Two interleaved sub-series with different kinds of
    rule add their relations: growing differences beside a constant difference are 3
    relations, period 2, second order (b = +1.20 plus magnitude); beside a
    multiplication also "multiply" and "mixed" (+1.85 plus magnitude), the hardest
    number series of the bank (to +2.85). That follows Kotovsky & Simon (1973), for whom
    difficulty grows with what the pattern description asks the solver to hold and
    update at once, and Holzman et al. (1983), who name the number of relations, the
    period and second-order relations as the main sources of difficulty. The key of such
    a series always belongs to the sub-series with the harder rule, so the whole
    description has to be found.

    Letter series (Simon & Kotovsky, 1963: letter series are solved by the same pattern
    description; counting through the alphabet adds load for larger and backward steps
    and for the wrap from Z to A):

    ====================  ======  =====================================================
    intercept             -2.30   one small forward step
    n_rules               +0.70   per relation beyond the first (counted as for
                                  numbers; in letter groups, per place that changes)
    period                +0.45   per position of the period beyond 1
    second_order          +1.30   growing steps
    step                  +0.15   per letter of the largest step beyond 1
    backwards             +0.45   any step goes backwards in the alphabet
    wraps                 +0.70   the series wraps around from Z to A
    group                 +0.25   per letter of a letter group beyond 1
    ====================  ======  =====================================================

    Bank 3 letter models are counted the same way: a repeated letter (B, M, C, M; AA,
    BB, CC; the unchanging middle of AMZ, BMY) adds no relation; groups whose places
    follow different steps (AZ, BY, CX) have one relation per changing place, growing
    steps two. The hardest letter series interleave two series with growing steps
    (4 relations, period 2, second order: +1.55 plus step, direction and wrap, to
    about +2.85); series that go backwards *and* wrap from A to Z are not combined with
    two growing sub-series, so b stays below +3.

    Deductive items (mental-model theory, Johnson-Laird & Byrne, 1991: problems that
    need more models are harder; negations add load; modus tollens is harder than modus
    ponens; converse comparatives cost time, Clark, 1969; a conclusion offered by a
    well-known invalid inference tempts most reasoners, Evans, Newstead & Byrne, 1993):

    ====================  ======  =====================================================
    intercept             -2.30   orderings (-1.80 quantified statements, -2.10
                                  conditionals and conditionals about an ordering)
    n_premises            +0.35   per premise beyond 2
    n_terms               +0.30   per person/team/predicate beyond 3 (conditionals:
                                  per event beyond 2; about an ordering: people and
                                  events beyond 3)
    models                +0.60   per doubling of the number of mental models
                                  (log2 n_models)
    negations             +0.35   per negation in the premises and the conclusion
    tollens               +0.50   reasoning backwards from a denied consequent
    undetermined          +0.90   the key is "cannot be determined"
    lure                  +1.80   an option is the conclusion of a tempting invalid
                                  inference (affirming the consequent, denying the
                                  antecedent, converting "all", the undistributed
                                  middle), so the correct "cannot be determined"
                                  must resist it
    converse              +0.10   per premise phrased with the converse relation
    ====================  ======  =====================================================

    Why ``lure``: in the meta-analysis of Schroyens & Schaeken (2003) adults endorse
    modus ponens 97 %, modus tollens 74 %, affirming the consequent 64 % and denying the
    antecedent 56 % of the time (the same order in Evans, Newstead & Byrne, 1993). So
    only about 36 % and 44 % answer "cannot be determined" to the two invalid forms. For
    a standard-normal population with a = 1.2 and c = 1/6 those rates imply b of about
    +1.3 (affirming the consequent) and +0.8 (denying the antecedent); anchored on this
    model's modus tollens (+0.05, which the 74 % puts at -0.8 for that population) they
    imply +2.1 and +1.6. Without the lure the model rated both at -0.6 and -0.25 ("an
    invalid deductive form rated easy"); with it they get +1.2 and +1.55 (more with
    negated parts), inside those ranges. The same weight applies to the converse and the
    denial of "all" (illicit conversion, Chapman & Chapman, 1959), to syllogisms from
    which nothing follows about the end terms although two "some" or two "no" premises
    or a shared predicate suggest a conclusion (Woodworth & Sells, 1935; Khemlani &
    Johnson-Laird, 2012), and to the invalid forms in chains and about orderings. The
    other forms were checked against the same data: the model puts modus tollens 2.15
    above modus ponens, the data 2.2 (both on the population scale). Orderings keep at
    most 16 orders open (8 for "who ranks first/last") so that log2 n_models stays in
    the range where mental-model counts were studied (Byrne & Johnson-Laird, 1989).

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
    guessable key         -0.20   series: the key is the median option (odd number of
                                  options) or the only option closest to the options'
                                  mean (with 8 options "the middle" is one of two, a
                                  50 % guess, not a shortcut to the key); deductive:
                                  the key is "cannot be determined" (a response bias
                                  finds it)
    per premise beyond 2  -0.10   deductive
    per negation          -0.05   deductive
    per attribute beyond 3 -0.05  matrices
    ====================  ======  =====================================================

References: Byrne & Johnson-Laird (1989), Journal of Memory and Language 28, 564-575.
Carpenter, Just & Shell (1990), Psychological Review 97, 404-431. Chapman & Chapman
(1959), Journal of Experimental Psychology 58, 220-226. Clark (1969), Psychological
Review 76, 387-404. Embretson (1998), Psychological Methods 3, 380-396. Evans, Newstead &
Byrne (1993), Human Reasoning: The Psychology of Deduction, Erlbaum. Fischer (1973), Acta
Psychologica 37, 359-374. Holzman, Pellegrino & Glaser (1983), Journal of Educational
Psychology 75, 603-618. Johnson-Laird & Byrne (1991), Deduction, Erlbaum. Khemlani &
Johnson-Laird (2012), Psychological Bulletin 138, 427-457. Kotovsky & Simon (1973),
Cognitive Psychology 4, 399-424. Schroyens & Schaeken (2003),
Journal of Experimental Psychology: Learning, Memory, and Cognition 29, 140-149. Simon &
Kotovsky (1963), Psychological Review 70, 534-546. Woodworth & Sells (1935), Journal of
Experimental Psychology 18, 451-460.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

DIFFICULTY_MODEL_VERSION = "apriori-2.0"

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
        "intercept": {"order": -2.30, "monadic": -1.80, "propositional": -2.10, "mixed": -2.10},
        "n_premises": 0.35, "n_terms": 0.30, "models": 0.60, "negations": 0.35,
        "tollens": 0.50, "undetermined": 0.90, "lure": 1.80, "converse": 0.10,
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
            + w["lure"] * bool(f.get("lure", False))
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
        # a shortcut "finds" the key when it leads to the key alone: the median option
        # (odd number of options; with 8 options "the middle" is one of two) or the only
        # option closest to the options' mean (see checks.shortcut_success)
        from .checks import _numeric_options, shortcut_success

        values = _numeric_options(item)
        if values is None:
            return False
        return max(shortcut_success(values, item["key"])) == 1.0
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
