"""Number series item models: "which number comes next?".

Item models (``model`` = ``"number_series.<rule>"``), after the rule types that Simon &
Kotovsky (1963), Kotovsky & Simon (1973) and Holzman, Pellegrino & Glaser (1983) found
to drive series difficulty (kind of relation, period length, second-order relations,
size of the numbers):

``constant_difference``
    the same number is added (or subtracted) each time: 7, 11, 15, 19, ?
``with_repeat``
    two series take turns, one of them repeats one number: 2, 9, 4, 9, 6, 9, ?
``pairs``
    every number comes twice, then a constant step: 3, 3, 5, 5, 7, ?
``growing_difference``
    second order: the differences form an arithmetic series (1, 3, 5, 7, ...)
``ratio``
    each term is the one before multiplied (or divided) by the same whole number
``alternating_difference``
    a cycle of 2 or 3 differences (+5, -2, +5, -2, ...)
``alternating_operations``
    a cycle of 2 or 3 operations mixing addition/subtraction and multiplication (+3, x2)
``interleaved``
    two or three sub-series with their own constant differences take turns
``interleaved_rules``
    two sub-series with *different kinds* of rule take turns: one with growing
    differences (or a multiplication) and one that repeats a number, adds a constant,
    grows too or multiplies: 5, 40, 6, 45, 8, 50, 11, 55, ?
``ratio_difference``
    second order: the differences form a ratio series (2, 4, 8, 16, ...), rising or
    falling
``growing_ratio``
    second order with multiplication: the factor grows (x2, x3, x4, ...) or the divisor
    grows (/2, /3, /4, ...)
``fibonacci_like``
    each term is the sum of the two (or three) terms before it

Every item records in ``structure`` the shown terms and the rule parameters
(``{"shown": [...], "rule": {...}}``) and in ``features`` the difficulty features read by
:mod:`item_banks.difficulty`. Enough terms are shown for every part of the rule to be
seen at least twice. Terms are positive whole numbers below 10 000. ``n_rules`` counts
the relations that change a term; a repeated term (Simon & Kotovsky's "same" relation)
adds no relation, only its period.

Every item has ``N_OPTIONS`` = 8 options (guessing c = 1/8). Distractors are plausible
rule violations (a difference that did not grow, the wrong operation of the cycle, the
wrong sub-series, one step too far, a constant difference applied to a ratio series)
topped up with small slips (off by 1, 2, ...). How many distractors lie below the key is
balanced over 0..7 within each model, so the key's rank among the options does not give
it away (see :func:`item_banks.checks.series_shortcut_rates`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from ._common import (
    Rng,
    both,
    make_item,
    pick,
    pick_distractors,
    planned_items,
    rand_int,
    shuffle_options,
)

MODEL_VERSION = "number_series-3.0"
TYPE = "number_series"
N_OPTIONS = 8
LIMIT = 10_000

#: model -> items in a set of 130 (relative shares for other sizes)
MODELS = [
    ("constant_difference", 16),  # split over VARIANTS
    ("with_repeat", 7),
    ("pairs", 7),
    ("ratio", 8),
    ("interleaved", 8),  # split over VARIANTS
    ("alternating_difference", 10),  # split over VARIANTS
    ("fibonacci_like", 6),
    ("growing_difference", 7),
    ("alternating_operations", 11),
    ("interleaved_rules", 27),  # split over SUB_COMBOS
    ("ratio_difference", 11),  # split over VARIANTS
    ("growing_ratio", 12),  # split over VARIANTS
]
PRACTICE_MODELS = [("constant_difference", 1)]
#: models whose rule repeats terms on purpose (the "mostly repeats itself" test is off)
REPEATING = {"with_repeat", "pairs", "interleaved_rules"}

MINUS = "−"


def _signed(d: int) -> str:
    return f"+{d}" if d >= 0 else f"{MINUS}{-d}"


def _step(last: int, d: int, result: int) -> str:
    return f"{last} + {d} = {result}" if d >= 0 else f"{last} {MINUS} {-d} = {result}"


def _running_terms(start: int, diffs: list[int]) -> list[int]:
    """``start`` and each term after it, adding the differences in turn."""
    terms = [start]
    for d in diffs:
        terms.append(terms[-1] + d)
    return terms


def _next_difference(last: int, d: int, key: int) -> dict[str, str]:
    """The closing sentence of an explanation from the differences: the next one gives the key."""
    return {"sv": f"Nästa skillnad är {_signed(d)}, så {_step(last, d, key)}.",
            "en": f"The next difference is {_signed(d)}, so {_step(last, d, key)}."}


def _apply(op: str, arg: int, value: int) -> int:
    return value + arg if op == "+" else value * arg


def _op_text(op: str, arg: int) -> str:
    if op == "*":
        return f"×{arg}"
    return _signed(arg)


def _op_step(last: int, op: str, arg: int, result: int) -> str:
    return f"{last} × {arg} = {result}" if op == "*" else _step(last, arg, result)


def _digits(values: list[int]) -> int:
    return len(str(max(abs(v) for v in values)))


def _features(rule: str, shown: list[int], key: int, **extra: Any) -> dict[str, Any]:
    values = shown + [key]
    features = {
        "rule": rule,
        "n_shown": len(shown),
        "magnitude": _digits(values),
        "decreasing": values[-1] < values[0],
    }
    features.update(extra)
    return features


def _join(values: list[int]) -> str:
    return ", ".join(str(v) for v in values)


ORDINAL = {"sv": ("första", "andra", "tredje"), "en": ("first", "second", "third")}


# --------------------------------------------------------------------------- models
# Each model returns (rule parameters, all terms incl. the key, features, primary
# distractors, explanation) or None when the drawn parameters do not fit the limits.

Built = tuple[dict[str, Any], list[int], dict[str, Any], list[int], dict[str, str]]


def _constant_difference(rng: Rng, practice: bool, variant: str = "up_small") -> Built | None:
    if practice:
        start, d, n = rand_int(rng, 1, 5), pick(rng, (2, 3, 5, 10)), 4
    elif variant in ("up_small", "down_small"):  # numbers below 10, or below 100
        sign = 1 if variant == "up_small" else -1
        if rng.random() < 0.4:
            d, n = sign * pick(rng, (1, 1, 2)), 4
            start = rand_int(rng, 1, 9 - 4 * d) if d > 0 else rand_int(rng, 1 - 4 * d, 9)
        else:
            d, n = sign * pick(rng, (2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 15)), rand_int(rng, 4, 5)
            start = rand_int(rng, 1, 40) if d > 0 else rand_int(rng, 40, 99)
            if not 0 < start + n * d < 100:
                return None
    else:  # bigger numbers, either way
        size = pick(rng, ("medium", "large", "huge"))
        d = {"medium": pick(rng, (11, 12, 13, 15, 17, 19, 25, -11, -12, -13, -15)),
             "large": pick(rng, (23, 27, 45, 75, 125, 150, -25, -45, -75)),
             "huge": pick(rng, (125, 250, 500, 1000, -125, -250, -500))}[size]
        start = {"medium": rand_int(rng, 20, 150), "large": rand_int(rng, 100, 900),
                 "huge": rand_int(rng, 1000, 4000)}[size]
        if d < 0:
            start += -d * 6
        n = 5
    terms = [start + i * d for i in range(n + 1)]
    shown, key = terms[:n], terms[n]
    last = shown[-1]
    sgn = 1 if d > 0 else -1
    primary = [key + d, key + sgn, key - sgn, key + 10 * sgn, key - 10 * sgn, last + 3 * d,
               key + 2 * sgn, key - 2 * sgn]
    word_sv, word_en = ("större", "more") if d > 0 else ("mindre", "less")
    explanation = {
        "sv": f"Varje tal är {abs(d)} {word_sv} än det föregående: {_step(last, d, key)}.",
        "en": f"Each number is {abs(d)} {word_en} than the one before: {_step(last, d, key)}.",
    }
    params = {"start": start, "difference": d}
    features = _features("constant_difference", shown, key, n_rules=1, period=1,
                         second_order=False, operations=["add"])
    return params, terms, features, primary, explanation


def _with_repeat(rng: Rng, practice: bool) -> Built | None:
    n = pick(rng, (6, 7))
    m = (n + 2) // 2  # terms of each sub-series, the key's included
    if rng.random() < 0.5:  # every number below 10
        d = pick(rng, (1, 2, -1, -1, -2))
        start = rand_int(rng, 1, 9 - (m - 1) * d) if d > 0 else rand_int(rng, 1 - (m - 1) * d, 9)
        same = rand_int(rng, 1, 9)
    else:
        d = pick(rng, (2, 3, 4, 5, 6, 7, 9, 11, -2, -3, -4, -5, -6))
        start = rand_int(rng, 10, 60) + (-d * m if d < 0 else 0)
        same = rand_int(rng, 10, 99)
    changing = [start + i * d for i in range(m)]
    if min(changing) < 1 or same in changing:
        return None
    first_changes = rng.random() < 0.5
    subs = [changing, [same] * m] if first_changes else [[same] * m, changing]
    diffs = [d, 0] if first_changes else [0, d]
    starts = [subs[0][0], subs[1][0]]
    terms = [subs[i % 2][i // 2] for i in range(n + 1)]
    shown, key = terms[:n], terms[n]
    j = n % 2
    own = shown[j::2]
    c_last = changing[len(shown[(0 if first_changes else 1)::2]) - 1]
    if diffs[j] == 0:  # the key is the repeated number
        primary = [c_last + d, same + d, same - d, c_last + 2 * d, same + 1, same - 1, c_last]
        calc_sv = calc_en = f"{same}"
    else:
        primary = [same, key + d, own[-1], key + 1, key - 1, same + d, key + 2 * d]
        calc_sv = calc_en = _step(own[-1], d, key)
    word_sv, word_en = ("ökar", "go up") if d > 0 else ("minskar", "go down")
    c_shown = [t for t in changing if t in shown]
    explanation = {
        "sv": f"Varannat tal är {same}. Talen däremellan ({_join(c_shown)}) {word_sv} med {abs(d)} varje gång. "
              f"Nästa tal hör till den {ORDINAL['sv'][j]} serien: {calc_sv}.",
        "en": f"Every other number is {same}. The numbers in between ({_join(c_shown)}) {word_en} by {abs(d)} "
              f"each time. The next number belongs to the {ORDINAL['en'][j]} series: {calc_en}.",
    }
    params = {"starts": starts, "differences": diffs}
    features = _features("with_repeat", shown, key, n_rules=1, period=2, second_order=False,
                         operations=["add"], decreasing=d < 0)
    return params, terms, features, primary, explanation


def _pairs(rng: Rng, practice: bool) -> Built | None:
    n = pick(rng, (5, 6, 7))
    m = (n + 2) // 2  # distinct values, the key's included
    if rng.random() < 0.5:  # every number below 10
        d = pick(rng, (1, 2, -1, -1, -2))
        start = rand_int(rng, 1, 9 - (m - 1) * d) if d > 0 else rand_int(rng, 1 - (m - 1) * d, 9)
    else:
        d = pick(rng, (2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 20, 25, -2, -3, -4, -5, -6, -7, -9, -10))
        start = rand_int(rng, 10, 80) + (-d * m if d < 0 else 0)
    terms = [start + (i // 2) * d for i in range(n + 1)]
    if min(terms) < 1:
        return None
    shown, key = terms[:n], terms[n]
    last = shown[-1]
    if key == last:  # the second of a pair
        primary = [last + d, last + 2 * d, key + 1, key - 1, key + 2, key - 2, key + 10]
        how_sv, how_en = f"{key} kommer en gång till", f"{key} comes once more"
    else:
        primary = [key + d, last, key + 1, key - 1, key + 2, key - 2, key + 2 * d]
        how_sv, how_en = _step(last, d, key), _step(last, d, key)
    word_sv, word_en = ("större", "more") if d > 0 else ("mindre", "less")
    explanation = {
        "sv": f"Varje tal kommer två gånger, och nästa tal är {abs(d)} {word_sv}. Därför: {how_sv}.",
        "en": f"Every number comes twice, and the next number is {abs(d)} {word_en}. So: {how_en}.",
    }
    params = {"start": start, "difference": d, "repeats": 2}
    features = _features("pairs", shown, key, n_rules=1, period=2, second_order=False, operations=["add"])
    return params, terms, features, primary, explanation


def _growing_difference(rng: Rng, practice: bool) -> Built | None:
    down = rng.random() < 0.4
    d0, s = rand_int(rng, 1, 6), rand_int(rng, 1, 4)
    n = 5
    start = rand_int(rng, 1, 30) if not down else rand_int(rng, 60, 200)
    r = rng.random()
    if r < 0.3:  # bigger numbers
        start += rand_int(rng, 100, 800)
    elif r < 0.7:
        start += rand_int(rng, 1000, 5000)
    sign = -1 if down else 1
    diffs = [sign * (d0 + i * s) for i in range(n)]
    terms = _running_terms(start, diffs)
    shown, key = terms[:n], terms[n]
    last, prev = shown[-1], shown[-2]
    last_d = last - prev
    step = sign * s
    primary = [last + last_d, last + last_d + 2 * step, key + step, last + last_d - step, key + 1, key - 1,
               key + diffs[-1]]
    shown_diffs = ", ".join(_signed(d) for d in diffs[: n - 1])
    closing = _next_difference(last, diffs[-1], key)
    explanation = {
        "sv": f"Skillnaderna mellan talen är {shown_diffs}: de ändras med {_signed(step)} varje gång. "
              + closing["sv"],
        "en": f"The differences between the numbers are {shown_diffs}: they change by {_signed(step)} "
              f"each time. " + closing["en"],
    }
    params = {"start": start, "first_difference": diffs[0], "difference_step": step}
    features = _features("growing_difference", shown, key, n_rules=2, period=1,
                         second_order=True, operations=["add"])
    return params, terms, features, primary, explanation


def _ratio(rng: Rng, practice: bool) -> Built | None:
    r = pick(rng, (2, 2, 3, 3, 4, 5))
    n = 5 if r < 4 else 4
    divide = rng.random() < 0.3
    if divide:
        k = rand_int(rng, 1, 6)
        start = k * r**n
        terms = [start // r**i for i in range(n + 1)]
    else:
        start = rand_int(rng, 1, 9 if r <= 3 else 4)
        terms = [start * r**i for i in range(n + 1)]
    shown, key = terms[:n], terms[n]
    last, prev = shown[-1], shown[-2]
    if divide:
        primary = [last - (prev - last), last // (r + 1) if last % (r + 1) == 0 else key - 1,
                   key * 2 if r != 2 else key + 1, last - r, key + 1, key - 1, key + r]
        explanation = {
            "sv": f"Varje tal är det föregående delat med {r}: {last} / {r} = {key}.",
            "en": f"Each number is the one before divided by {r}: {last} / {r} = {key}.",
        }
    else:
        primary = [last + (last - prev), last * (r + 1), key + last, key + prev, key - prev, key + 1,
                   key - 1] + ([last * (r - 1)] if r > 2 else [])
        explanation = {
            "sv": f"Varje tal är {r} gånger så stort som det föregående: {last} × {r} = {key}.",
            "en": f"Each number is {r} times the one before: {last} × {r} = {key}.",
        }
    params = {"start": start, "factor": r, "divide": divide}
    features = _features("ratio", shown, key, n_rules=1, period=1, second_order=False,
                         operations=["multiply"])
    return params, terms, features, primary, explanation


def _alternating_difference(rng: Rng, practice: bool, variant: str = "p2") -> Built | None:
    p = 3 if variant == "p3" else 2
    values = [d for d in range(-9, 13) if d != 0]
    while True:
        diffs = [pick(rng, values) for _ in range(p)]
        if len(set(diffs)) == p and sum(diffs) != 0 and (p == 2 or len({abs(d) for d in diffs}) == p):
            break
    n = 2 * p + 2
    start = rand_int(rng, 5, 40)
    if variant == "p2_big":
        start += rand_int(rng, 1000, 3000)
    elif rng.random() < 0.4:
        start += rand_int(rng, 100, 500) if rng.random() < 0.5 else rand_int(rng, 1000, 3000)
    terms = _running_terms(start, [diffs[i % p] for i in range(n)])
    shown, key = terms[:n], terms[n]
    last = shown[-1]
    phase = (n - 1) % p
    d = diffs[phase]
    others = [diffs[j] for j in range(p) if j != phase]
    primary = [last + o for o in others] + [key + d, last - d, key + sum(others), key + 1, key - 1]
    cycle = ", ".join(_signed(x) for x in diffs)
    explanation = {
        "sv": f"Skillnaderna upprepas i samma ordning: {cycle}, {cycle}, ... "
              f"Nästa steg är {_signed(d)}: {_step(last, d, key)}.",
        "en": f"The differences repeat in the same order: {cycle}, {cycle}, ... "
              f"The next step is {_signed(d)}: {_step(last, d, key)}.",
    }
    params = {"start": start, "differences": diffs}
    features = _features("alternating_difference", shown, key, n_rules=p, period=p,
                         second_order=False, operations=["add"])
    return params, terms, features, primary, explanation


def _alternating_operations(rng: Rng, practice: bool) -> Built | None:
    p = 2 if rng.random() < 0.25 else 3
    mult = ("*", pick(rng, (2, 2, 3)))
    adds = [("+", pick(rng, [d for d in range(-9, 10) if d not in (0, 1)])) for _ in range(p - 1)]
    if p == 3 and adds[0][1] == adds[1][1]:
        return None
    ops = [mult, *adds]
    ops = [ops[int(i)] for i in rng.permutation(p)]
    n = 2 * p + 1 + (1 if p == 2 and rng.random() < 0.5 else 0)
    # period 3: bigger starting numbers, so that the larger terms must be computed too
    r = rng.random()
    start = rand_int(rng, 1, 12) + (rand_int(rng, 10, 60) if r < 0.4 else rand_int(rng, 100, 300) if r < 0.6 else 0)
    terms = [start]
    for i in range(n):
        terms.append(_apply(*ops[i % p], terms[-1]))
    if not all(0 < t < LIMIT for t in terms) or len(set(terms)) < len(terms) - 1:
        return None
    shown, key = terms[:n], terms[n]
    last = shown[-1]
    phase = (n - 1) % p
    op, arg = ops[phase]
    primary = [_apply(o, a, last) for j, (o, a) in enumerate(ops) if j != phase]
    primary += [_apply(op, arg + 1, last), _apply(op, arg - 1, last) if op == "+" else last + arg]
    primary += [_apply(*ops[(phase + 1) % p], key), key + 1, key - 1]
    cycle = ", ".join(_op_text(o, a) for o, a in ops)
    explanation = {
        "sv": f"Räknestegen upprepas i samma ordning: {cycle}. "
              f"Nästa steg är {_op_text(op, arg)}: {_op_step(last, op, arg, key)}.",
        "en": f"The steps repeat in the same order: {cycle}. "
              f"The next step is {_op_text(op, arg)}: {_op_step(last, op, arg, key)}.",
    }
    params = {"start": start, "operations": [[o, a] for o, a in ops]}
    features = _features("alternating_operations", shown, key, n_rules=p, period=p,
                         second_order=False, operations=["add", "multiply"])
    return params, terms, features, primary, explanation


def _interleaved(rng: Rng, practice: bool, variant: str = "k2") -> Built | None:
    k = 3 if variant == "k3" else 2
    n = {2: pick(rng, (6, 7)), 3: 9}[k]
    diffs, starts = [], []
    r = rng.random()
    big = (rand_int(rng, 1000, 4000) if variant == "k2_big" or r < 0.3 else rand_int(rng, 100, 600) if r < 0.6
           else 0)
    for j in range(k):
        d = pick(rng, [d for d in range(-8, 13) if d not in (0, 1, -1)])
        diffs.append(d)
        starts.append(rand_int(rng, 1, 30) + 30 * j + (-d * 4 if d < 0 else 0) + big)
    if len(set(diffs)) == 1:
        return None
    terms = [starts[i % k] + (i // k) * diffs[i % k] for i in range(n + 1)]
    if not all(0 < t < LIMIT for t in terms):
        return None
    shown, key = terms[:n], terms[n]
    j = n % k  # the sub-series of the missing term
    own_last = shown[n - k]
    last = shown[-1]
    primary = [own_last + diffs[(j + 1) % k], last + diffs[j], last + diffs[(j - 1) % k],
               key + diffs[j], own_last, key + 1, key - 1]
    names_sv = {2: "två", 3: "tre"}[k]
    names_en = {2: "two", 3: "three"}[k]
    subs = [shown[i::k] for i in range(k)]
    sv_parts = [f"{_join(s)} ({_signed(d)})" for s, d in zip(subs, diffs)]
    explanation = {
        "sv": f"Serien består av {names_sv} serier som turas om: {' och '.join(sv_parts)}. "
              f"Nästa tal hör till den {ORDINAL['sv'][j]}: {_step(own_last, diffs[j], key)}.",
        "en": f"The series is made of {names_en} series that take turns: {' and '.join(sv_parts)}. "
              f"The next number belongs to the {ORDINAL['en'][j]}: {_step(own_last, diffs[j], key)}.",
    }
    params = {"starts": starts, "differences": diffs}
    features = _features("interleaved", shown, key, n_rules=k, period=k, second_order=False,
                         operations=["add"])
    return params, terms, features, primary, explanation


# ----- interleaved_rules: two sub-series with different kinds of rule

#: relations each kind of sub-series adds to ``n_rules`` ("same" repeats a number)
SUB_RELATIONS = {"same": 0, "constant": 1, "growing": 2, "ratio": 1}
#: shown terms a sub-series needs so that every part of its rule is seen twice
SUB_MIN_SHOWN = {"same": 3, "constant": 3, "growing": 4, "ratio": 3}
#: (kind of the sub-series the key belongs to, kind of the other one), share of the
#: ``interleaved_rules`` items (the weights add up to its weight in ``MODELS``)
SUB_COMBOS = [
    (("growing", "same"), 4),
    (("growing", "constant"), 6),
    (("growing", "growing"), 5),
    (("ratio", "same"), 3),
    (("ratio", "constant"), 3),
    (("growing", "ratio"), 6),
]


def _sub_spec(rng: Rng, kind: str, m: int, big: int) -> dict[str, Any]:
    """Parameters of one sub-series of ``m`` terms (``big`` is added to the start)."""
    if kind == "same":
        return {"kind": "same", "value": rand_int(rng, 2, 99) + big}
    if kind == "constant":
        d = pick(rng, (2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, -2, -3, -4, -5, -6, -7, -8, -10))
        return {"kind": "constant", "start": rand_int(rng, 1, 60) + big + (-d * m if d < 0 else 0), "difference": d}
    if kind == "growing":
        down = rng.random() < 0.3
        d0, s = rand_int(rng, 1, 6), rand_int(rng, 1, 4)
        span = m * d0 + m * m * s
        start = rand_int(rng, 1, 40) + big + (span if down else 0)
        return {"kind": "growing", "start": start, "first_difference": -d0 if down else d0,
                "difference_step": -s if down else s}
    r = pick(rng, (2, 2, 3))
    a = rand_int(rng, 1, 9 if r == 2 else 4)
    if rng.random() < 0.3:
        return {"kind": "ratio", "start": a * r ** (m - 1), "factor": r, "divide": True}
    return {"kind": "ratio", "start": a, "factor": r, "divide": False}


def _sub_terms(spec: dict[str, Any], m: int) -> list[int]:
    kind = spec["kind"]
    if kind == "same":
        return [spec["value"]] * m
    if kind == "constant":
        return [spec["start"] + i * spec["difference"] for i in range(m)]
    if kind == "growing":
        out = [spec["start"]]
        for i in range(m - 1):
            out.append(out[-1] + spec["first_difference"] + i * spec["difference_step"])
        return out
    r = spec["factor"]
    return [spec["start"] // r**i if spec["divide"] else spec["start"] * r**i for i in range(m)]


def _sub_text(spec: dict[str, Any], shown: list[int], lang: str) -> str:
    kind = spec["kind"]
    if kind == "same":
        return {"sv": f"{spec['value']} varje gång", "en": f"{spec['value']} every time"}[lang]
    if kind == "constant":
        d = _signed(spec["difference"])
        return {"sv": f"{_join(shown)} ({d} varje gång)", "en": f"{_join(shown)} ({d} each time)"}[lang]
    if kind == "growing":
        diffs = ", ".join(_signed(b - a) for a, b in zip(shown, shown[1:]))
        s = _signed(spec["difference_step"])
        return {"sv": f"{_join(shown)} (skillnaderna {diffs} ändras med {s} varje gång)",
                "en": f"{_join(shown)} (the differences {diffs} change by {s} each time)"}[lang]
    op = f"/ {spec['factor']}" if spec["divide"] else f"× {spec['factor']}"
    return {"sv": f"{_join(shown)} ({op} varje gång)", "en": f"{_join(shown)} ({op} each time)"}[lang]


def _sub_next(spec: dict[str, Any], own: list[int]) -> tuple[int, str]:
    """The next term of a sub-series after its shown terms ``own``, with the calculation."""
    nxt = _sub_terms(spec, len(own) + 1)[-1]
    kind, last = spec["kind"], own[-1]
    if kind == "same":
        return nxt, str(nxt)
    if kind == "ratio":
        r = spec["factor"]
        return nxt, f"{last} / {r} = {nxt}" if spec["divide"] else f"{last} × {r} = {nxt}"
    return nxt, _step(last, nxt - last, nxt)


def _interleaved_rules(rng: Rng, practice: bool, combo: tuple[str, str] = ("growing", "constant")) -> Built | None:
    key_kind, other_kind = combo
    # the key always belongs to the sub-series with the harder rule (growing rather than
    # ratio, ratio rather than constant), so that the whole pattern must be solved
    j = int(rng.integers(2))
    n = next(n for n in range(6, 12)
             if n % 2 == j and len(range(j, n, 2)) >= SUB_MIN_SHOWN[key_kind]
             and len(range(1 - j, n, 2)) >= SUB_MIN_SHOWN[other_kind])
    m = (n + 2) // 2
    big = rand_int(rng, 100, 500) if rng.random() < 0.25 else 0
    specs: list[dict[str, Any]] = [{}, {}]
    specs[j], specs[1 - j] = _sub_spec(rng, key_kind, m, big), _sub_spec(rng, other_kind, m, big)
    subs = [_sub_terms(s, m) for s in specs]
    if set(subs[0]) & set(subs[1]) or any(len(set(s)) != (1 if sp["kind"] == "same" else m)
                                          for s, sp in zip(subs, specs)):
        return None
    terms = [subs[i % 2][i // 2] for i in range(n + 1)]
    if not all(0 < t < LIMIT for t in terms):
        return None
    shown, key = terms[:n], terms[n]
    own, other = shown[j::2], shown[1 - j::2]
    other_next, _ = _sub_next(specs[1 - j], other)
    _, calc = _sub_next(specs[j], own)
    own_last, last = own[-1], shown[-1]
    spec = specs[j]
    if key_kind == "growing":
        last_d, step = own_last - own[-2], spec["difference_step"]
        primary = [own_last + last_d, key + step, own_last + (key - own_last) * 2, other_next,
                   last + (key - own_last), key - 2 * step, key + 1, key - 1]
    else:
        r = spec["factor"]
        if spec["divide"]:
            primary = [own_last - (own[-2] - own_last), key * 2 if r != 2 else key + 1, other_next,
                       own_last // (r + 1) if own_last % (r + 1) == 0 else key + r, key + 1, key - 1]
        else:
            primary = [own_last + (own_last - own[-2]), own_last * (r + 1), other_next, last * r,
                       key + own_last, key + 1, key - 1]
    texts = {lang: [_sub_text(specs[i], shown[i::2], lang) for i in range(2)] for lang in ("sv", "en")}
    explanation = {
        "sv": f"Två serier turas om: {texts['sv'][0]} och {texts['sv'][1]}. "
              f"Nästa tal hör till den {ORDINAL['sv'][j]} serien: {calc}.",
        "en": f"Two series take turns: {texts['en'][0]} and {texts['en'][1]}. "
              f"The next number belongs to the {ORDINAL['en'][j]} series: {calc}.",
    }
    kinds = {key_kind, other_kind}
    operations = (["add"] if kinds & {"constant", "growing"} else []) + (["multiply"] if "ratio" in kinds else [])
    down = any((s["kind"] == "ratio" and s["divide"]) or (s["kind"] == "constant" and s["difference"] < 0)
               or (s["kind"] == "growing" and s["first_difference"] < 0) for s in specs)
    params = {"subseries": specs}
    features = _features("interleaved_rules", shown, key, n_rules=SUB_RELATIONS[key_kind] + SUB_RELATIONS[other_kind],
                         period=2, second_order="growing" in kinds, operations=operations, decreasing=down)
    return params, terms, features, primary, explanation


def _ratio_difference(rng: Rng, practice: bool, variant: str = "up") -> Built | None:
    q = pick(rng, (2, 2, 3))
    d0 = rand_int(rng, 1, 4)
    n = 5 if q == 2 else pick(rng, (4, 5))
    diffs = [d0 * q**i for i in range(n)]
    if variant == "down":  # the differences are subtracted: the series falls faster and faster
        r = rng.random()
        start = sum(diffs) + rand_int(rng, 5, 60) + (rand_int(rng, 100, 800) if r < 0.4 else rand_int(rng, 1000, 4000)
                                                      if r < 0.7 else 0)
        diffs = [-d for d in diffs]
    elif variant == "up_big":  # four-digit numbers
        start = rand_int(rng, 1000, 4000)
    else:  # numbers below 100 or 1000
        start = rand_int(rng, 1, 30) + (rand_int(rng, 100, 300) if rng.random() < 0.5 else 0)
    terms = _running_terms(start, diffs)
    if not all(0 < t < LIMIT for t in terms):
        return None
    shown, key = terms[:n], terms[n]
    last, prev = shown[-1], shown[-2]
    last_d, prev_d = last - prev, prev - shown[-3]
    primary = [last + last_d, last + last_d + (last_d - prev_d), last + last_d * (q + 1),
               key + last_d, key + diffs[-1] * q, key + 1, key - 1]
    shown_diffs = ", ".join(_signed(d) for d in diffs[: n - 1])
    closing = _next_difference(last, diffs[-1], key)
    explanation = {
        "sv": f"Skillnaderna mellan talen ({shown_diffs}) blir {q} gånger så stora varje gång. " + closing["sv"],
        "en": f"The differences between the numbers ({shown_diffs}) become {q} times as large each time. "
              + closing["en"],
    }
    params = {"start": start, "first_difference": diffs[0], "difference_ratio": q}
    features = _features("ratio_difference", shown, key, n_rules=2, period=1, second_order=True,
                         operations=["add", "multiply"])
    return params, terms, features, primary, explanation


def _growing_ratio(rng: Rng, practice: bool, variant: str = "up") -> Built | None:
    k0, s = pick(rng, ((2, 1), (2, 1), (3, 1), (2, 2)))
    n = pick(rng, (4, 5))
    divide = variant == "down"
    factors = [k0 + i * s for i in range(n)]
    a = rand_int(rng, 1, 12) if rng.random() < 0.5 else rand_int(rng, 9, 40)
    if divide:  # divide by 2, 3, 4, ...: start with a multiple of every divisor
        start = a
        for f in factors:
            start *= f
        terms = [start]
        for f in factors:
            terms.append(terms[-1] // f)
    else:
        terms = [a]
        for f in factors:
            terms.append(terms[-1] * f)
        start = a
    if not all(0 < t < LIMIT for t in terms):
        return None
    shown, key = terms[:n], terms[n]
    last, prev = shown[-1], shown[-2]
    f_next, f_prev = factors[-1], factors[-2]
    if divide:
        primary = [last // f_prev, last // (f_next + s) if last % (f_next + s) == 0 else key + 2,
                   last - (prev - last), key * 2, key + 1, key - 1, key + f_next]
        calc = f"{last} / {f_next} = {key}"
        sv, en = "delas med", "divided by"
        grow_sv, grow_en = "Talet som det delas med", "The number it is divided by"
    else:
        primary = [last * f_prev, last * (f_next + s), key - last, key + last, last + (last - prev) * f_next,
                   key + 1, key - 1]
        calc = f"{last} × {f_next} = {key}"
        sv, en = "multipliceras med", "multiplied by"
        grow_sv, grow_en = "Faktorn", "The factor"
    shown_f = ", ".join(str(f) for f in factors[:-1])
    explanation = {
        "sv": f"Talen {sv} {shown_f} i tur och ordning. {grow_sv} ökar med {s} varje gång, så nästa är "
              f"{f_next}: {calc}.",
        "en": f"The numbers are {en} {shown_f} in turn. {grow_en} grows by {s} each time, so the next one is "
              f"{f_next}: {calc}.",
    }
    params = {"start": start, "first_factor": k0, "factor_step": s, "divide": divide}
    features = _features("growing_ratio", shown, key, n_rules=2, period=1, second_order=True,
                         operations=["add", "multiply"])
    return params, terms, features, primary, explanation


def _fibonacci_like(rng: Rng, practice: bool) -> Built | None:
    m = 2 if rng.random() < 0.75 else 3
    top = (9 if m == 2 else 5) if rng.random() < 0.3 else (30 if m == 2 else 12)
    starts = [rand_int(rng, 1, top) for _ in range(m)]
    if m == 2 and starts[0] == starts[1] == 1:
        return None
    n = 6 if m == 2 else 7
    terms = list(starts)
    while len(terms) < n + 1:
        terms.append(sum(terms[-m:]))
    shown, key = terms[:n], terms[n]
    last, prev = shown[-1], shown[-2]
    primary = [last + (last - prev), 2 * last, last + prev + 1, key + shown[-m - 1] if m == 2 else last + prev,
               key + last - prev, key + 1, key - 1]
    parts = " + ".join(str(t) for t in shown[-m:])
    words_sv, words_en = {2: ("två", "two"), 3: ("tre", "three")}[m]
    explanation = {
        "sv": f"Varje tal är summan av de {words_sv} föregående talen: {parts} = {key}.",
        "en": f"Each number is the sum of the {words_en} numbers before it: {parts} = {key}.",
    }
    params = {"starts": starts, "n_summed": m}
    features = _features("fibonacci_like", shown, key, n_rules=1 if m == 2 else 2, period=1,
                         second_order=True, operations=["add"])
    return params, terms, features, primary, explanation


BUILDERS: dict[str, Callable[..., Built | None]] = {
    "constant_difference": _constant_difference,
    "with_repeat": _with_repeat,
    "pairs": _pairs,
    "growing_difference": _growing_difference,
    "ratio": _ratio,
    "alternating_difference": _alternating_difference,
    "alternating_operations": _alternating_operations,
    "interleaved": _interleaved,
    "interleaved_rules": _interleaved_rules,
    "ratio_difference": _ratio_difference,
    "growing_ratio": _growing_ratio,
    "fibonacci_like": _fibonacci_like,
}

#: models planned per variant: (variant, share of the set); the shares add up to the
#: model's weight in ``MODELS``
VARIANTS: dict[str, list[tuple[Any, int]]] = {
    "constant_difference": [("up_small", 7), ("down_small", 5), ("large", 4)],
    "alternating_difference": [("p2", 4), ("p2_big", 3), ("p3", 3)],
    "interleaved": [("k2", 3), ("k2_big", 3), ("k3", 2)],
    "growing_ratio": [("up", 6), ("down", 6)],
    "ratio_difference": [("up", 4), ("up_big", 3), ("down", 4)],
    "interleaved_rules": SUB_COMBOS,
}

#: small slips that top up the rule violations, nearest first
SLIPS = (1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 10, -10, 6, -6, 7, -7, 20, -20)


def _item(rng: Rng, item_id: str, planned: tuple[str, Any], n_below: int | None = None, *,
          practice: bool = False) -> dict[str, Any] | None:
    rule, variant = planned
    built = BUILDERS[rule](rng, practice) if variant is None else BUILDERS[rule](rng, practice, variant)
    if built is None:
        return None
    params, terms, features, primary, explanation = built
    if not all(0 < t < LIMIT for t in terms):
        return None
    n = len(terms) - 1
    shown, key = terms[:n], terms[n]
    if rule not in REPEATING and len(set(shown)) < n - 1:  # a series that mostly repeats itself is no test
        return None
    fallback = [key + d for d in SLIPS]
    allowed_shown = set(primary) & set(shown)  # e.g. the term one period back
    distractors = pick_distractors(
        rng, key, primary, fallback,
        lambda v: 0 < v < LIMIT and (v not in shown or v in allowed_shown), N_OPTIONS - 1, n_below,
    )
    if distractors is None:
        return None
    options, key_index = shuffle_options(rng, (both(str(key)), key), [(both(str(v)), v) for v in distractors])
    return make_item(
        item_id=item_id, item_type=TYPE, model=f"{TYPE}.{rule}", practice=practice,
        stem=both(", ".join(str(t) for t in shown) + ", ?"), options=options, key=key_index,
        explanation=explanation, features=features, structure={"shown": shown, "rule": params},
    )



def generate_number_series_items(
    rng: Rng,
    n: int,
    *,
    id_prefix: str = "NS",
    start: int = 1,
    practice: bool = False,
    avoid: Collection = (),
) -> list[dict[str, Any]]:
    """``n`` distinct number series items (ids ``NS-001``..., practice ``NS-P01``...).

    Operational items mix all models (see ``MODELS``); practice items are easy
    constant-difference series with four terms. ``avoid`` holds duplicate signatures
    (:func:`item_banks.checks.item_signatures`) of items made elsewhere.
    """
    return planned_items(rng, n, _item, PRACTICE_MODELS if practice else MODELS, {} if practice else VARIANTS,
                         N_OPTIONS, id_prefix=id_prefix, start=start, practice=practice, avoid=avoid)
