"""Letter series item models: "which letter (or group of letters) comes next?".

The alphabet is A–Z with 26 letters; every stem says so on a second line, in Swedish
with "utan Å, Ä och Ö", and that after Z comes A again. Positions are 0-based (A = 0).
Models (``model`` = ``"letter_series.<rule>"``), after Simon & Kotovsky (1963):

``constant_step``
    the same step forwards or backwards, inside A–Z: C, F, I, L, ?
``growing_step``
    second order: the steps grow by a fixed amount (1, 2, 3, 4, ...)
``cycle``
    a constant step that wraps around from Z to A (or from A to Z going backwards)
``alternating_step``
    a cycle of 2 or 3 steps (+3, −1, +3, −1, ...)
``interleaved``
    two sub-series with their own steps take turns
``letter_groups``
    groups of 2 or 3 letters (AB, CD, EF, ?): consecutive letters (or every other
    letter) inside a group, each group a fixed number of steps after the one before

``structure`` holds the shown letters (or groups) and the rule parameters; ``features``
the difficulty features read by :mod:`item_banks.difficulty`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from ._common import (
    ALPHABET,
    LETTER_NOTE,
    Rng,
    both,
    item_ids,
    key_ranks,
    make_item,
    pick,
    pick_distractors,
    plan,
    rand_int,
    sample,
    shuffle_options,
    unique_items,
)

MODEL_VERSION = "letter_series-2.0"
TYPE = "letter_series"
N_OPTIONS = 5

MODELS = [
    ("constant_step", 3),
    ("growing_step", 3),
    ("cycle", 3),
    ("alternating_step", 3),
    ("interleaved", 3),
    ("letter_groups", 3),
]
PRACTICE_MODELS = [("constant_step", 1)]

MINUS = "−"


def _signed(d: int) -> str:
    return f"+{d}" if d >= 0 else f"{MINUS}{-d}"


def _steps_sv(s: int) -> str:
    return f"{abs(s)} steg {'framåt' if s > 0 else 'bakåt'}"


def _steps_en(s: int) -> str:
    return f"{abs(s)} step{'s' if abs(s) != 1 else ''} {'forward' if s > 0 else 'back'}"


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


Built = tuple[dict[str, Any], list[int], dict[str, Any], list[int], dict[str, str]]


def _inside(positions: list[int]) -> bool:
    return all(0 <= p < 26 for p in positions)


def _constant_step(rng: Rng, practice: bool) -> Built | None:
    if practice:
        step, n = pick(rng, (1, 2)), 4
        start = rand_int(rng, 0, 6)
    else:
        step = pick(rng, (1, 2, 2, 3, 3, 4, 5, -1, -2, -3, -4))
        n = 5 if abs(step) < 5 else 4
        start = rand_int(rng, 0, 25)
    pos = [start + i * step for i in range(n + 1)]
    if not _inside(pos):
        return None
    shown, key = pos[:n], pos[n]
    sgn = 1 if step > 0 else -1
    primary = [key + step, key + sgn, key - sgn, key + 2 * sgn]
    explanation = {
        "sv": f"Varje bokstav ligger {_steps_sv(step)} i alfabetet från den föregående: "
              f"{ALPHABET[shown[-1]]} → {ALPHABET[key]}.",
        "en": f"Each letter is {_steps_en(step)} in the alphabet from the one before: "
              f"{ALPHABET[shown[-1]]} → {ALPHABET[key]}.",
    }
    features = _features("constant_step", n, [step], n_rules=1, period=1, second_order=False)
    return {"start": ALPHABET[start], "step": step}, pos, features, primary, explanation


def _growing_step(rng: Rng, practice: bool) -> Built | None:
    first, inc = rand_int(rng, 1, 2), pick(rng, (1, 1, 1, 2))
    sign = -1 if rng.random() < 0.3 else 1
    n = 5 if inc == 1 else 4
    start = rand_int(rng, 0, 10) if sign > 0 else rand_int(rng, 15, 25)
    steps = [sign * (first + i * inc) for i in range(n)]
    pos = [start]
    for s in steps:
        pos.append(pos[-1] + s)
    if not _inside(pos):
        return None
    shown, key = pos[:n], pos[n]
    last = shown[-1]
    primary = [last + steps[-2], key + sign * inc, key + sign, key - sign, last + steps[-1] + sign * inc]
    shown_steps = ", ".join(_signed(s) for s in steps[:-1])
    explanation = {
        "sv": f"Stegen i alfabetet är {shown_steps} och växer med {inc} varje gång. "
              f"Nästa steg är {_signed(steps[-1])}: {ALPHABET[last]} → {ALPHABET[key]}.",
        "en": f"The steps through the alphabet are {shown_steps} and grow by {inc} each time. "
              f"The next step is {_signed(steps[-1])}: {ALPHABET[last]} → {ALPHABET[key]}.",
    }
    params = {"start": ALPHABET[start], "first_step": steps[0], "step_increase": sign * inc}
    features = _features("growing_step", n, steps, n_rules=2, period=1, second_order=True)
    return params, pos, features, primary, explanation


def _cycle(rng: Rng, practice: bool) -> Built | None:
    step = pick(rng, (2, 3, 3, 4, 5, 6, -2, -3, -4))
    n = 5
    start = rand_int(rng, 0, 25)
    raw = [start + i * step for i in range(n + 1)]
    # the series must pass Z -> A (or A -> Z) after at least two letters have been shown
    first_wrap = next((i for i, p in enumerate(raw) if not 0 <= p < 26), None)
    if first_wrap is None or first_wrap < 2:
        return None
    pos = [p % 26 for p in raw]
    if len(set(pos)) < len(pos):
        return None
    shown, key = pos[:n], pos[n]
    sgn = 1 if step > 0 else -1
    unwrapped = raw[n]  # the position if the alphabet did not start again
    primary = [(key + step) % 26, (key + sgn) % 26, (key - sgn) % 26, (shown[-1] - step) % 26]
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


def _alternating_step(rng: Rng, practice: bool) -> Built | None:
    p = 2 if rng.random() < 0.7 else 3
    steps = [pick(rng, (2, 3, 4, 5)), pick(rng, (-1, -2, 1))]
    if p == 3:
        steps.append(pick(rng, (1, 2, 3, -1, -3)))
    if len(set(steps)) < p or sum(steps) <= 0 or (p == 2 and steps[0] == -steps[1]):
        return None
    steps = [steps[int(i)] for i in rng.permutation(p)]
    n = 2 * p + 2 if p == 2 else 2 * p + 1
    start = rand_int(rng, 0, 8)
    pos = [start]
    for i in range(n):
        pos.append(pos[-1] + steps[i % p])
    if not _inside(pos):
        return None
    shown, key = pos[:n], pos[n]
    last = shown[-1]
    phase = (n - 1) % p
    s = steps[phase]
    primary = [last + t for j, t in enumerate(steps) if j != phase] + [key + 1, key - 1, last - s]
    cycle = ", ".join(_signed(t) for t in steps)
    explanation = {
        "sv": f"Stegen i alfabetet upprepas i samma ordning: {cycle}. "
              f"Nästa steg är {_signed(s)}: {ALPHABET[last]} → {ALPHABET[key]}.",
        "en": f"The steps through the alphabet repeat in the same order: {cycle}. "
              f"The next step is {_signed(s)}: {ALPHABET[last]} → {ALPHABET[key]}.",
    }
    params = {"start": ALPHABET[start], "steps": steps}
    features = _features("alternating_step", n, steps, n_rules=p, period=p, second_order=False)
    return params, pos, features, primary, explanation


def _interleaved(rng: Rng, practice: bool) -> Built | None:
    s1, s2 = pick(rng, (1, 2, 3)), pick(rng, (-3, -2, -1, 2, 3))
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
    primary = [own_last + steps[1 - j], last + steps[j], last + steps[1 - j], key + steps[j], own_last]
    subs = [shown[0::2], shown[1::2]]
    parts = [f"{', '.join(ALPHABET[p] for p in sub)} ({_signed(s)})" for sub, s in zip(subs, steps)]
    ordinal_sv, ordinal_en = ("första", "first") if j == 0 else ("andra", "second")
    explanation = {
        "sv": f"Två serier turas om: {parts[0]} och {parts[1]}. Nästa bokstav hör till den "
              f"{ordinal_sv}: {ALPHABET[own_last]} → {ALPHABET[key]}.",
        "en": f"Two series take turns: {parts[0]} and {parts[1]}. The next letter belongs to the "
              f"{ordinal_en}: {ALPHABET[own_last]} → {ALPHABET[key]}.",
    }
    params = {"starts": [ALPHABET[x] for x in starts], "steps": steps}
    features = _features("interleaved", n, steps, n_rules=2, period=2, second_order=False)
    return params, pos, features, primary, explanation


BUILDERS: dict[str, Callable[[Rng, bool], Built | None]] = {
    "constant_step": _constant_step,
    "growing_step": _growing_step,
    "cycle": _cycle,
    "alternating_step": _alternating_step,
    "interleaved": _interleaved,
}


def _text(groups: list[list[int]]) -> list[str]:
    return ["".join(ALPHABET[p] for p in g) for g in groups]


def _groups_item(rng: Rng, item_id: str, practice: bool, n_below: int | None = None) -> dict[str, Any] | None:
    g = pick(rng, (2, 2, 3))
    inner = pick(rng, (1, 1, 2)) if g == 2 else 1
    outer = g * inner + pick(rng, (0, 0, 1, 2)) if inner == 1 else pick(rng, (1, 2, 4))
    n = 3 if g == 3 or outer > 3 else pick(rng, (3, 4))
    start = rand_int(rng, 0, 6)
    groups = [[start + k * outer + m * inner for m in range(g)] for k in range(n + 1)]
    if not _inside([p for grp in groups for p in grp]):
        return None
    shown, key = groups[:n], groups[n]
    k0 = key[0]
    candidates = [
        [k0 + 1 + m * inner for m in range(g)],          # group starts one step too late
        [k0 - 1 + m * inner for m in range(g)],          # ... one step too early
        [k0 + m * (inner + 1) for m in range(g)],        # wrong step inside the group
        [k0 + m * inner for m in range(g)][::-1],        # letters in the wrong order
        [shown[-1][-1] + 1 + m * inner for m in range(g)],  # continues straight after the last letter
        [k0 + outer + m * inner for m in range(g)],      # one group too far
        [k0 - 2 + m * inner for m in range(g)],          # two steps too early
        [k0 - 1 + m * (inner + 1) for m in range(g)],    # too early and the wrong step inside
        [k0 - 3 + m * inner for m in range(g)],          # three steps too early
    ]
    seen = {tuple(key)} | {tuple(s) for s in shown}
    wrong: list[list[int]] = []
    for c in candidates:
        if _inside(c) and tuple(c) not in seen and len(set(c)) == g:
            seen.add(tuple(c))
            wrong.append(c)
    # options in alphabetical order: n_below of them before the key (balanced over items)
    below = [c for c in wrong if c < key]
    above = [c for c in wrong if c > key]
    k = rand_int(rng, 0, N_OPTIONS - 1) if n_below is None else n_below
    if k > len(below) or N_OPTIONS - 1 - k > len(above):
        return None
    wrong = sample(rng, below, k) + sample(rng, above, N_OPTIONS - 1 - k)
    texts = _text([key] + wrong)
    options, key_index = shuffle_options(rng, (both(texts[0]), key), [(both(t), w) for t, w in zip(texts[1:], wrong)])
    shown_text = _text(shown)
    inside_sv = "i följd" if inner == 1 else "med en bokstav emellan"
    inside_en = "in a row" if inner == 1 else "with one letter between them"
    explanation = {
        "sv": f"Varje grupp har {g} bokstäver {inside_sv}, och varje ny grupp börjar {_steps_sv(outer)} "
              f"efter den förra ({shown_text[-1][0]} → {texts[0][0]}). Nästa grupp är {texts[0]}.",
        "en": f"Each group has {g} letters {inside_en}, and each new group starts {_steps_en(outer)} "
              f"after the one before ({shown_text[-1][0]} → {texts[0][0]}). The next group is {texts[0]}.",
    }
    series = ", ".join(shown_text) + ", ?"
    params = {"start": ALPHABET[start], "group_size": g, "inner_step": inner, "group_step": outer}
    features = _features("letter_groups", n, [inner, outer], n_rules=2, period=1, second_order=False,
                         group_size=g)
    return make_item(
        item_id=item_id, item_type=TYPE, model=f"{TYPE}.letter_groups", practice=practice,
        stem={lang: f"{series}\n{LETTER_NOTE[lang]}" for lang in LETTER_NOTE},
        options=options, key=key_index, explanation=explanation, features=features,
        structure={"shown": shown_text, "rule": params},
    )


def _item(rng: Rng, item_id: str, rule: str, n_below: int | None = None, *, practice: bool = False) -> dict[str, Any] | None:
    if rule == "letter_groups":
        return _groups_item(rng, item_id, practice, n_below)
    built = BUILDERS[rule](rng, practice)
    if built is None:
        return None
    params, pos, features, primary, explanation = built
    n = len(pos) - 1
    shown, key = pos[:n], pos[n]
    wraps = features["wraps"]
    fallback = [key + d for d in (1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6)]
    if wraps:
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
    models = plan(PRACTICE_MODELS if practice else MODELS, n, rng)
    rules = iter(zip(models, key_ranks(models, N_OPTIONS, rng)))
    current: dict[str, tuple[str, int]] = {}

    def make(item_id: str) -> dict[str, Any] | None:
        if item_id not in current:
            current[item_id] = next(rules)
        return _item(rng, item_id, *current[item_id], practice=practice)

    return unique_items(make, item_ids(id_prefix, start, n, practice), avoid)
