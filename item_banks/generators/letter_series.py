"""Letter series item models: "which letter (or group of letters) comes next?".

The alphabet is A–Z with 26 letters; every stem says so on a second line, in Swedish
with "utan Å, Ä och Ö", and that after Z comes A again. Positions are 0-based (A = 0).
Models (``model`` = ``"letter_series.<rule>"``), after Simon & Kotovsky (1963) and
Kotovsky & Simon (1973):

``constant_step``
    the same step forwards or backwards, inside A–Z: C, F, I, L, ?
``with_repeat``
    two series take turns, one of them repeats one letter: B, M, C, M, D, M, ?
``growing_step``
    second order: the steps grow by a fixed amount (1, 2, 3, 4, ...), forwards or
    backwards, possibly passing from Z to A
``cycle``
    a constant step that wraps around from Z to A (or from A to Z going backwards)
``alternating_step``
    a cycle of 2 or 3 steps (+3, −1, +3, −1, ...), possibly passing from Z to A
``interleaved``
    two sub-series with their own constant steps take turns
``interleaved_rules``
    two sub-series with *different kinds* of rule take turns: one with growing steps and
    one that repeats a letter, keeps a constant step or grows too:
    A, Z, B, X, D, V, G, T, ?
``letter_groups``
    groups of 2 or 3 letters (AB, CD, EF, ?): the same letter repeated (AA, BB, ...),
    consecutive letters or every other letter inside a group, each group a fixed number
    of steps after the one before
``group_positions``
    groups of 2 or 3 letters in which each position has its own rule (AZ, BY, CX, ?):
    two positions change with different steps, one of them may grow, a third may stay

``structure`` holds the shown letters (or groups) and the rule parameters; ``features``
the difficulty features read by :mod:`item_banks.difficulty`. ``n_rules`` counts the
relations that change a letter; a repeated letter (Simon & Kotovsky's "same" relation)
adds no relation, only its period or its place in the group.

Every item has ``N_OPTIONS`` = 8 options (guessing c = 1/8): rule violations first (a
step that did not grow, the wrong sub-series, the wrong direction, one step too far),
then small slips (a neighbouring letter); how many lie before the key in the alphabet is
balanced over 0..7 within each model.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from ._common import (
    ALPHABET,
    LETTER_NOTE,
    Rng,
    both,
    make_item,
    pick,
    pick_distractors,
    planned_items,
    rand_int,
    sample,
    shuffle_options,
)

MODEL_VERSION = "letter_series-3.0"
TYPE = "letter_series"
N_OPTIONS = 8

#: model -> items in a set of 130 (relative shares for other sizes)
MODELS = [
    ("constant_step", 14),  # split over VARIANTS
    ("with_repeat", 7),
    ("letter_groups", 13),
    ("cycle", 6),
    ("interleaved", 7),
    ("alternating_step", 20),  # split over VARIANTS
    ("group_positions", 16),  # split over POSITION_PLANS
    ("growing_step", 14),  # split over VARIANTS
    ("interleaved_rules", 33),  # split over SUB_COMBOS
]
PRACTICE_MODELS = [("constant_step", 1)]

MINUS = "−"


def _signed(d: int) -> str:
    return f"+{d}" if d >= 0 else f"{MINUS}{-d}"


def _steps_sv(s: int) -> str:
    return f"{abs(s)} steg {'framåt' if s > 0 else 'bakåt'}"


def _steps_en(s: int) -> str:
    return f"{abs(s)} step{'s' if abs(s) != 1 else ''} {'forward' if s > 0 else 'back'}"


def _letters(positions: list[int]) -> str:
    return ", ".join(ALPHABET[p % 26] for p in positions)


def _features(rule: str, n_shown: int, steps: list[int], **extra: Any) -> dict[str, Any]:
    features = {
        "rule": rule,
        "n_shown": n_shown,
        "max_step": max(abs(s) for s in steps),
        "backwards": any(s < 0 for s in steps),
        "wraps": False,
        "group_size": 1,
    }
    features.update(extra)
    return features


def _inside(positions: list[int]) -> bool:
    return all(0 <= p < 26 for p in positions)


def _first_wrap(raw: list[int]) -> int | None:
    """Index of the first position outside A–Z (None when the series stays inside)."""
    return next((i for i, p in enumerate(raw) if not 0 <= p < 26), None)


ORDINAL = {"sv": ("första", "andra"), "en": ("first", "second")}


Built = tuple[dict[str, Any], list[int], dict[str, Any], list[int], dict[str, str]]


def _constant_step(rng: Rng, practice: bool, variant: str = "forward_small") -> Built | None:
    if practice:
        step, n = pick(rng, (1, 2)), 4
        start = rand_int(rng, 0, 6)
    else:
        step = pick(rng, {"forward_small": (1, 2), "forward": (3, 4, 5), "back": (-1, -2, -3, -4)}[variant])
        n = 5 if abs(step) < 5 else 4
        # most starts that fit inside A–Z (any start, 1 time in 4, for variety of letters)
        start = rand_int(rng, 0, 25) if rng.random() < 0.25 or n * abs(step) > 25 else (
            rand_int(rng, 0, 25 - n * step) if step > 0 else rand_int(rng, -n * step, 25))
    pos = [start + i * step for i in range(n + 1)]
    if not _inside(pos):
        return None
    shown, key = pos[:n], pos[n]
    sgn = 1 if step > 0 else -1
    primary = [key + step, key + sgn, key - sgn, key + 2 * sgn, key - 2 * sgn, key + 2 * step, key + 3 * sgn]
    explanation = {
        "sv": f"Varje bokstav ligger {_steps_sv(step)} i alfabetet från den föregående: "
              f"{ALPHABET[shown[-1]]} → {ALPHABET[key]}.",
        "en": f"Each letter is {_steps_en(step)} in the alphabet from the one before: "
              f"{ALPHABET[shown[-1]]} → {ALPHABET[key]}.",
    }
    features = _features("constant_step", n, [step], n_rules=1, period=1, second_order=False)
    return {"start": ALPHABET[start], "step": step}, pos, features, primary, explanation


def _with_repeat(rng: Rng, practice: bool) -> Built | None:
    n = pick(rng, (6, 7))
    m = (n + 2) // 2
    d = pick(rng, (1, 1, 2, 2, 3, -1, -2))
    start = rand_int(rng, 0, 25)
    changing = [start + i * d for i in range(m)]
    same = rand_int(rng, 0, 25)
    if not _inside(changing) or same in changing:
        return None
    first_changes = rng.random() < 0.5
    subs = [changing, [same] * m] if first_changes else [[same] * m, changing]
    steps = [d, 0] if first_changes else [0, d]
    pos = [subs[i % 2][i // 2] for i in range(n + 1)]
    shown, key = pos[:n], pos[n]
    j = n % 2
    c_shown = shown[(0 if first_changes else 1)::2]
    c_last = c_shown[-1]
    if steps[j] == 0:  # the key is the repeated letter
        primary = [c_last + d, same + 1, same - 1, c_last + 2 * d, same + d, same - d]
        how_sv, how_en = f"{ALPHABET[same]} igen", f"{ALPHABET[same]} again"
    else:
        primary = [same, key + d, key + 1, key - 1, same + 1, same - 1, key - 2 * d]
        how_sv = how_en = f"{ALPHABET[c_last]} → {ALPHABET[key]}"
    explanation = {
        "sv": f"Varannan bokstav är {ALPHABET[same]}. Bokstäverna däremellan ({_letters(c_shown)}) går "
              f"{_steps_sv(d)} varje gång. Nästa bokstav hör till den {ORDINAL['sv'][j]} serien: {how_sv}.",
        "en": f"Every other letter is {ALPHABET[same]}. The letters in between ({_letters(c_shown)}) go "
              f"{_steps_en(d)} each time. The next letter belongs to the {ORDINAL['en'][j]} series: {how_en}.",
    }
    params = {"starts": [ALPHABET[subs[0][0]], ALPHABET[subs[1][0]]], "steps": steps}
    features = _features("with_repeat", n, [d], n_rules=1, period=2, second_order=False)
    return params, pos, features, primary, explanation


def _growing_step(rng: Rng, practice: bool, variant: str = "forward") -> Built | None:
    if variant == "forward":  # small steps: 1, 2, 3, 4, ...
        first, inc = rand_int(rng, 1, 2), 1
    elif variant == "forward_wide":  # larger steps: 3, 4, 5, ... or 1, 3, 5, ...
        first, inc = pick(rng, ((3, 1), (1, 2), (2, 2), (3, 2)))
    else:
        first, inc = rand_int(rng, 1, 3), pick(rng, (1, 1, 1, 2))
    sign = -1 if variant == "back" else 1
    n = 5 if inc == 1 else 4
    steps = [sign * (first + i * inc) for i in range(n)]
    total = sum(steps)
    start = rand_int(rng, 0, 25 - total) if variant.startswith("forward") and total <= 25 else rand_int(rng, 0, 25)
    raw = [start]
    for s in steps:
        raw.append(raw[-1] + s)
    wrap_at = _first_wrap(raw)
    # "around" passes from Z to A; the forward variants stay inside A–Z; "back" may do either
    if (variant == "around") != (wrap_at is not None) and variant != "back":
        return None
    if wrap_at is not None and (wrap_at < 2 or (variant == "back" and rng.random() < 0.5)):
        return None
    pos = [p % 26 for p in raw]
    if len(set(pos)) < len(pos):
        return None
    shown, key = pos[:n], pos[n]
    last = shown[-1]
    primary = [last + steps[-2], key + sign * inc, key + sign, key - sign, last - steps[-1],
               last + steps[-1] + sign * inc, key + steps[-1]]
    shown_steps = ", ".join(_signed(s) for s in steps[:-1])
    around_sv = " (efter Z kommer A igen)" if wrap_at is not None else ""
    around_en = " (after Z comes A again)" if wrap_at is not None else ""
    if sign < 0 and wrap_at is not None:
        around_sv, around_en = " (före A kommer Z)", " (before A comes Z)"
    explanation = {
        "sv": f"Stegen i alfabetet är {shown_steps} och växer med {inc} varje gång. "
              f"Nästa steg är {_signed(steps[-1])}: {ALPHABET[last]} → {ALPHABET[key]}{around_sv}.",
        "en": f"The steps through the alphabet are {shown_steps} and grow by {inc} each time. "
              f"The next step is {_signed(steps[-1])}: {ALPHABET[last]} → {ALPHABET[key]}{around_en}.",
    }
    params = {"start": ALPHABET[start], "first_step": steps[0], "step_increase": sign * inc}
    features = _features("growing_step", n, steps, n_rules=2, period=1, second_order=True,
                         wraps=wrap_at is not None)
    return params, pos, features, primary, explanation


def _cycle(rng: Rng, practice: bool) -> Built | None:
    step = pick(rng, (1, 1, 2, 3, 3, 4, 5, 6, -1, -2, -3, -4))
    n = 5
    start = rand_int(rng, 0, 25)
    raw = [start + i * step for i in range(n + 1)]
    # the series must pass Z -> A (or A -> Z) after at least two letters have been shown
    first_wrap = _first_wrap(raw)
    if first_wrap is None or first_wrap < 2:
        return None
    pos = [p % 26 for p in raw]
    if len(set(pos)) < len(pos):
        return None
    shown, key = pos[:n], pos[n]
    sgn = 1 if step > 0 else -1
    unwrapped = raw[n]  # the position if the alphabet did not start again
    primary = [key + step, key + sgn, key - sgn, shown[-1] - step, key + 2 * sgn, key - 2 * sgn]
    if 0 <= unwrapped < 26:
        primary.append(unwrapped)
    explanation = {
        "sv": f"Varje bokstav ligger {_steps_sv(step)} i alfabetet från den föregående, och efter Z "
              f"börjar alfabetet om med A: {ALPHABET[shown[-1]]} → {ALPHABET[key]}.",
        "en": f"Each letter is {_steps_en(step)} in the alphabet from the one before, and after Z the "
              f"alphabet starts again at A: {ALPHABET[shown[-1]]} → {ALPHABET[key]}.",
    }
    features = _features("cycle", n, [step], n_rules=1, period=1, second_order=False, wraps=True)
    return {"start": ALPHABET[pos[0]], "step": step}, pos, features, primary, explanation


def _alternating_step(rng: Rng, practice: bool, variant: str = "p2") -> Built | None:
    p = 2 if variant == "p2" else 3
    if variant == "p3_forward":  # three forward steps inside A–Z: A, C, D, G, I, J, ?
        steps = [pick(rng, (1, 2, 3, 4)) for _ in range(3)]
    else:  # at least one step goes back
        steps = [pick(rng, (2, 3, 4, 5, 6)), pick(rng, (-1, -2, 1))]
        if p == 3:
            steps.append(pick(rng, (1, 2, 3, -1, -3)))
    if len(set(steps)) < p or sum(steps) <= 0 or (p == 2 and steps[0] == -steps[1]) or (
            variant == "p3" and min(steps) > 0):
        return None
    steps = [steps[int(i)] for i in rng.permutation(p)]
    n = 2 * p + 2 if p == 2 else 2 * p + 1
    total = sum(steps[i % p] for i in range(n))
    start = rand_int(rng, 0, 25) if variant == "p3" or total > 25 else rand_int(rng, 0, 25 - total)
    raw = [start]
    for i in range(n):
        raw.append(raw[-1] + steps[i % p])
    wrap_at = _first_wrap(raw)
    if wrap_at is not None and (wrap_at < 2 or variant != "p3" or rng.random() < 0.3):  # only p3 wraps
        return None
    pos = [x % 26 for x in raw]
    if len(set(pos)) < len(pos):
        return None
    shown, key = pos[:n], pos[n]
    last = shown[-1]
    phase = (n - 1) % p
    s = steps[phase]
    primary = [last + t for j, t in enumerate(steps) if j != phase] + [key + 1, key - 1, last - s, key + s]
    cycle = ", ".join(_signed(t) for t in steps)
    around_sv = " (efter Z kommer A igen)" if wrap_at is not None else ""
    around_en = " (after Z comes A again)" if wrap_at is not None else ""
    explanation = {
        "sv": f"Stegen i alfabetet upprepas i samma ordning: {cycle}. "
              f"Nästa steg är {_signed(s)}: {ALPHABET[last]} → {ALPHABET[key]}{around_sv}.",
        "en": f"The steps through the alphabet repeat in the same order: {cycle}. "
              f"The next step is {_signed(s)}: {ALPHABET[last]} → {ALPHABET[key]}{around_en}.",
    }
    params = {"start": ALPHABET[start], "steps": steps}
    features = _features("alternating_step", n, steps, n_rules=p, period=p, second_order=False,
                         wraps=wrap_at is not None)
    return params, pos, features, primary, explanation


def _interleaved(rng: Rng, practice: bool) -> Built | None:
    s1, s2 = pick(rng, (1, 2, 3, 4, 5)), pick(rng, (-4, -3, -2, -1, 2, 3, 4))
    if s1 == s2:
        return None
    n = pick(rng, (6, 7))
    a, b = rand_int(rng, 0, 9), rand_int(rng, 10, 25)
    if rng.random() < 0.5:
        a, b, s1, s2 = b, a, s2, s1
    steps, starts = [s1, s2], [a, b]
    pos = [starts[i % 2] + (i // 2) * steps[i % 2] for i in range(n + 1)]
    if not _inside(pos) or len(set(pos)) < len(pos):
        return None
    shown, key = pos[:n], pos[n]
    j = n % 2
    own_last, last = shown[n - 2], shown[-1]
    primary = [own_last + steps[1 - j], last + steps[j], last + steps[1 - j], key + steps[j], own_last,
               key + 1, key - 1]
    subs = [shown[0::2], shown[1::2]]
    parts = [f"{_letters(sub)} ({_signed(s)})" for sub, s in zip(subs, steps)]
    explanation = {
        "sv": f"Två serier turas om: {parts[0]} och {parts[1]}. Nästa bokstav hör till den "
              f"{ORDINAL['sv'][j]}: {ALPHABET[own_last]} → {ALPHABET[key]}.",
        "en": f"Two series take turns: {parts[0]} and {parts[1]}. The next letter belongs to the "
              f"{ORDINAL['en'][j]}: {ALPHABET[own_last]} → {ALPHABET[key]}.",
    }
    params = {"starts": [ALPHABET[x] for x in starts], "steps": steps}
    features = _features("interleaved", n, steps, n_rules=2, period=2, second_order=False)
    return params, pos, features, primary, explanation


# ----- interleaved_rules: two sub-series with different kinds of rule

#: relations each kind of sub-series adds to ``n_rules`` ("same" repeats a letter)
SUB_RELATIONS = {"same": 0, "constant": 1, "growing": 2}
SUB_MIN_SHOWN = {"same": 3, "constant": 3, "growing": 4}
#: (kind of the sub-series the key belongs to, kind of the other one), share of the
#: ``interleaved_rules`` items (the weights add up to its weight in ``MODELS``)
SUB_COMBOS = [
    (("growing", "same"), 10),
    (("growing", "constant"), 13),
    (("growing", "growing"), 10),
]


def _sub_spec(rng: Rng, kind: str, wide: bool) -> dict[str, Any]:
    if kind == "same":
        return {"kind": "same", "letter": ALPHABET[rand_int(rng, 0, 25)]}
    if kind == "constant":
        return {"kind": "constant", "start": ALPHABET[rand_int(rng, 0, 25)],
                "step": pick(rng, (1, 2, 3, 4, -1, -2, -3))}
    sign = -1 if rng.random() < 0.35 else 1
    first, inc = (rand_int(rng, 1, 3), pick(rng, (1, 1, 2))) if wide else (rand_int(rng, 1, 2), 1)
    return {"kind": "growing", "start": ALPHABET[rand_int(rng, 0, 25)], "first_step": sign * first,
            "step_increase": sign * inc}


def _sub_raw(spec: dict[str, Any], m: int) -> list[int]:
    """Positions of ``m`` letters of a sub-series, not yet taken mod 26."""
    kind = spec["kind"]
    if kind == "same":
        return [ALPHABET.index(spec["letter"])] * m
    start = ALPHABET.index(spec["start"])
    if kind == "constant":
        return [start + i * spec["step"] for i in range(m)]
    out = [start]
    for i in range(m - 1):
        out.append(out[-1] + spec["first_step"] + i * spec["step_increase"])
    return out


def _sub_text(spec: dict[str, Any], shown: list[int], lang: str) -> str:
    kind = spec["kind"]
    if kind == "same":
        return {"sv": f"{spec['letter']} varje gång", "en": f"{spec['letter']} every time"}[lang]
    if kind == "constant":
        s = spec["step"]
        return {"sv": f"{_letters(shown)} ({_steps_sv(s)} varje gång)",
                "en": f"{_letters(shown)} ({_steps_en(s)} each time)"}[lang]
    steps = ", ".join(_signed((b - a + 13) % 26 - 13) for a, b in zip(shown, shown[1:]))
    return {"sv": f"{_letters(shown)} (stegen {steps} växer med {abs(spec['step_increase'])} varje gång)",
            "en": f"{_letters(shown)} (the steps {steps} grow by {abs(spec['step_increase'])} each time)"}[lang]


def _interleaved_rules(rng: Rng, practice: bool, combo: tuple[str, str] = ("growing", "constant")) -> Built | None:
    key_kind, other_kind = combo
    j = int(rng.integers(2))  # the key belongs to the growing sub-series, first or second
    n = next(n for n in range(6, 12)
             if n % 2 == j and len(range(j, n, 2)) >= SUB_MIN_SHOWN[key_kind]
             and len(range(1 - j, n, 2)) >= SUB_MIN_SHOWN[other_kind])
    wide = other_kind != "growing"  # two growing series keep small steps
    specs: list[dict[str, Any]] = [{}, {}]
    specs[j], specs[1 - j] = _sub_spec(rng, key_kind, wide), _sub_spec(rng, other_kind, wide)
    used = [len(range(i, n + 1, 2)) for i in range(2)]  # letters of each sub-series, the key's included
    raws = [_sub_raw(s, u) for s, u in zip(specs, used)]
    wraps = not all(_inside(r) for r in raws)
    backwards = any(s.get("first_step", s.get("step", 0)) < 0 for s in specs)
    if wraps and (backwards or rng.random() < 0.4):  # backwards or around from Z to A, not both
        return None
    subs = [[p % 26 for p in r] for r in raws]
    letters = [set(s) for s in subs]
    if letters[0] & letters[1] or any(len(L) != (1 if s["kind"] == "same" else u)
                                      for L, s, u in zip(letters, specs, used)):
        return None
    pos = [subs[i % 2][i // 2] for i in range(n + 1)]
    shown, key = pos[:n], pos[n]
    own, other = shown[j::2], shown[1 - j::2]
    spec = specs[j]
    last_step = (own[-1] - own[-2] + 13) % 26 - 13
    inc = spec["step_increase"]
    other_next = _sub_raw(specs[1 - j], len(other) + 1)[-1] % 26
    primary = [own[-1] + last_step, key + inc, other_next, shown[-1] + last_step + inc, key + 1, key - 1,
               own[-1] - last_step - inc, key + 2 * inc]
    texts = {lang: [_sub_text(specs[i], shown[i::2], lang) for i in range(2)] for lang in ("sv", "en")}
    explanation = {
        "sv": f"Två serier turas om: {texts['sv'][0]} och {texts['sv'][1]}. Nästa bokstav hör till den "
              f"{ORDINAL['sv'][j]} serien: {ALPHABET[own[-1]]} → {ALPHABET[key]}.",
        "en": f"Two series take turns: {texts['en'][0]} and {texts['en'][1]}. The next letter belongs to the "
              f"{ORDINAL['en'][j]} series: {ALPHABET[own[-1]]} → {ALPHABET[key]}.",
    }
    steps = [b - a for r in raws for a, b in zip(r, r[1:]) if b != a] or [1]
    features = _features("interleaved_rules", n, steps,
                         n_rules=SUB_RELATIONS[key_kind] + SUB_RELATIONS[other_kind], period=2,
                         second_order=True, wraps=wraps)
    return {"subseries": specs}, pos, features, primary, explanation


BUILDERS: dict[str, Callable[..., Built | None]] = {
    "constant_step": _constant_step,
    "with_repeat": _with_repeat,
    "growing_step": _growing_step,
    "cycle": _cycle,
    "alternating_step": _alternating_step,
    "interleaved": _interleaved,
    "interleaved_rules": _interleaved_rules,
}


# ----- groups of letters


def _text(groups: list[list[int]]) -> list[str]:
    return ["".join(ALPHABET[p % 26] for p in g) for g in groups]


def _group_item(
    rng: Rng, item_id: str, rule: str, practice: bool, n_below: int | None, *,
    shown: list[list[int]], key: list[int], primary: list[list[int]], explanation: dict[str, str],
    params: dict[str, Any], features: dict[str, Any], wraps: bool,
) -> dict[str, Any] | None:
    """An item whose terms are groups of letters; options sorted alphabetically for the
    key's rank (``n_below`` options come before the key)."""
    g = len(key)
    slips = [[p + (d if i == at else 0) for i, p in enumerate(key)] for d in (1, -1, 2, -2) for at in range(g)]
    slips += [[p + d for p in key] for d in (1, -1, 2, -2, 3, -3)]
    seen = {tuple(key)} | {tuple(s) for s in shown}
    wrong: list[list[int]] = []
    n_primary = 0
    for k, c in enumerate(primary + slips):
        c = [p % 26 for p in c] if wraps else c
        if _inside(c) and tuple(c) not in seen:
            seen.add(tuple(c))
            wrong.append(c)
            n_primary += k < len(primary)
    below = [c for c in wrong if c < key]
    above = [c for c in wrong if c > key]
    k = rand_int(rng, 0, N_OPTIONS - 1) if n_below is None else n_below
    if k > len(below) or N_OPTIONS - 1 - k > len(above):
        return None

    def take(side: list[list[int]], count: int) -> list[list[int]]:
        first = [c for c in side if wrong.index(c) < n_primary]
        chosen = sample(rng, first, min(count, len(first), N_OPTIONS - 2))
        rest = [c for c in side if c not in chosen]
        return chosen + rest[: count - len(chosen)]

    chosen = take(below, k) + take(above, N_OPTIONS - 1 - k)
    texts = _text([key] + chosen)
    options, key_index = shuffle_options(rng, (both(texts[0]), key),
                                         [(both(t), w) for t, w in zip(texts[1:], chosen)])
    series = ", ".join(_text(shown)) + ", ?"
    return make_item(
        item_id=item_id, item_type=TYPE, model=f"{TYPE}.{rule}", practice=practice,
        stem={lang: f"{series}\n{LETTER_NOTE[lang]}" for lang in LETTER_NOTE},
        options=options, key=key_index, explanation=explanation, features=features,
        structure={"shown": _text(shown), "rule": params},
    )


