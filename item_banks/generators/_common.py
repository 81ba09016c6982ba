"""Helpers shared by the text-item generators (series and deductive items).

Randomness always comes from the ``numpy.random.Generator`` passed in, so a generator
called with the same seeded ``rng`` returns the same items.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

import numpy as np

Rng = np.random.Generator
#: (texts by language, value or logical form) of one option while an item is built
Option = tuple[dict[str, str], Any]

LANGS = ("sv", "en")
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # the 26-letter A-Z alphabet, no Å, Ä, Ö

#: Shown under every letter series (so a candidate knows the alphabet and the wrap-around).
LETTER_NOTE = {
    "sv": "(Alfabetet A–Z: 26 bokstäver, utan Å, Ä och Ö. Efter Z kommer A igen.)",
    "en": "(The alphabet A–Z: 26 letters. After Z comes A again.)",
}

#: How many tries a generator gets for one item before giving up (a bug, not bad luck).
MAX_TRIES = 500


def rand_int(rng: Rng, low: int, high: int) -> int:
    """Uniform integer in [low, high]."""
    return int(rng.integers(low, high, endpoint=True))


def pick(rng: Rng, seq: tuple | list | str) -> Any:
    return seq[int(rng.integers(len(seq)))]


def sample(rng: Rng, seq: tuple | list, k: int) -> list:
    return [seq[int(i)] for i in rng.choice(len(seq), size=k, replace=False)]


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def both(text: str) -> dict[str, str]:
    return {lang: text for lang in LANGS}


def shuffle_options(rng: Rng, key: Option, distractors: list[Option]) -> tuple[list[Option], int]:
    """Put the key among the distractors at a random position; return (options, key index)."""
    options = [key, *distractors]
    order = [int(i) for i in rng.permutation(len(options))]
    shuffled = [options[i] for i in order]
    for lang in LANGS:
        texts = [o[0][lang].casefold() for o in shuffled]
        if len(set(texts)) != len(texts):
            raise ValueError(f"generated options are not distinct: {texts}")
    return shuffled, order.index(0)


def make_item(
    *,
    item_id: str,
    item_type: str,
    model: str,
    practice: bool,
    stem: dict[str, str],
    options: list[Option],
    key: int,
    explanation: dict[str, str],
    features: dict[str, Any],
    structure: dict[str, Any],
) -> dict[str, Any]:
    """An item in the format-version-2 layout (without ``irt``, which generate.py adds)."""
    return {
        "id": item_id,
        "type": item_type,
        "model": model,
        "practice": practice,
        "stem": stem,
        "options": [texts for texts, _ in options],
        "key": key,
        "explanation": explanation,
        "features": features,
        "structure": structure,
    }


def pick_distractors(
    rng: Rng,
    key: int,
    primary: Iterable[int],
    fallback: Iterable[int],
    valid: Callable[[int], bool],
    n: int = 4,
    n_below: int | None = None,
) -> list[int] | None:
    """``n`` distinct wrong values around ``key`` (None when there are too few candidates).

    ``primary`` are rule violations (preferred), ``fallback`` small slips, nearest first.
    ``n_below`` distractors go below the key (drawn uniformly from 0..n when None); the
    generators cycle it through 0..n so that the key's rank among the options is
    balanced over a bank: the key is not recognisable as the middle value, nor as never
    being the smallest or largest option. None also when that many values below (or
    above) the key are not available; the caller then draws a new item.
    """

    def clean(values: Iterable[int]) -> list[int]:
        out: list[int] = []
        for v in values:
            v = int(v)
            if v != key and valid(v) and v not in out:
                out.append(v)
        return out

    primary_l = clean(primary)
    fallback_l = [v for v in clean(fallback) if v not in primary_l]
    below = [v for v in primary_l + fallback_l if v < key]
    above = [v for v in primary_l + fallback_l if v > key]
    if n_below is None:
        n_below = rand_int(rng, 0, n)
    if n_below > len(below) or n - n_below > len(above):
        return None

    def take(side: list[int], k: int) -> list[int]:
        first = [v for v in side if v in primary_l]
        chosen = sample(rng, first, min(k, len(first), n - 1))
        rest = [v for v in side if v not in chosen]
        return chosen + rest[: k - len(chosen)]  # rest keeps primary first, then nearest slips

    return take(below, n_below) + take(above, n - n_below)


def unique_items(
    make: Callable[[str], dict[str, Any] | None],
    ids: list[str],
    avoid: Collection = (),
) -> list[dict[str, Any]]:
    """Call ``make(item_id)`` for every id until each item is new.

    Items that :func:`item_banks.checks.check_item` rejects are drawn again. "New"
    means none of its duplicate signatures (:func:`item_banks.checks.item_signatures`:
    same type and stem, or same type, model and structure) was seen before, in this call
    or in ``avoid``. ``make`` may return None to ask for another try (parameters that did
    not work out).
    """
    from ..checks import check_item, item_signatures

    seen = set(avoid)
    items = []
    for item_id in ids:
        for _ in range(MAX_TRIES):
            item = make(item_id)
            # an item the independent checker rejects (e.g. a distractor that another
            # rule also explains) is drawn again
            if item is None or check_item(item):
                continue
            sigs = item_signatures(item)
            if not seen.intersection(sigs):
                seen.update(sigs)
                items.append(item)
                break
        else:
            raise RuntimeError(f"could not generate a new item for {item_id} in {MAX_TRIES} tries")
    return items


def item_ids(id_prefix: str, start: int, n: int, practice: bool) -> list[str]:
    """``NS-001`` ... for operational items, ``NS-P01`` ... for practice items."""
    if practice:
        return [f"{id_prefix}-P{i:02d}" for i in range(start, start + n)]
    return [f"{id_prefix}-{i:03d}" for i in range(start, start + n)]


def plan(models: list[tuple[Any, int]], n: int, rng: Rng) -> list:
    """``n`` model names, proportional to the integer weights, in a random order."""
    total = sum(w for _, w in models)
    counts = [n * w // total for _, w in models]
    remainders = sorted(range(len(models)), key=lambda i: (-(n * models[i][1] % total), i))
    for i in remainders[: n - sum(counts)]:
        counts[i] += 1
    names = [name for (name, _), c in zip(models, counts) for _ in range(c)]
    return [names[int(i)] for i in rng.permutation(len(names))]


def plan_variants(models: list[tuple[str, int]], variants: dict[str, list[tuple[Any, int]]]
                  ) -> list[tuple[tuple[str, Any], int]]:
    """Plan entries ``((rule, variant), weight)`` for ``plan``: a model listed in
    ``variants`` is planned per variant (``variants[rule]`` = ``[(variant, weight), ...]``),
    so that each variant gets its share (the b distribution of a set does not hang on
    chance) and its own balanced key ranks; other models get ``(rule, None)``."""
    out: list[tuple[tuple[str, Any], int]] = []
    for rule, weight in models:
        if rule in variants:
            out += [((rule, variant), w) for variant, w in variants[rule]]
        else:
            out.append(((rule, None), weight))
    return out


def key_ranks(models: list, n_options: int, rng: Rng) -> list[int]:
    """For each planned item, how many distractors go below the key: 0..n_options-1.

    Balanced over the whole set (every rank ``n // n_options`` times or once more) and
    within each model as far as its size allows: the models take consecutive runs of one
    cycle through the ranks (starting at a random rank), each run shuffled among the
    model's items. So neither the set nor a model has a typical key rank, also when a
    model (or a planned variant of one) has fewer items than there are options.
    """
    ranks = [0] * len(models)
    offset = int(rng.integers(n_options))
    for model in dict.fromkeys(models):
        where = [i for i, m in enumerate(models) if m == model]
        run = [(offset + k) % n_options for k in range(len(where))]
        offset += len(where)
        for i, j in zip(where, rng.permutation(len(where))):
            ranks[i] = run[int(j)]
    return ranks


def planned_items(
    rng: Rng,
    n: int,
    item: Callable[..., dict[str, Any] | None],
    models: list[tuple[str, int]],
    variants: dict[str, list[tuple[Any, int]]],
    n_options: int,
    *,
    id_prefix: str,
    start: int,
    practice: bool,
    avoid: Collection,
) -> list[dict[str, Any]]:
    """``n`` distinct items of planned models (the series generators).

    The models and their variants are planned by weight (:func:`plan_variants`,
    :func:`plan`), the key ranks balanced (:func:`key_ranks`), and each id gets
    ``item(rng, item_id, (rule, variant), n_below, practice=practice)`` until the item is
    new (:func:`unique_items`); a retry keeps the id's planned model and key rank.
    """
    planned = plan(plan_variants(models, variants), n, rng)
    rules = iter(zip(planned, key_ranks(planned, n_options, rng)))
    current: dict[str, tuple[tuple[str, Any], int]] = {}

    def make(item_id: str) -> dict[str, Any] | None:
        if item_id not in current:
            current[item_id] = next(rules)
        return item(rng, item_id, *current[item_id], practice=practice)

    return unique_items(make, item_ids(id_prefix, start, n, practice), avoid)
