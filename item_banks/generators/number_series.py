"""Number series item models: "which number comes next?".

Item models (``model`` = ``"number_series.<rule>"``), after the rule types that Simon &
Kotovsky (1963) and Holzman, Pellegrino & Glaser (1983) found to drive series difficulty
(kind of relation, period length, second-order relations, size of the numbers):

``constant_difference``
    the same number is added (or subtracted) each time: 7, 11, 15, 19, ?
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
``ratio_difference``
    second order: the differences form a ratio series (2, 4, 8, 16, ...)
``fibonacci_like``
    each term is the sum of the two (or three) terms before it

Every item records in ``structure`` the shown terms and the rule parameters
(``{"shown": [...], "rule": {...}}``) and in ``features`` the difficulty features read by
:mod:`item_banks.difficulty`. Enough terms are shown for every part of the rule to be
seen at least twice. Terms are positive whole numbers below 10 000.

Distractors are plausible rule violations (a difference that did not grow, the wrong
operation of the cycle, the wrong sub-series, one step too far, a constant difference
applied to a ratio series) topped up with small slips (off by 1, 2, ...). The number of
distractors below the key is drawn at random, so the key's rank among the options does
not give it away (see :func:`item_banks.checks.series_shortcut_rates`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from ._common import (
    Rng,
    both,
    item_ids,
    key_ranks,
    make_item,
    pick,
    pick_distractors,
    plan,
    rand_int,
    shuffle_options,
    unique_items,
)

MODEL_VERSION = "number_series-2.0"
TYPE = "number_series"
N_OPTIONS = 5
LIMIT = 10_000

#: model -> relative share in a generated set
MODELS = [
    ("constant_difference", 3),
    ("growing_difference", 3),
    ("ratio", 2),
    ("alternating_difference", 3),
    ("alternating_operations", 3),
    ("interleaved", 3),
    ("ratio_difference", 2),
    ("fibonacci_like", 2),
]
PRACTICE_MODELS = [("constant_difference", 1)]

MINUS = "−"


def _signed(d: int) -> str:
    return f"+{d}" if d >= 0 else f"{MINUS}{-d}"


def _step(last: int, d: int, result: int) -> str:
    return f"{last} + {d} = {result}" if d >= 0 else f"{last} {MINUS} {-d} = {result}"


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


# --------------------------------------------------------------------------- models
# Each model returns (rule parameters, all terms incl. the key, features, primary
# distractors, explanation) or None when the drawn parameters do not fit the limits.

Built = tuple[dict[str, Any], list[int], dict[str, Any], list[int], dict[str, str]]


def _constant_difference(rng: Rng, practice: bool) -> Built | None:
    if practice:
        start, d, n = rand_int(rng, 1, 5), pick(rng, (2, 3, 5, 10)), 4
    else:
        size = pick(rng, ("small", "small", "medium", "large"))
        d = {"small": pick(rng, (2, 3, 4, 5, 6, 7, 8, 9, -2, -3, -4, -5, -6)),
             "medium": pick(rng, (11, 12, 13, 15, 17, 19, 25, -11, -12, -13, -15)),
             "large": pick(rng, (23, 27, 45, 75, 125, 150, -25, -45, -75))}[size]
        start = {"small": rand_int(rng, 1, 40), "medium": rand_int(rng, 20, 150),
                 "large": rand_int(rng, 100, 900)}[size]
        if d < 0:
            start += -d * 6
        n = rand_int(rng, 4, 5) if size == "small" else 5
    terms = [start + i * d for i in range(n + 1)]
    shown, key = terms[:n], terms[n]
    last = shown[-1]
    sgn = 1 if d > 0 else -1
    primary = [key + d, last + d + sgn, last + d - sgn, key + 10 * sgn, last + 2 * d]
    word_sv, word_en = ("större", "more") if d > 0 else ("mindre", "less")
    explanation = {
        "sv": f"Varje tal är {abs(d)} {word_sv} än det föregående: {_step(last, d, key)}.",
        "en": f"Each number is {abs(d)} {word_en} than the one before: {_step(last, d, key)}.",
    }
    params = {"start": start, "difference": d}
    features = _features("constant_difference", shown, key, n_rules=1, period=1,
                         second_order=False, operations=["add"])
    return params, terms, features, primary, explanation


def _growing_difference(rng: Rng, practice: bool) -> Built | None:
    down = rng.random() < 0.3
    d0, s = rand_int(rng, 1, 6), rand_int(rng, 1, 4)
    n = 5
    start = rand_int(rng, 1, 30) if not down else rand_int(rng, 60, 200)
    if rng.random() < 0.25:  # bigger numbers
        start += rand_int(rng, 100, 400)
    sign = -1 if down else 1
    diffs = [sign * (d0 + i * s) for i in range(n)]
    terms = [start]
    for d in diffs:
        terms.append(terms[-1] + d)
    shown, key = terms[:n], terms[n]
    last, prev = shown[-1], shown[-2]
    last_d = last - prev
    step = sign * s
    primary = [last + last_d, last + last_d + 2 * step, key + step, last + last_d - step, key + 1]
    shown_diffs = ", ".join(_signed(d) for d in diffs[: n - 1])
    explanation = {
        "sv": f"Skillnaderna mellan talen är {shown_diffs}: de ändras med {_signed(step)} varje gång. "
              f"Nästa skillnad är {_signed(diffs[-1])}, så {_step(last, diffs[-1], key)}.",
        "en": f"The differences between the numbers are {shown_diffs}: they change by {_signed(step)} "
              f"each time. The next difference is {_signed(diffs[-1])}, so {_step(last, diffs[-1], key)}.",
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
                   key * 2 if r != 2 else key + 1, last - r, key + 1]
        explanation = {
            "sv": f"Varje tal är det föregående delat med {r}: {last} / {r} = {key}.",
            "en": f"Each number is the one before divided by {r}: {last} / {r} = {key}.",
        }
    else:
        primary = [last + (last - prev), last * (r + 1), key + last, key + prev] + ([last * (r - 1)] if r > 2 else [])
        explanation = {
            "sv": f"Varje tal är {r} gånger så stort som det föregående: {last} × {r} = {key}.",
            "en": f"Each number is {r} times the one before: {last} × {r} = {key}.",
        }
    params = {"start": start, "factor": r, "divide": divide}
    features = _features("ratio", shown, key, n_rules=1, period=1, second_order=False,
                         operations=["multiply"])
    return params, terms, features, primary, explanation


def _alternating_difference(rng: Rng, practice: bool) -> Built | None:
    p = 2 if rng.random() < 0.65 else 3
    values = [d for d in range(-9, 13) if d != 0]
    while True:
        diffs = [pick(rng, values) for _ in range(p)]
        if len(set(diffs)) == p and sum(diffs) != 0 and (p == 2 or len({abs(d) for d in diffs}) == p):
            break
    n = 2 * p + 2
    start = rand_int(rng, 5, 40) + (rand_int(rng, 100, 500) if rng.random() < 0.25 else 0)
    terms = [start]
    for i in range(n):
        terms.append(terms[-1] + diffs[i % p])
    shown, key = terms[:n], terms[n]
    last = shown[-1]
    phase = (n - 1) % p
    d = diffs[phase]
    others = [diffs[j] for j in range(p) if j != phase]
    primary = [last + o for o in others] + [key + d, last - d, key + sum(others)]
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
    p = 2 if rng.random() < 0.7 else 3
    mult = ("*", pick(rng, (2, 2, 3)))
    adds = [("+", pick(rng, [d for d in range(-9, 10) if d not in (0, 1)])) for _ in range(p - 1)]
    if p == 3 and adds[0][1] == adds[1][1]:
        return None
    ops = [mult, *adds]
    ops = [ops[int(i)] for i in rng.permutation(p)]
    n = 2 * p + 1 + (1 if p == 2 and rng.random() < 0.5 else 0)
    start = rand_int(rng, 1, 12)
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
    primary += [_apply(*ops[(phase + 1) % p], key)]
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


def _interleaved(rng: Rng, practice: bool) -> Built | None:
    k = 2 if rng.random() < 0.7 else 3
    n = {2: pick(rng, (6, 7)), 3: 9}[k]
    diffs, starts = [], []
    for j in range(k):
        d = pick(rng, [d for d in range(-8, 13) if d not in (0, 1, -1)])
        diffs.append(d)
        starts.append(rand_int(rng, 1, 30) + 30 * j + (-d * 4 if d < 0 else 0))
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
               key + diffs[j], own_last]
    names_sv = {2: "två", 3: "tre"}[k]
    names_en = {2: "two", 3: "three"}[k]
    subs = [shown[i::k] for i in range(k)]
    sv_parts = [f"{', '.join(map(str, s))} ({_signed(d)})" for s, d in zip(subs, diffs)]
    ordinal_sv = ("första", "andra", "tredje")[j]
    ordinal_en = ("first", "second", "third")[j]
    explanation = {
        "sv": f"Serien består av {names_sv} serier som turas om: {' och '.join(sv_parts)}. "
              f"Nästa tal hör till den {ordinal_sv}: {_step(own_last, diffs[j], key)}.",
        "en": f"The series is made of {names_en} series that take turns: {' and '.join(sv_parts)}. "
              f"The next number belongs to the {ordinal_en}: {_step(own_last, diffs[j], key)}.",
    }
    params = {"starts": starts, "differences": diffs}
    features = _features("interleaved", shown, key, n_rules=k, period=k, second_order=False,
                         operations=["add"])
    return params, terms, features, primary, explanation


def _ratio_difference(rng: Rng, practice: bool) -> Built | None:
    q = pick(rng, (2, 2, 3))
    d0 = rand_int(rng, 1, 4)
    n = 5 if q == 2 else pick(rng, (4, 5))
    start = rand_int(rng, 1, 30) + (rand_int(rng, 100, 300) if rng.random() < 0.25 else 0)
    diffs = [d0 * q**i for i in range(n)]
    terms = [start]
    for d in diffs:
        terms.append(terms[-1] + d)
    if not all(0 < t < LIMIT for t in terms):
        return None
    shown, key = terms[:n], terms[n]
    last, prev = shown[-1], shown[-2]
    last_d, prev_d = last - prev, prev - shown[-3]
    primary = [last + last_d, last + last_d + (last_d - prev_d), last + last_d * (q + 1),
               key + last_d, key + 1]
    shown_diffs = ", ".join(str(d) for d in diffs[: n - 1])
    explanation = {
        "sv": f"Skillnaderna mellan talen ({shown_diffs}) blir {q} gånger så stora varje gång. "
              f"Nästa skillnad är {diffs[-1]}, så {_step(last, diffs[-1], key)}.",
        "en": f"The differences between the numbers ({shown_diffs}) become {q} times as large each "
              f"time. The next difference is {diffs[-1]}, so {_step(last, diffs[-1], key)}.",
    }
    params = {"start": start, "first_difference": d0, "difference_ratio": q}
    features = _features("ratio_difference", shown, key, n_rules=2, period=1, second_order=True,
                         operations=["add", "multiply"])
    return params, terms, features, primary, explanation


def _fibonacci_like(rng: Rng, practice: bool) -> Built | None:
    m = 2 if rng.random() < 0.75 else 3
    starts = [rand_int(rng, 1, 9 if m == 2 else 5) for _ in range(m)]
    if m == 2 and starts[0] == starts[1] == 1:
        return None
    n = 6 if m == 2 else 7
    terms = list(starts)
    while len(terms) < n + 1:
        terms.append(sum(terms[-m:]))
    shown, key = terms[:n], terms[n]
    last, prev = shown[-1], shown[-2]
    primary = [last + (last - prev), 2 * last, last + prev + 1, key + shown[-m - 1] if m == 2 else last + prev,
               key + last - prev]
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


BUILDERS: dict[str, Callable[[Rng, bool], Built | None]] = {
    "constant_difference": _constant_difference,
    "growing_difference": _growing_difference,
    "ratio": _ratio,
    "alternating_difference": _alternating_difference,
    "alternating_operations": _alternating_operations,
    "interleaved": _interleaved,
    "ratio_difference": _ratio_difference,
    "fibonacci_like": _fibonacci_like,
}


def _item(rng: Rng, item_id: str, rule: str, n_below: int | None = None, *, practice: bool = False) -> dict[str, Any] | None:
    built = BUILDERS[rule](rng, practice)
    if built is None:
        return None
    params, terms, features, primary, explanation = built
    if not all(0 < t < LIMIT for t in terms):
        return None
    n = len(terms) - 1
    shown, key = terms[:n], terms[n]
    if len(set(shown)) < n - 1:  # a series that mostly repeats itself is no test
        return None
    fallback = [key + d for d in (1, -1, 2, -2, 3, -3, 5, -5, 10, -10, 4, -4)]
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
    models = plan(PRACTICE_MODELS if practice else MODELS, n, rng)
    rules = iter(zip(models, key_ranks(models, N_OPTIONS, rng)))
    current: dict[str, tuple[str, int]] = {}

    def make(item_id: str) -> dict[str, Any] | None:
        if item_id not in current:
            current[item_id] = next(rules)
        return _item(rng, item_id, *current[item_id], practice=practice)

    return unique_items(make, item_ids(id_prefix, start, n, practice), avoid)
