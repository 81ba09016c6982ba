"""Deterministic generator of the starter logic bank (``data/logic_starter.json``).

All content is written for this project from item models (automatic item generation):
number series, letter series and deductive reasoning items in Swedish and English. The
same seed always gives the same bank, byte for byte::

    python -m item_banks.starter item_banks/data/logic_starter.json

Every item records the rule that produced it in ``features`` (series rules with their
parameters; for deductive items the logical form of every premise and option), so tests
can recompute the key independently of this module.

Option order is shuffled with the seeded generator so the key position varies.
Distractors for series are plausible rule violations (one step too far, a difference that
did not grow, a constant difference applied to a ratio series, the wrong interleaved
sub-series, off by one); all are distinct from the key.
"""

from __future__ import annotations

import argparse
import itertools
import json
import string
import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np

GENERATOR_VERSION = "1"
DEFAULT_SEED = 20261126
BANK_ID = "logic-starter"
BANK_VERSION = "1.0.0"

ALPHABET = string.ascii_uppercase  # the 26-letter A-Z alphabet, no Å, Ä, Ö
SERIES_OPTIONS = 5

#: Neutral Swedish first names for deductive items (no real persons).
NAMES = (
    "Anna", "Bo", "Cecilia", "David", "Elin", "Fredrik", "Greta", "Hassan", "Ida", "Jonas",
    "Karin", "Leo", "Maja", "Nils", "Omar", "Petra", "Sara", "Tove", "Ulf", "Vera",
)
TEAMS = ("Team Norr", "Team Syd", "Team Öst", "Team Väst")

DESCRIPTION = {
    "sv": (
        "Startbank för logiskt tänkande med talserier, bokstavsserier och deduktiva "
        "slutledningar. Uppgifterna är egenskrivna och genererade från uppgiftsmodeller."
    ),
    "en": (
        "Starter bank for logical reasoning with number series, letter series and deductive "
        "reasoning. The items are our own, generated from item models."
    ),
}

LETTER_NOTE = {
    "sv": "(Alfabetet A–Z: 26 bokstäver, utan Å, Ä och Ö)",
    "en": "(The alphabet A–Z: 26 letters)",
}

CONCLUSION_QUESTION = {
    "sv": "Vilken slutsats kan dras av uppgifterna ovan?",
    "en": "Which conclusion can be drawn from the information above?",
}
UNDETERMINED = {
    "sv": "Det går inte att avgöra utifrån uppgifterna.",
    "en": "It cannot be determined from the information given.",
}

Rng = np.random.Generator
Option = tuple[dict[str, str], Any]  # (texts by language, value or logical form)


# --------------------------------------------------------------------------- helpers


def _int(rng: Rng, low: int, high: int) -> int:
    """Uniform integer in [low, high]."""
    return int(rng.integers(low, high, endpoint=True))


def _pick(rng: Rng, seq: tuple | list) -> Any:
    return seq[int(rng.integers(len(seq)))]


def _sample(rng: Rng, seq: tuple | list, k: int) -> list:
    return [seq[int(i)] for i in rng.choice(len(seq), size=k, replace=False)]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _both(text: str) -> dict[str, str]:
    return {"sv": text, "en": text}


def _shuffle(rng: Rng, key: Option, distractors: list[Option]) -> tuple[list[Option], int]:
    """Put the key among the distractors at a random position; return (options, key index)."""
    options = [key, *distractors]
    order = [int(i) for i in rng.permutation(len(options))]
    shuffled = [options[i] for i in order]
    for lang in ("sv", "en"):
        texts = [o[0][lang] for o in shuffled]
        if len(set(texts)) != len(texts):
            raise ValueError(f"generated options are not distinct: {texts}")
    return shuffled, order.index(0)


def _item(
    item_id: str,
    item_type: str,
    stem: dict[str, str],
    options: list[Option],
    key: int,
    features: dict[str, Any],
    explanation: dict[str, str] | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": item_id,
        "type": item_type,
        "practice": explanation is not None,
        "stem": stem,
        "options": [texts for texts, _ in options],
        "key": key,
        "features": features,
    }
    if explanation is not None:
        item["explanation"] = explanation
    return item


def _pick_distractors(
    rng: Rng, key: int, primary: list[int], fallback: list[int], valid: Callable[[int], bool]
) -> list[int] | None:
    """``SERIES_OPTIONS - 1`` distinct wrong values around ``key``.

    ``primary`` are rule violations (preferred), ``fallback`` small slips. The number of
    distractors below the key is drawn at random first, so the key is not recognisable as
    "the middle value" (nor as never being the smallest or largest option). ``valid``
    excludes impossible values and values already shown in the series. None when there
    are not enough candidates (the caller draws new parameters).
    """
    def clean(values: list[int]) -> list[int]:
        out: list[int] = []
        for v in values:
            if v != key and valid(v) and v not in out:
                out.append(v)
        return out

    primary, fallback = clean(primary), clean(fallback)
    fallback = [v for v in fallback if v not in primary]
    need = SERIES_OPTIONS - 1
    below = [v for v in primary + fallback if v < key]
    above = [v for v in primary + fallback if v > key]
    if len(below) + len(above) < need:
        return None
    n_below = _pick(rng, [r for r in range(need + 1) if r <= len(below) and need - r <= len(above)])

    def take(side: list[int], k: int) -> list[int]:
        first = [v for v in side if v in primary]
        chosen = _sample(rng, first, min(k, len(first), need - 1))
        rest = [v for v in side if v not in chosen]
        return chosen + rest[: k - len(chosen)]  # rest is ordered nearest slips first

    return take(below, n_below) + take(above, need - n_below)