def _groups_item(rng: Rng, item_id: str, practice: bool, n_below: int | None = None) -> dict[str, Any] | None:
    if rng.random() < 0.45:  # the same letter repeated: AA, BB, CC, ?
        g, inner = pick(rng, (2, 2, 3)), 0
        outer = pick(rng, (1, 1, 2, 3, -1, -2))
    else:
        g = pick(rng, (2, 2, 3))
        inner = pick(rng, (1, 1, 2)) if g == 2 else 1
        outer = g * inner + pick(rng, (0, 0, 1, 2)) if inner == 1 else pick(rng, (1, 2, 4))
    n = 3 if g == 3 or abs(outer) > 3 else pick(rng, (3, 4))
    start = rand_int(rng, 0, 25)
    groups = [[start + k * outer + m * inner for m in range(g)] for k in range(n + 1)]
    if not _inside([p for grp in groups for p in grp]):
        return None
    shown, key = groups[:n], groups[n]
    k0 = key[0]
    bad_inner = 1 if inner == 0 else inner + 1
    primary = [
        [k0 + outer + m * inner for m in range(g)],             # one group too far
        [k0 + m * bad_inner for m in range(g)],                 # wrong step inside the group
        [shown[-1][-1] + 1 + m * inner for m in range(g)],      # continues straight after the last letter
        [k0 + 1 + m * inner for m in range(g)],                 # group starts one step too late
        [k0 - 1 + m * inner for m in range(g)],                 # ... one step too early
        [k0 + m * inner for m in range(g)][::-1],               # letters in the wrong order
        [k0 - 1 + m * bad_inner for m in range(g)],             # too early and the wrong step inside
        [shown[-1][0] - outer + m * inner for m in range(g)],   # the wrong direction
    ]
    if inner:
        primary = [c for c in primary if len(set(c)) == g]
    text = _text([shown[-1], key])
    if inner == 0:
        inside_sv, inside_en = "samma bokstav", "the same letter"
    else:
        inside_sv = "bokstäver i följd" if inner == 1 else "bokstäver med en bokstav emellan"
        inside_en = "letters in a row" if inner == 1 else "letters with one letter between them"
    explanation = {
        "sv": f"Varje grupp består av {inside_sv} {g} gånger" if inner == 0 else f"Varje grupp har {g} {inside_sv}",
        "en": f"Each group is {inside_en} {g} times" if inner == 0 else f"Each group has {g} {inside_en}",
    }
    explanation = {
        "sv": f"{explanation['sv']}, och varje ny grupp börjar {_steps_sv(outer)} från den förra "
              f"({text[0][0]} → {text[1][0]}). Nästa grupp är {text[1]}.",
        "en": f"{explanation['en']}, and each new group starts {_steps_en(outer)} from the one before "
              f"({text[0][0]} → {text[1][0]}). The next group is {text[1]}.",
    }
    params = {"start": ALPHABET[start], "group_size": g, "inner_step": inner, "group_step": outer}
    features = _features("letter_groups", n, [inner, outer], n_rules=2 if inner else 1, period=1,
                         second_order=False, group_size=g)
    return _group_item(rng, item_id, "letter_groups", practice, n_below, shown=shown, key=key, primary=primary,
                       explanation=explanation, params=params, features=features, wraps=False)