# --------------------------------------------------------------------------- number series


def number_terms(features: dict[str, Any], n: int) -> list[int]:
    """The first ``n`` terms of a number series described by its features."""
    rule = features["rule"]
    if rule == "constant_difference":
        return [features["start"] + i * features["difference"] for i in range(n)]
    if rule == "growing_difference":
        terms = [features["start"]]
        for i in range(n - 1):
            terms.append(terms[-1] + features["first_difference"] + i * features["difference_step"])
        return terms
    if rule == "ratio":
        return [features["start"] * features["ratio"] ** i for i in range(n)]
    if rule == "alternating_difference":
        terms = [features["start"]]
        for i in range(n - 1):
            terms.append(terms[-1] + features["differences"][i % 2])
        return terms
    if rule == "interleaved":
        return [features["starts"][i % 2] + (i // 2) * features["differences"][i % 2] for i in range(n)]
    raise ValueError(f"unknown number series rule {rule!r}")


def _number_params(rng: Rng, rule: str) -> dict[str, Any]:
    if rule == "constant_difference":
        d = _pick(rng, (2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 15, -3, -4, -6, -7, -8))
        start = _int(rng, 1, 40) if d > 0 else _int(rng, 60, 99)
        return {"rule": rule, "start": start, "difference": d, "n_shown": 5}
    if rule == "growing_difference":
        return {
            "rule": rule, "start": _int(rng, 1, 20), "first_difference": _int(rng, 1, 5),
            "difference_step": _int(rng, 1, 3), "n_shown": 5,
        }
    if rule == "ratio":
        ratio = _pick(rng, (2, 2, 3))
        start = _int(rng, 1, 7) if ratio == 2 else _int(rng, 1, 4)
        return {"rule": rule, "start": start, "ratio": ratio, "n_shown": 5}
    if rule == "alternating_difference":
        d1 = _int(rng, 2, 9)
        d2 = _pick(rng, tuple(d for d in range(-6, 10) if d not in (0, d1, -d1)))
        return {"rule": rule, "start": _int(rng, 5, 30), "differences": [d1, d2], "n_shown": 6}
    if rule == "interleaved":
        d1 = _int(rng, 2, 6)
        d2 = _pick(rng, tuple(d for d in range(-7, 10) if d not in (0, 1, -1, d1)))
        a = _int(rng, 1, 20)
        b = _int(rng, 30, 90)
        return {"rule": rule, "starts": [a, b], "differences": [d1, d2], "n_shown": 6}
    raise ValueError(rule)


def _number_item(rng: Rng, item_id: str, rule: str) -> dict[str, Any]:
    while True:
        f = _number_params(rng, rule)
        n = f["n_shown"]
        terms = number_terms(f, n + 1)
        if all(0 < t < 1000 for t in terms):
            break
    shown, key = terms[:n], terms[n]
    last, prev = shown[-1], shown[-2]
    if rule == "constant_difference":
        d = f["difference"]
        primary = [key + d, key + (10 if d > 0 else -10), last + 2 * d + (1 if d > 0 else -1)]
    elif rule == "growing_difference":
        last_diff = last - prev
        step = f["difference_step"]
        primary = [last + last_diff, last + last_diff + 2 * step, key + step + 1]
    elif rule == "ratio":
        primary = [2 * last - prev, last * (f["ratio"] + 1), key + prev]
    elif rule == "alternating_difference":
        d1, d2 = f["differences"]
        primary = [last + d1, last + d1 + d2, last - d2]
    else:  # interleaved: the next term belongs to the first sub-series
        d1, d2 = f["differences"]
        primary = [shown[-1] + d2, last + d1, key + d1]
    fallback = [key + d for d in (1, -1, 2, -2, 10, -10, 3, -3, 4, -4, 5, -5)]
    distractors = _pick_distractors(rng, key, primary, fallback, lambda v: 0 < v < 10000 and v not in shown)
    if distractors is None:  # too few plausible wrong answers: draw a new series
        return _number_item(rng, item_id, rule)
    options, key_index = _shuffle(rng, (_both(str(key)), key), [(_both(str(v)), v) for v in distractors])
    stem = _both(", ".join(str(t) for t in shown) + ", ?")
    return _item(item_id, "number_series", stem, options, key_index, f)


# --------------------------------------------------------------------------- letter series


def letter_positions(features: dict[str, Any], n: int) -> list[int]:
    """0-based alphabet positions (A=0 ... Z=25) of the first ``n`` letters of a series."""
    rule = features["rule"]
    if rule == "constant_step":
        start = ALPHABET.index(features["start"])
        return [start + i * features["step"] for i in range(n)]
    if rule == "growing_step":
        pos = [ALPHABET.index(features["start"])]
        for i in range(n - 1):
            pos.append(pos[-1] + features["first_step"] + i * features["step_increase"])
        return pos
    if rule == "alternating_step":
        pos = [ALPHABET.index(features["start"])]
        for i in range(n - 1):
            pos.append(pos[-1] + features["steps"][i % 2])
        return pos
    if rule == "interleaved":
        starts = [ALPHABET.index(s) for s in features["starts"]]
        return [starts[i % 2] + (i // 2) * features["steps"][i % 2] for i in range(n)]
    raise ValueError(f"unknown letter series rule {rule!r}")


def _letter_params(rng: Rng, rule: str) -> dict[str, Any]:
    if rule == "constant_step":
        step = _pick(rng, (1, 2, 2, 3, 3, 4, 5, -1, -2, -3))
        return {"rule": rule, "start": _pick(rng, ALPHABET), "step": step, "n_shown": 5}
    if rule == "growing_step":
        return {
            "rule": rule, "start": _pick(rng, ALPHABET[:12]), "first_step": _int(rng, 1, 2),
            "step_increase": 1, "n_shown": 5,
        }
    if rule == "alternating_step":
        s1 = _int(rng, 2, 4)
        s2 = _pick(rng, (-2, -1, 1))
        return {"rule": rule, "start": _pick(rng, ALPHABET[:14]), "steps": [s1, s2], "n_shown": 6}
    if rule == "interleaved":
        s1 = _int(rng, 1, 3)
        s2 = _pick(rng, (-3, -2, -1, 2))
        return {
            "rule": rule, "starts": [_pick(rng, ALPHABET[:9]), _pick(rng, ALPHABET[12:])],
            "steps": [s1, s2], "n_shown": 6,
        }
    raise ValueError(rule)


def _letter_item(rng: Rng, item_id: str, rule: str) -> dict[str, Any]:
    while True:
        f = _letter_params(rng, rule)
        n = f["n_shown"]
        pos = letter_positions(f, n + 1)
        # stay inside A-Z (no wrap-around), keep every letter of the series distinct, and
        # leave room for wrong letters on both sides of the key
        if all(0 <= p < 26 for p in pos) and len(set(pos)) == len(pos) and 3 <= pos[-1] <= 22:
            break
    shown, key = pos[:n], pos[n]
    last, prev = shown[-1], shown[-2]
    if rule == "constant_step":
        step = f["step"]
        primary = [key + step, key + (1 if step > 0 else -1), key + (2 if step > 0 else -2)]
    elif rule == "growing_step":
        primary = [last + (last - prev), key + 1 + f["step_increase"], last + (last - prev) - 1]
    elif rule == "alternating_step":
        s1, s2 = f["steps"]
        primary = [last + s1, last - s2, key + s1]
    else:  # interleaved: the next letter belongs to the first sub-series
        s1, s2 = f["steps"]
        primary = [last + s2, last + s1, key + s1]
    fallback = [key + d for d in (1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7)]
    distractors = _pick_distractors(rng, key, primary, fallback, lambda v: 0 <= v < 26 and v not in shown)
    if distractors is None:  # too few plausible wrong answers: draw a new series
        return _letter_item(rng, item_id, rule)
    options, key_index = _shuffle(
        rng, (_both(ALPHABET[key]), key), [(_both(ALPHABET[v]), v) for v in distractors]
    )
    series = ", ".join(ALPHABET[p] for p in shown) + ", ?"
    stem = {lang: f"{series}\n{LETTER_NOTE[lang]}" for lang in ("sv", "en")}
    return _item(item_id, "letter_series", stem, options, key_index, f)


# --------------------------------------------------------------------------- deductive: orderings

#: Comparative relations. "gt" says x ranks above y, "lt" says the same fact the other way
#: round ("y ranks below x"). top/bottom ask who ranks highest/lowest.
RELATIONS = {
    "tenure": {
        "entities": "people",
        "gt": {"sv": "{x} har arbetat längre på företaget än {y}", "en": "{x} has worked at the company longer than {y}"},
        "lt": {"sv": "{x} har arbetat kortare tid på företaget än {y}", "en": "{x} has worked at the company for a shorter time than {y}"},
        "top": {"sv": "Vem har arbetat längst på företaget?", "en": "Who has worked at the company the longest?"},
        "bottom": {"sv": "Vem har arbetat kortast tid på företaget?", "en": "Who has worked at the company for the shortest time?"},
    },
    "arrival": {
        "entities": "people",
        "gt": {"sv": "{x} kom till kontoret före {y}", "en": "{x} arrived at the office before {y}"},
        "lt": {"sv": "{x} kom till kontoret efter {y}", "en": "{x} arrived at the office after {y}"},
        "top": {"sv": "Vem kom först till kontoret?", "en": "Who arrived at the office first?"},
        "bottom": {"sv": "Vem kom sist till kontoret?", "en": "Who arrived at the office last?"},
    },
    "meetings": {
        "entities": "people",
        "gt": {"sv": "{x} har fler kundmöten den här veckan än {y}", "en": "{x} has more client meetings this week than {y}"},
        "lt": {"sv": "{x} har färre kundmöten den här veckan än {y}", "en": "{x} has fewer client meetings this week than {y}"},
        "top": {"sv": "Vem har flest kundmöten den här veckan?", "en": "Who has the most client meetings this week?"},
        "bottom": {"sv": "Vem har färst kundmöten den här veckan?", "en": "Who has the fewest client meetings this week?"},
    },
    "commute": {
        "entities": "people",
        "gt": {"sv": "{x} har längre resväg till jobbet än {y}", "en": "{x} has a longer journey to work than {y}"},
        "lt": {"sv": "{x} har kortare resväg till jobbet än {y}", "en": "{x} has a shorter journey to work than {y}"},
        "top": {"sv": "Vem har längst resväg till jobbet?", "en": "Who has the longest journey to work?"},
        "bottom": {"sv": "Vem har kortast resväg till jobbet?", "en": "Who has the shortest journey to work?"},
    },
    "sales": {
        "entities": "teams",
        "gt": {"sv": "{x} sålde för mer under kvartalet än {y}", "en": "{x} sold more during the quarter than {y}"},
        "lt": {"sv": "{x} sålde för mindre under kvartalet än {y}", "en": "{x} sold less during the quarter than {y}"},
        "top": {"sv": "Vilket team sålde för mest under kvartalet?", "en": "Which team sold the most during the quarter?"},
        "bottom": {"sv": "Vilket team sålde för minst under kvartalet?", "en": "Which team sold the least during the quarter?"},
    },
    "cases": {
        "entities": "teams",
        "gt": {"sv": "{x} löste fler ärenden i mars än {y}", "en": "{x} resolved more cases in March than {y}"},
        "lt": {"sv": "{x} löste färre ärenden i mars än {y}", "en": "{x} resolved fewer cases in March than {y}"},
        "top": {"sv": "Vilket team löste flest ärenden i mars?", "en": "Which team resolved the most cases in March?"},
        "bottom": {"sv": "Vilket team löste färst ärenden i mars?", "en": "Which team resolved the fewest cases in March?"},
    },
}

PAIR_UNDETERMINED = {
    "sv": "Det går inte att avgöra hur {x} och {y} förhåller sig till varandra.",
    "en": "It cannot be determined how {x} and {y} compare.",
}

#: Partial orders on 4 slots: (higher, lower) pairs stated as premises.
ORDER4_STRUCTURES = {
    "chain": ((0, 1), (1, 2), (2, 3)),
    "fork_top": ((0, 1), (0, 2), (2, 3)),  # one top; bottom is 1 or 3
    "two_tops": ((0, 2), (1, 2), (2, 3)),  # top is 0 or 1; one bottom
}


def _compare(rel: dict, hi: str, lo: str, phrasing: str) -> dict[str, str]:
    """Sentence saying ``hi`` ranks above ``lo``, phrased with "gt" or "lt"."""
    if phrasing == "gt":
        return {lang: _cap(rel["gt"][lang].format(x=hi, y=lo)) + "." for lang in ("sv", "en")}
    return {lang: _cap(rel["lt"][lang].format(x=lo, y=hi)) + "." for lang in ("sv", "en")}


def _random_compare(rng: Rng, rel: dict, hi: str, lo: str) -> dict[str, str]:
    return _compare(rel, hi, lo, _pick(rng, ("gt", "lt")))


def _entities(rng: Rng, rel: dict, k: int) -> list[str]:
    return _sample(rng, NAMES if rel["entities"] == "people" else TEAMS, k)


def _premises_stem(premises: list[dict[str, str]], question: dict[str, str]) -> dict[str, str]:
    return {lang: "\n".join(p[lang] for p in premises) + "\n\n" + question[lang] for lang in ("sv", "en")}


def _deductive(item_id: str, stem: dict, options: list[Option], key: int, features: dict, explanation=None):
    features = {**features, "option_logic": [form for _, form in options]}
    return _item(item_id, "deductive", stem, options, key, features, explanation)


def _order3(rng: Rng, item_id: str, rel_id: str) -> dict[str, Any]:
    rel = RELATIONS[rel_id]
    top, mid, bottom = _entities(rng, rel, 3)
    edges = [(top, mid), (mid, bottom)]
    premises = [_random_compare(rng, rel, hi, lo) for hi, lo in _sample(rng, edges, 2)]
    key = (_random_compare(rng, rel, top, bottom), ["gt", top, bottom])
    distractors = [
        (_random_compare(rng, rel, bottom, top), ["gt", bottom, top]),
        (_random_compare(rng, rel, mid, top), ["gt", mid, top]),
        (_random_compare(rng, rel, bottom, mid), ["gt", bottom, mid]),
        ({lang: PAIR_UNDETERMINED[lang].format(x=top, y=bottom) for lang in ("sv", "en")},
         ["undetermined_pair", top, bottom]),
    ]
    options, key_index = _shuffle(rng, key, distractors)
    features = {
        "template": "order3", "logic": "order", "relation": rel_id, "entities": [top, mid, bottom],
        "premise_logic": [["gt", hi, lo] for hi, lo in edges],
    }
    return _deductive(item_id, _premises_stem(premises, CONCLUSION_QUESTION), options, key_index, features)


def _order4_conclusion(rng: Rng, item_id: str, rel_id: str) -> dict[str, Any]:
    rel = RELATIONS[rel_id]
    ents = _entities(rng, rel, 4)
    edges = [(ents[i], ents[j]) for i, j in ORDER4_STRUCTURES["chain"]]
    premises = [_random_compare(rng, rel, hi, lo) for hi, lo in _sample(rng, edges, 3)]
    i, j = _pick(rng, ((0, 2), (1, 3), (0, 3)))
    key = (_random_compare(rng, rel, ents[i], ents[j]), ["gt", ents[i], ents[j]])
    false_pairs = [p for p in itertools.combinations(range(4), 2) if p != (i, j)]
    distractors = [
        (_random_compare(rng, rel, ents[b], ents[a]), ["gt", ents[b], ents[a]])
        for a, b in _sample(rng, false_pairs, 3)
    ]
    distractors.append(
        ({lang: PAIR_UNDETERMINED[lang].format(x=ents[i], y=ents[j]) for lang in ("sv", "en")},
         ["undetermined_pair", ents[i], ents[j]])
    )
    options, key_index = _shuffle(rng, key, distractors)
    features = {
        "template": "order4_conclusion", "logic": "order", "relation": rel_id, "entities": ents,
        "premise_logic": [["gt", hi, lo] for hi, lo in edges],
    }
    return _deductive(item_id, _premises_stem(premises, CONCLUSION_QUESTION), options, key_index, features)


def _extremes(edges: list[tuple[str, str]], entities: list[str], which: str) -> set[str]:
    """Entities that rank top (or bottom) in at least one total order consistent with edges."""
    found = set()
    for perm in itertools.permutations(entities):
        rank = {e: r for r, e in enumerate(perm)}
        if all(rank[hi] < rank[lo] for hi, lo in edges):
            found.add(perm[0] if which == "top" else perm[-1])
    return found


def _order4_extreme(rng: Rng, item_id: str, rel_id: str, determined: bool) -> dict[str, Any]:
    rel = RELATIONS[rel_id]
    ents = _entities(rng, rel, 4)
    structure = _pick(rng, sorted(ORDER4_STRUCTURES))
    edges = [(ents[i], ents[j]) for i, j in ORDER4_STRUCTURES[structure]]
    candidates = [w for w in ("top", "bottom") if (len(_extremes(edges, ents, w)) == 1) == determined]
    if not candidates:  # a chain determines both ends; choose again
        return _order4_extreme(rng, item_id, rel_id, determined)
    which = _pick(rng, candidates)
    premises = [_random_compare(rng, rel, hi, lo) for hi, lo in _sample(rng, edges, 3)]
    name_options = [(_both(e), [which, e]) for e in ents]
    undetermined = (dict(UNDETERMINED), ["undetermined", which])
    if determined:
        (answer,) = _extremes(edges, ents, which)
        key = name_options[ents.index(answer)]
        distractors = [o for o in name_options if o is not key] + [undetermined]
    else:
        key, distractors = undetermined, name_options
    options, key_index = _shuffle(rng, key, distractors)
    features = {
        "template": "order4_extreme", "logic": "order", "relation": rel_id, "structure": structure,
        "question": which, "entities": ents, "premise_logic": [["gt", hi, lo] for hi, lo in edges],
    }
    return _deductive(item_id, _premises_stem(premises, rel[which]), options, key_index, features)


# --------------------------------------------------------------------------- deductive: all/some/none

#: Predicates for quantified statements: (sv, sv negated, en, en negated). Swedish verbs do
#: not inflect for number and the English forms are 3rd person singular, which fits both
#: "Everyone who ..." and a named person.
PREDICATES = {
    "privacy_course": ("har gått kursen i dataskydd", "har inte gått kursen i dataskydd",
                       "has completed the data protection course", "has not completed the data protection course"),
    "payroll_access": ("har tillgång till lönesystemet", "har inte tillgång till lönesystemet",
                       "has access to the payroll system", "does not have access to the payroll system"),
    "floor_three": ("sitter på plan tre", "sitter inte på plan tre",
                    "has a desk on the third floor", "does not have a desk on the third floor"),
    "monday_meeting": ("deltar i måndagsmötet", "deltar inte i måndagsmötet",
                       "attends the Monday meeting", "does not attend the Monday meeting"),
    "company_car": ("har tjänstebil", "har inte tjänstebil", "has a company car", "does not have a company car"),
    "german": ("talar tyska", "talar inte tyska", "speaks German", "does not speak German"),
    "safety_committee": ("är med i skyddskommittén", "är inte med i skyddskommittén",
                         "is on the safety committee", "is not on the safety committee"),
    "nda": ("har skrivit under sekretessavtalet", "har inte skrivit under sekretessavtalet",
            "has signed the confidentiality agreement", "has not signed the confidentiality agreement"),
    "weekend_on_call": ("har jour i helgen", "har inte jour i helgen",
                        "is on call this weekend", "is not on call this weekend"),
    "project_vega": ("arbetar i projekt Vega", "arbetar inte i projekt Vega",
                     "works on project Vega", "does not work on project Vega"),
}


def _monadic_text(form: list) -> dict[str, str]:
    op = form[0]
    if op in ("all", "none", "some"):
        a, b = PREDICATES[form[1]], PREDICATES[form[2]]
        lead = {"all": ("Alla som", "Everyone who"), "none": ("Ingen som", "No one who"),
                "some": ("Minst en person som", "At least one person who")}[op]
        return {"sv": f"{lead[0]} {a[0]} {b[0]}.", "en": f"{lead[1]} {a[2]} {b[2]}."}
    name, p = form[1], PREDICATES[form[2]]
    if op == "is":
        return {"sv": f"{name} {p[0]}.", "en": f"{name} {p[2]}."}
    if op == "is_not":
        return {"sv": f"{name} {p[1]}.", "en": f"{name} {p[3]}."}
    if op == "undetermined":
        return {"sv": f"Det går inte att avgöra om {name} {p[0]}.",
                "en": f"It cannot be determined whether {name} {p[2]}."}
    raise ValueError(op)


#: template -> (premises, key, distractors) over predicates A, B, C and a person n.
SYLLOGISMS = {
    "all_instance": ([["all", "A", "B"], ["is", "n", "A"]], ["is", "n", "B"],
                     [["is_not", "n", "B"], ["all", "B", "A"], ["undetermined", "n", "B"]]),
    "all_tollens": ([["all", "A", "B"], ["is_not", "n", "B"]], ["is_not", "n", "A"],
                    [["is", "n", "A"], ["all", "B", "A"], ["undetermined", "n", "A"]]),
    "all_converse": ([["all", "A", "B"], ["is", "n", "B"]], ["undetermined", "n", "A"],
                     [["is", "n", "A"], ["is_not", "n", "A"], ["all", "B", "A"]]),
    "all_chain": ([["all", "A", "B"], ["all", "B", "C"]], ["all", "A", "C"],
                  [["all", "C", "A"], ["all", "B", "A"], ["none", "A", "C"]]),
    "none_instance": ([["none", "A", "B"], ["is", "n", "A"]], ["is_not", "n", "B"],
                      [["is", "n", "B"], ["undetermined", "n", "B"], ["some", "B", "A"]]),
    "none_tollens": ([["none", "A", "B"], ["is", "n", "B"]], ["is_not", "n", "A"],
                     [["is", "n", "A"], ["undetermined", "n", "A"], ["all", "B", "A"]]),
    "some_chain": ([["all", "A", "B"], ["some", "C", "A"]], ["some", "C", "B"],
                   [["all", "C", "B"], ["none", "C", "B"], ["all", "B", "A"]]),
}


def _syllogism(rng: Rng, item_id: str, template: str) -> dict[str, Any]:
    premises, key_form, distractor_forms = SYLLOGISMS[template]
    preds = dict(zip("ABC", _sample(rng, sorted(PREDICATES), 3)))
    preds["n"] = _pick(rng, NAMES)

    def bind(form: list) -> list:
        return [form[0], *(preds[s] for s in form[1:])]

    bound_premises = [bind(p) for p in premises]
    key = (_monadic_text(bind(key_form)), bind(key_form))
    distractors = [(_monadic_text(bind(f)), bind(f)) for f in distractor_forms]
    options, key_index = _shuffle(rng, key, distractors)
    premise_texts = [_monadic_text(p) for p in bound_premises]
    features = {"template": template, "logic": "monadic", "premise_logic": bound_premises}
    stem = _premises_stem(premise_texts, CONCLUSION_QUESTION)
    return _deductive(item_id, stem, options, key_index, features)


# --------------------------------------------------------------------------- deductive: if-then

#: Events: (sv, sv negated, sv verb-first for the main clause after "Om ...,", en, en negated).
#: "{n}" is filled with a name.
EVENTS = {
    "office_friday": ("{n} är på kontoret på fredag", "{n} är inte på kontoret på fredag",
                      "är {n} på kontoret på fredag", "{n} is in the office on Friday",
                      "{n} is not in the office on Friday"),
    "chairs_meeting": ("{n} leder veckomötet", "{n} leder inte veckomötet", "leder {n} veckomötet",
                       "{n} chairs the weekly meeting", "{n} does not chair the weekly meeting"),
    "quote_approved": ("offerten godkänns i dag", "offerten godkänns inte i dag", "godkänns offerten i dag",
                       "the quote is approved today", "the quote is not approved today"),
    "project_may": ("projektet startar i maj", "projektet startar inte i maj", "startar projektet i maj",
                    "the project starts in May", "the project does not start in May"),
    "client_visit": ("{n} reser till kunden i Umeå", "{n} reser inte till kunden i Umeå",
                     "reser {n} till kunden i Umeå", "{n} travels to the client in Umeå",
                     "{n} does not travel to the client in Umeå"),
    "budget": ("ledningsgruppen godkänner budgeten", "ledningsgruppen godkänner inte budgeten",
               "godkänner ledningsgruppen budgeten", "the management team approves the budget",
               "the management team does not approve the budget"),
    "on_call": ("{n} har jour på lördag", "{n} har inte jour på lördag", "har {n} jour på lördag",
                "{n} is on call on Saturday", "{n} is not on call on Saturday"),
    "delivery": ("leveransen kommer fram i tid", "leveransen kommer inte fram i tid",
                 "kommer leveransen fram i tid", "the delivery arrives on time",
                 "the delivery does not arrive on time"),
    "training": ("{n} går utbildningen i Göteborg", "{n} går inte utbildningen i Göteborg",
                 "går {n} utbildningen i Göteborg", "{n} attends the training in Gothenburg",
                 "{n} does not attend the training in Gothenburg"),
    "system_update": ("systemet uppdateras i helgen", "systemet uppdateras inte i helgen",
                      "uppdateras systemet i helgen", "the system is updated at the weekend",
                      "the system is not updated at the weekend"),
}

#: template -> (second premise, key, distractors) over atoms P, Q; first premise is "if P then Q".
CONDITIONALS = {
    "modus_ponens": (["fact", "P"], ["fact", "Q"], [["not", "Q"], ["not", "P"], ["undetermined", "Q"]]),
    "modus_tollens": (["not", "Q"], ["not", "P"], [["fact", "P"], ["fact", "Q"], ["undetermined", "P"]]),
    "affirming_consequent": (["fact", "Q"], ["undetermined", "P"], [["fact", "P"], ["not", "P"], ["not", "Q"]]),
    "denying_antecedent": (["not", "P"], ["undetermined", "Q"], [["fact", "Q"], ["not", "Q"], ["fact", "P"]]),
}


def _conditional(rng: Rng, item_id: str, template: str) -> dict[str, Any]:
    second, key_form, distractor_forms = CONDITIONALS[template]
    p_id, q_id = _sample(rng, sorted(EVENTS), 2)
    names = _sample(rng, NAMES, 2)
    forms = {
        "P": [s.format(n=names[0]) for s in EVENTS[p_id]],
        "Q": [s.format(n=names[1]) for s in EVENTS[q_id]],
    }
    atoms = {"P": p_id, "Q": q_id}

    def text(form: list) -> dict[str, str]:
        sv, sv_neg, _, en, en_neg = forms[form[1]]
        if form[0] == "fact":
            return {"sv": _cap(sv) + ".", "en": _cap(en) + "."}
        if form[0] == "not":
            return {"sv": _cap(sv_neg) + ".", "en": _cap(en_neg) + "."}
        return {"sv": f"Det går inte att avgöra om {sv}.", "en": f"It cannot be determined whether {en}."}

    def bind(form: list) -> list:
        return [form[0], atoms[form[1]]]

    rule = {"sv": f"Om {forms['P'][0]}, {forms['Q'][2]}.", "en": f"If {forms['P'][3]}, {forms['Q'][3]}."}
    key = (text(key_form), bind(key_form))
    distractors = [(text(f), bind(f)) for f in distractor_forms]
    options, key_index = _shuffle(rng, key, distractors)
    features = {
        "template": template, "logic": "propositional",
        "premise_logic": [["if", p_id, q_id], bind(second)],
    }
    stem = _premises_stem([rule, text(second)], CONCLUSION_QUESTION)
    return _deductive(item_id, stem, options, key_index, features)


# --------------------------------------------------------------------------- practice items


def _practice_items(rng: Rng) -> list[dict[str, Any]]:
    number = {"rule": "constant_difference", "start": 2, "difference": 2, "n_shown": 4}
    options, key = _shuffle(rng, (_both("10"), 10), [(_both(str(v)), v) for v in (12, 9, 16)])
    ns = _item("NS-P01", "number_series", _both("2, 4, 6, 8, ?"), options, key, number, {
        "sv": "Varje tal är 2 större än det föregående. Efter 8 kommer därför 10.",
        "en": "Each number is 2 more than the one before it, so 8 is followed by 10.",
    })

    letter = {"rule": "constant_step", "start": "A", "step": 2, "n_shown": 4}
    options, key = _shuffle(rng, (_both("I"), 8), [(_both(c), ALPHABET.index(c)) for c in "HJK"])
    stem = {lang: f"A, C, E, G, ?\n{LETTER_NOTE[lang]}" for lang in ("sv", "en")}
    ls = _item("LS-P01", "letter_series", stem, options, key, letter, {
        "sv": "Serien hoppar över en bokstav varje gång: A (B) C (D) E (F) G (H) I. Rätt svar är I.",
        "en": "The series skips one letter each time: A (B) C (D) E (F) G (H) I. The answer is I.",
    })

    rel = RELATIONS["tenure"]
    a, b, c = "Anna", "Bo", "Cecilia"
    premises = [_compare(rel, a, b, "gt"), _compare(rel, b, c, "gt")]
    key_opt = (_compare(rel, a, c, "gt"), ["gt", a, c])
    distractors = [
        (_compare(rel, c, a, "gt"), ["gt", c, a]),
        (_compare(rel, b, a, "gt"), ["gt", b, a]),
        ({lang: PAIR_UNDETERMINED[lang].format(x=a, y=c) for lang in ("sv", "en")}, ["undetermined_pair", a, c]),
    ]
    options, key = _shuffle(rng, key_opt, distractors)
    features = {
        "template": "order3", "logic": "order", "relation": "tenure", "entities": [a, b, c],
        "premise_logic": [["gt", a, b], ["gt", b, c]],
    }
    de = _deductive("DE-P01", _premises_stem(premises, CONCLUSION_QUESTION), options, key, features, {
        "sv": "Anna har arbetat längre än Bo, och Bo har arbetat längre än Cecilia. "
              "Då har Anna också arbetat längre än Cecilia.",
        "en": "Anna has worked at the company longer than Bo, and Bo longer than Cecilia. "
              "So Anna has also worked there longer than Cecilia.",
    })
    return [ns, ls, de]


# --------------------------------------------------------------------------- the bank

NUMBER_PLAN = (
    ["constant_difference"] * 4 + ["growing_difference"] * 4 + ["ratio"] * 3
    + ["alternating_difference"] * 3 + ["interleaved"] * 4
)
LETTER_PLAN = ["constant_step"] * 5 + ["growing_step"] * 4 + ["alternating_step"] * 4 + ["interleaved"] * 5
DEDUCTIVE_PLAN = (
    [("order3", None)] * 3 + [("order4_conclusion", None)] * 3
    + [("order4_extreme", True)] * 2 + [("order4_extreme", False)] * 2
    + [("syllogism", t) for t in SYLLOGISMS]
    + [("conditional", t) for t in CONDITIONALS] + [("conditional", "modus_tollens")]
)


def _unique(make: Callable[[], dict[str, Any]], seen: set[str]) -> dict[str, Any]:
    """Call ``make`` until it yields an item whose Swedish stem is new to the bank."""
    while True:
        item = make()
        if item["stem"]["sv"] not in seen:
            seen.add(item["stem"]["sv"])
            return item


def generate_logic_bank(seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The starter logic bank as a JSON-ready dict (same seed -> identical bank)."""
    rng = np.random.default_rng(seed)
    seen: set[str] = set()
    items = _practice_items(rng)
    for i, rule in enumerate(NUMBER_PLAN, 1):
        items.append(_unique(lambda: _number_item(rng, f"NS-{i:03d}", rule), seen))
    for i, rule in enumerate(LETTER_PLAN, 1):
        items.append(_unique(lambda: _letter_item(rng, f"LS-{i:03d}", rule), seen))
    # cycle through the relations in a shuffled order so ordering items vary in content
    relation_ids = sorted(RELATIONS)
    relations = itertools.cycle([relation_ids[int(i)] for i in rng.permutation(len(relation_ids))])
    for i, (kind, arg) in enumerate(DEDUCTIVE_PLAN, 1):
        item_id = f"DE-{i:03d}"
        rel_id = next(relations) if kind.startswith("order") else ""
        if kind == "order3":
            make = lambda: _order3(rng, item_id, rel_id)  # noqa: E731
        elif kind == "order4_conclusion":
            make = lambda: _order4_conclusion(rng, item_id, rel_id)  # noqa: E731
        elif kind == "order4_extreme":
            make = lambda: _order4_extreme(rng, item_id, rel_id, arg)  # noqa: E731
        elif kind == "syllogism":
            make = lambda: _syllogism(rng, item_id, arg)  # noqa: E731
        else:
            make = lambda: _conditional(rng, item_id, arg)  # noqa: E731
        items.append(_unique(make, seen))
    return {
        "format": "second-opinion/logic-bank",
        "format_version": 1,
        "bank_id": BANK_ID,
        "version": BANK_VERSION,
        "generator": {"module": "item_banks.starter", "version": GENERATOR_VERSION, "seed": seed},
        "description": DESCRIPTION,
        "items": items,
    }


def dumps(bank: dict[str, Any]) -> str:
    """Canonical file text: pretty JSON, sorted keys, UTF-8 characters kept, trailing newline."""
    return json.dumps(bank, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m item_banks.starter", description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="where to write the bank JSON")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"generator seed (default {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    args.output.write_text(dumps(generate_logic_bank(args.seed)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