#: kinds of rule per position of a group, with their share of the ``group_positions``
#: items (the weights add up to its weight in ``MODELS``)
POSITION_PLANS = [
    (("constant", "constant"), 4),
    (("constant", "same", "constant"), 4),
    (("growing", "constant"), 5),
    (("constant", "growing"), 1),
    (("growing", "same", "constant"), 2),
]


def _positions_item(rng: Rng, item_id: str, practice: bool, n_below: int | None = None,
                    kinds: tuple[str, ...] = ("constant", "constant")) -> dict[str, Any] | None:
    g = len(kinds)
    n = 4 if "growing" in kinds else pick(rng, (3, 4))
    specs = []
    for kind in kinds:
        spec = _sub_spec(rng, kind, wide=True)
        if kind == "constant":
            spec["step"] = pick(rng, (1, 2, 3, 4, -1, -2, -3, -4))
        specs.append(spec)
    changing = [s for s in specs if s["kind"] == "constant"]
    if len(changing) == 2 and changing[0]["step"] == changing[1]["step"]:
        return None  # two positions with one step are one letter group (letter_groups)
    raws = [_sub_raw(s, n + 1) for s in specs]
    wraps = not all(_inside(r) for r in raws)
    backwards = any(s.get("first_step", s.get("step", 0)) < 0 for s in specs)
    if wraps and ("growing" not in kinds or backwards or rng.random() < 0.5):
        return None
    cols = [[p % 26 for p in r] for r in raws]
    groups = [[cols[i][k] for i in range(g)] for k in range(n + 1)]
    if any(len(set(grp)) < g for grp in groups) or any(
            len(set(c)) != (1 if s["kind"] == "same" else n + 1) for c, s in zip(cols, specs)):
        return None
    shown, key = groups[:n], groups[n]
    steps = [[(b - a + 13) % 26 - 13 for a, b in zip(c, c[1:])] for c in cols]
    own_last_steps = [st[n - 2] for st in steps]  # the last step shown in each position
    primary = [
        [shown[-1][i] + own_last_steps[i] for i in range(g)],                        # no step grew
        [shown[-1][i] + steps[(i + 1) % g][n - 1] for i in range(g)],               # steps of the wrong position
        [shown[-1][i] - steps[i][n - 1] for i in range(g)],                          # every position backwards
        [key[i] + steps[i][n - 1] for i in range(g)],                                # one group too far
        key[::-1],                                                                   # letters in the wrong order
        [key[0] + 1] + key[1:],
        key[:-1] + [key[-1] - 1],
    ]
    parts_sv, parts_en = [], []
    for i, (c, s) in enumerate(zip(cols, specs)):
        shown_c = c[:n]
        place_sv = ("första", "andra", "tredje")[i]
        place_en = ("first", "second", "third")[i]
        if s["kind"] == "same":
            parts_sv.append(f"den {place_sv} bokstaven är alltid {s['letter']}")
            parts_en.append(f"the {place_en} letter is always {s['letter']}")
        else:
            parts_sv.append(f"den {place_sv} bokstaven: {_sub_text(s, shown_c, 'sv')}")
            parts_en.append(f"the {place_en} letter: {_sub_text(s, shown_c, 'en')}")
    key_text = _text([key])[0]
    explanation = {
        "sv": f"Varje plats i gruppen har sin egen regel: {'; '.join(parts_sv)}. Nästa grupp är {key_text}.",
        "en": f"Each place in the group has its own rule: {'; '.join(parts_en)}. The next group is {key_text}.",
    }
    all_steps = [x for st in steps for x in st if x != 0] or [1]
    features = _features("group_positions", n, all_steps, n_rules=sum(SUB_RELATIONS[k] for k in kinds), period=1,
                         second_order="growing" in kinds, wraps=wraps, group_size=g)
    return _group_item(rng, item_id, "group_positions", practice, n_below, shown=shown, key=key, primary=primary,
                       explanation=explanation, params={"positions": specs}, features=features, wraps=wraps)


#: models planned per variant: (variant, share of the set); the shares add up to the
#: model's weight in ``MODELS``
VARIANTS: dict[str, list[tuple[Any, int]]] = {
    "constant_step": [("forward_small", 7), ("forward", 3), ("back", 4)],
    "growing_step": [("forward", 3), ("forward_wide", 4), ("around", 3), ("back", 4)],
    "alternating_step": [("p2", 8), ("p3_forward", 6), ("p3", 6)],
    "interleaved_rules": SUB_COMBOS,
    "group_positions": POSITION_PLANS,
}

#: small slips that top up the rule violations, nearest first
SLIPS = (1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 8, -8, 9, -9, 10, -10, 11, -11, 12, -12)


def _item(rng: Rng, item_id: str, planned: tuple[str, Any], n_below: int | None = None, *,
          practice: bool = False) -> dict[str, Any] | None:
    rule, variant = planned
    if rule == "letter_groups":
        return _groups_item(rng, item_id, practice, n_below)
    if rule == "group_positions":
        return _positions_item(rng, item_id, practice, n_below, variant)
    built = BUILDERS[rule](rng, practice) if variant is None else BUILDERS[rule](rng, practice, variant)
    if built is None:
        return None
    params, pos, features, primary, explanation = built
    n = len(pos) - 1
    shown, key = pos[:n], pos[n]
    wraps = features["wraps"]
    fallback = [key + d for d in SLIPS]
    if wraps:
        primary = [v % 26 for v in primary]
        fallback = [v % 26 for v in fallback]
    allowed_shown = set(primary) & set(shown)
    distractors = pick_distractors(
        rng, key, primary, fallback,
        lambda v: 0 <= v < 26 and (v not in shown or v in allowed_shown), N_OPTIONS - 1, n_below,
    )
    if distractors is None:
        return None
    options, key_index = shuffle_options(
        rng, (both(ALPHABET[key]), key), [(both(ALPHABET[v]), v) for v in distractors]
    )
    series = ", ".join(ALPHABET[p] for p in shown) + ", ?"
    return make_item(
        item_id=item_id, item_type=TYPE, model=f"{TYPE}.{rule}", practice=practice,
        stem={lang: f"{series}\n{LETTER_NOTE[lang]}" for lang in LETTER_NOTE},
        options=options, key=key_index, explanation=explanation, features=features,
        structure={"shown": [ALPHABET[p] for p in shown], "rule": params},
    )



def generate_letter_series_items(
    rng: Rng,
    n: int,
    *,
    id_prefix: str = "LS",
    start: int = 1,
    practice: bool = False,
    avoid: Collection = (),
) -> list[dict[str, Any]]:
    """``n`` distinct letter series items (ids ``LS-001``..., practice ``LS-P01``...).

    Operational items mix all models (see ``MODELS``); practice items are easy
    constant-step series with four letters.
    """
    return planned_items(rng, n, _item, PRACTICE_MODELS if practice else MODELS, {} if practice else VARIANTS,
                         N_OPTIONS, id_prefix=id_prefix, start=start, practice=practice, avoid=avoid)
