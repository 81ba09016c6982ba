"""Item model for figure matrices (automatic item generation).

A 3 x 3 matrix of cells, each holding 1-4 identical figures described by five attributes
(shape, count, size, rotation, fill; see :mod:`item_banks.svg`). Every attribute follows
one rule along the rows, from the taxonomy of Carpenter, Just & Shell (1990):

- *constant*: one value per row; either the same everywhere ("fixed") or a different
  value in each row ("row-constant", which counts as a varying attribute);
- *progression*: a fixed step per column (count +/-1, size and fill one level,
  rotation +/-45 or +/-90 degrees);
- *distribution* of three values: a Latin square, every row a different order;
- *addition* / *subtraction* of amounts: third = first +/- second, for the figure count
  and for the colour (light grey 1, dark grey 2, black 3; colour arithmetic as in the
  RAVEN grammar, Zhang et al., 2019).

An item has 1-3 non-constant rules. All content is produced by this code; nothing is
taken from Raven's or any other published test.

Item models and the difficulty plan: an item model is a *blueprint*, the tuple of its
rule kinds (e.g. ``("addition", "addition", "distribution")``: the count and the colour
follow arithmetic, a third attribute a distribution of three). Its a-priori difficulty
comes from :mod:`item_banks.difficulty` (memory load = summed rule levels, number of
rules, varying attributes, figures per cell; Carpenter, Just & Shell, 1990; Embretson,
1998), so easy items are one progression with few figures and hard items three rules of
the highest levels with up to four figures per cell. :func:`generate_matrix_items` spreads
an operational set over the bands of b in :data:`B_PLAN` (width 0.5 from -2.5 to +3.0,
about even) and caps every item family (:func:`item_banks.families.family_key`) so that
no structure dominates the set.

Distractors follow an attribute-bisection design (Hu et al., 2021, I-RAVEN): three
attributes each get one plausible wrong value (a step too few or too many, a value
repeated from the row, the value of another row, minus instead of plus ...) and the eight
options are the 2 x 2 x 2 combinations of right and wrong values. Every value then
appears in exactly four options, so the key is not the option that shares most with the
others, and exactly one option (the key) follows all rules. At least three attributes
vary in every item, so every wrong value also occurs somewhere in the matrix and cannot
be ruled out at a glance.

Every generated matrix is solved again by :func:`item_banks.matrix_check.solve_matrix`
(from the visible cells only); an item is kept only when that gives the intended answer
and exactly one rule per attribute.

References: Carpenter, Just & Shell (1990), *Psychological Review* 97, 404-431.
Embretson (1998), *Psychological Methods* 3, 380-396. Hu, Ma, Liu, Wei & Bai (2021),
Stratified rule-aware network for abstract visual reasoning, *Proceedings of the AAAI
Conference on Artificial Intelligence* 35 (I-RAVEN). Zhang, Gao, Jia, Zhu & Zhu (2019),
RAVEN: a dataset for relational and analogical visual reasoning, *CVPR*, 5317-5327.
"""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

import numpy as np

from ..difficulty import B_RANGE, apriori_b
from ..families import family_key
from ..matrix_check import RULE_LEVEL, solve_matrix
from ..svg import (
    ATTRIBUTES,
    COUNTS,
    FILLS,
    ROTATIONS,
    SHAPES,
    SIZES,
    cell_problems,
    render_matrix,
    render_option,
)

MODEL_VERSION = "2"

Rng = np.random.Generator

STEM = {
    "sv": "Vilken figur ska stå på den tomma platsen?",
    "en": "Which figure belongs in the empty cell?",
}

#: shapes whose rotation can carry a rule (see ROTATIONS for the visible values)
ROTATABLE = ("arrow", "triangle")
#: round-ish outlines that are hard to tell apart when small: at most one per item
ROUNDISH = frozenset({"circle", "pentagon", "hexagon"})
#: rule kinds each attribute can follow besides constant
KINDS = {
    "shape": ("distribution",),
    "count": ("progression", "distribution", "addition", "subtraction"),
    "size": ("progression", "distribution"),
    "fill": ("progression", "distribution", "addition", "subtraction"),
    "rotation": ("progression", "distribution"),
}
#: main rule kinds of :func:`generate_matrix_item` (addition and subtraction are rarer)
MAIN_KINDS = ("progression", "distribution", "progression", "distribution", "addition", "subtraction")
PRACTICE_KINDS = ("progression", "distribution")
N_OPTIONS = 8
N_BISECTED = 3
MAX_TRIES = 400
#: attempts to fill one place of an operational set (band and family cap)
MAX_PLAN_TRIES = 4000

#: amounts that addition and subtraction work on (the checker has its own table)
AMOUNTS: dict[str, dict[Any, int]] = {
    "count": {c: c for c in COUNTS},
    "fill": {"lightgrey": 1, "darkgrey": 2, "black": 3},
}


def _arithmetic_rows(attribute: str, role: str) -> list[tuple[Any, Any, Any]]:
    """Every row (first, second, third) of ``attribute`` that follows ``role``."""
    amount = AMOUNTS[attribute]
    value_of = {m: v for v, m in amount.items()}
    sign = 1 if role == "addition" else -1
    return [(value_of[x], value_of[y], value_of[x + sign * y])
            for x in sorted(value_of) for y in sorted(value_of) if x + sign * y in value_of]


#: Bands of a-priori b (low, high, weight) an operational set is spread over: about even
#: over [-2.5, +3.0), a little denser in the middle; the top band is reached by three
#: rules of the highest levels with four figures or a fourth varying attribute.
B_PLAN: tuple[tuple[float, float, int], ...] = (
    (-2.5, -2.0, 10), (-2.0, -1.5, 11), (-1.5, -1.0, 12), (-1.0, -0.5, 12), (-0.5, 0.0, 13),
    (0.0, 0.5, 13), (0.5, 1.0, 13), (1.0, 1.5, 12), (1.5, 2.0, 12), (2.0, 2.5, 12), (2.5, 3.0, 10),
)
#: largest share of an operational set one item family may take (at least 3 items)
FAMILY_SHARE = 8 / 130


# --------------------------------------------------------------------------- helpers


def _pick(rng: Rng, seq) -> Any:
    seq = list(seq)
    return seq[int(rng.integers(len(seq)))]


def _sample(rng: Rng, seq, k: int) -> list:
    seq = list(seq)
    return [seq[int(i)] for i in rng.choice(len(seq), size=k, replace=False)]


def _domain(attribute: str, shape: str | None) -> list[Any]:
    """Values an attribute can take (rotation: those visible for ``shape``)."""
    return {
        "shape": list(SHAPES),
        "count": list(COUNTS),
        "size": list(SIZES),
        "fill": list(FILLS),
        "rotation": list(ROTATIONS[shape] if shape else (0,)),
    }[attribute]


def _distinct_values(rng: Rng, attribute: str, shape: str | None, k: int) -> list[Any]:
    """``k`` different values; shapes never include two round-ish outlines."""
    for _ in range(100):
        values = _sample(rng, _domain(attribute, shape), k)
        if attribute != "shape" or len(ROUNDISH.intersection(values)) <= 1:
            return values
    raise RuntimeError("no distinct shapes found")  # pragma: no cover


# --------------------------------------------------------------------------- the plan


def _plan(rng: Rng, kinds: tuple[str, ...]) -> dict[str, str] | None:
    """Role of every attribute: a rule kind, ``"row"`` (row-constant) or ``"fixed"``.

    Each kind of ``kinds`` goes to a different attribute that can follow it (the most
    constrained kinds first); None when no such assignment was drawn.
    """
    roles: dict[str, str] = {}
    for kind in sorted(kinds, key=lambda k: sum(k in KINDS[a] for a in ATTRIBUTES)):
        free = [a for a in ATTRIBUTES if kind in KINDS[a] and a not in roles]
        if not free:
            return None
        roles[_pick(rng, free)] = kind
    rest = [a for a in ATTRIBUTES if a not in roles]
    # enough varying attributes for three informative bisections, sometimes one more
    n_row = max(0, N_BISECTED - len(kinds)) + int(rng.random() < 0.25)
    for attr in _sample(rng, rest, min(n_row, len(rest))):
        roles[attr] = "row"
    for attr in ATTRIBUTES:
        roles.setdefault(attr, "fixed")
    # a shape that changes cannot also carry a visible rotation, and vice versa
    if roles["shape"] != "fixed" and roles["rotation"] != "fixed":
        return None
    return roles


def _grid(rng: Rng, attribute: str, role: str, shape: str | None) -> list[list[Any]]:
    """3 x 3 values of one attribute following ``role``."""
    domain = _domain(attribute, shape)
    if role == "fixed":
        if attribute == "rotation" and shape and rng.random() < 0.5:
            value = 0  # upright half of the time
        elif attribute == "count":
            value = _pick(rng, (1, 1, 1, 2, 2, 3, 4))  # favour few, large figures
        elif attribute == "size":
            value = _pick(rng, ("medium", "large"))  # small only where size carries a rule
        else:
            value = _pick(rng, domain)
        return [[value] * 3 for _ in range(3)]
    if role == "row":
        return [[v] * 3 for v in _distinct_values(rng, attribute, shape, 3)]
    if role == "distribution":
        base = _distinct_values(rng, attribute, shape, 3)
        shifts = [int(s) for s in rng.permutation(3)]
        return [[base[(j + s) % 3] for j in range(3)] for s in shifts]
    if role == "progression":
        if attribute == "rotation":
            steps = (45, 90, -45, -90) if shape == "arrow" else (90, -90)
            d = _pick(rng, steps)
            return [[(start + j * d) % 360 for j in range(3)] for start in _sample(rng, domain, 3)]
        d = _pick(rng, (1, -1))
        starts = [i for i in range(len(domain)) if 0 <= i + 2 * d < len(domain)]
        return [[domain[s + j * d] for j in range(3)] for s in [_pick(rng, starts) for _ in range(3)]]
    if role in ("addition", "subtraction"):
        return [list(row) for row in _sample(rng, _arithmetic_rows(attribute, role), 3)]
    raise ValueError(f"unknown role {role!r}")  # pragma: no cover


# --------------------------------------------------------------------------- distractors


def _wrong_values(attribute: str, role: str, grid: list[list[Any]], shape: str | None) -> list[Any]:
    """Plausible wrong values for the missing cell of ``attribute`` (rule violations)."""
    answer = grid[2][2]
    a, b = grid[2][0], grid[2][1]
    out: list[Any] = []
    if role == "row":
        out = [grid[0][0], grid[1][0]]  # the value of another row
    elif role == "distribution":
        out = [a, b]  # a value repeated from the row
    elif role == "progression":
        # no step (repeat the second cell), one step too many, back to the first cell
        if attribute == "rotation":
            out = [b, (answer + (b - a)) % 360, a]
        else:
            domain = _domain(attribute, shape)
            i, d = domain.index(b), domain.index(b) - domain.index(a)
            out = [domain[k] for k in (i, i + 2 * d, i - d) if 0 <= k < len(domain)]
    elif role in ("addition", "subtraction"):
        # minus instead of plus (or the reverse), one too many or too few, a value of the row
        amount = AMOUNTS[attribute]
        value_of = {m: v for v, m in amount.items()}
        x, y, z = amount[a], amount[b], amount[answer]
        wrong = [x - y, abs(x - y)] if role == "addition" else [x + y]
        out = [value_of[m] for m in [*wrong, z + 1, z - 1] if m in value_of] + [a, b]
    # only values the matrix shows, so no option can be ruled out at a glance
    shown = [grid[r][c] for r in range(3) for c in range(3) if (r, c) != (2, 2)]
    seen: list[Any] = []
    for v in out:
        if v != answer and v in shown and v not in seen:
            seen.append(v)
    return seen


def _options(rng: Rng, roles: dict[str, str], grids: dict[str, list[list[Any]]], answer: dict) -> list[dict] | None:
    """Eight options: the 2 x 2 x 2 right/wrong combinations of three attributes (key first)."""
    informative = [a for a in ATTRIBUTES if roles[a] != "fixed"]
    rules = [a for a in informative if roles[a] != "row"]
    for _ in range(30):
        rows = [a for a in informative if a not in rules]
        chosen = rules + _sample(rng, rows, N_BISECTED - len(rules)) if len(rules) < N_BISECTED else rules
        candidates = {a: _wrong_values(a, roles[a], grids[a], answer["shape"]) for a in chosen}
        if any(not c for c in candidates.values()):
            continue
        wrong = {a: _pick(rng, candidates[a]) for a in chosen}
        options = []
        for flags in itertools.product((False, True), repeat=N_BISECTED):
            cell = dict(answer)
            for a, flag in zip(chosen, flags):
                if flag:
                    cell[a] = wrong[a]
            options.append(cell)
        shapes = {o["shape"] for o in options} | {c for row in grids["shape"] for c in row}
        if len(ROUNDISH & shapes) > 1 or any(cell_problems(o) for o in options):
            continue
        return options
    return None


# --------------------------------------------------------------------------- explanations

_SHAPE_WORDS = {  # en singular, en plural, sv singular, sv plural, sv neuter?
    "circle": ("circle", "circles", "cirkel", "cirklar", False),
    "square": ("square", "squares", "kvadrat", "kvadrater", False),
    "triangle": ("triangle", "triangles", "triangel", "trianglar", False),
    "diamond": ("diamond", "diamonds", "romb", "romber", False),
    "pentagon": ("pentagon", "pentagons", "femhörning", "femhörningar", False),
    "hexagon": ("hexagon", "hexagons", "sexhörning", "sexhörningar", False),
    "cross": ("cross", "crosses", "kors", "kors", True),
    "arrow": ("arrow", "arrows", "pil", "pilar", False),
}
_SIZE_WORDS = {  # en, sv common, sv neuter, sv plural
    "small": ("small", "liten", "litet", "små"),
    "medium": ("medium-sized", "mellanstor", "mellanstort", "mellanstora"),
    "large": ("large", "stor", "stort", "stora"),
}
_FILL_WORDS = {
    "white": ("white", "vit", "vitt", "vita"),
    "lightgrey": ("light grey", "ljusgrå", "ljusgrått", "ljusgrå"),
    "darkgrey": ("dark grey", "mörkgrå", "mörkgrått", "mörkgrå"),
    "black": ("black", "svart", "svart", "svarta"),
}
_DIRECTIONS = {  # en, sv
    0: ("up", "uppåt"),
    45: ("diagonally up to the right", "snett uppåt åt höger"),
    90: ("to the right", "åt höger"),
    135: ("diagonally down to the right", "snett nedåt åt höger"),
    180: ("down", "nedåt"),
    225: ("diagonally down to the left", "snett nedåt åt vänster"),
    270: ("to the left", "åt vänster"),
    315: ("diagonally up to the left", "snett uppåt åt vänster"),
}
_NUMBERS = {1: ("one", "en"), 2: ("two", "två"), 3: ("three", "tre"), 4: ("four", "fyra")}
_ATTRIBUTE_WORDS = {  # en, sv (definite), sv neuter?
    "shape": ("the shape", "formen", False),
    "count": ("the number of figures", "antalet figurer", True),
    "size": ("the size", "storleken", False),
    "fill": ("the colour", "färgen", False),
    "rotation": ("the direction", "riktningen", False),
}


def _list(words: list[str], lang: str) -> str:
    return f"{', '.join(words[:-1])} {'och' if lang == 'sv' else 'and'} {words[-1]}"


def _value_words(attribute: str, values: list[Any]) -> tuple[str, str]:
    if attribute == "shape":
        return _list([_SHAPE_WORDS[v][0] for v in values], "en"), _list([_SHAPE_WORDS[v][2] for v in values], "sv")
    if attribute == "size":
        return _list([_SIZE_WORDS[v][0].split("-")[0] for v in values], "en"), _list([_SIZE_WORDS[v][1] for v in values], "sv")
    if attribute == "fill":
        return _list([_FILL_WORDS[v][0] for v in values], "en"), _list([_FILL_WORDS[v][1] for v in values], "sv")
    if attribute == "rotation":
        return (_list([_DIRECTIONS[v][0] for v in values], "en"),
                _list([_DIRECTIONS[v][1] for v in values], "sv"))
    words = [str(v) for v in values]
    return _list(words, "en"), _list(words, "sv")


def _rule_sentence(attribute: str, role: str, grid: list[list[Any]], plural: bool) -> tuple[str, str]:
    row = grid[0]
    if role == "progression":
        if attribute == "count":
            up = row[1] > row[0]
            return (f"In each row, the number of figures {'increases' if up else 'decreases'} by one from left to right.",
                    f"I varje rad {'ökar' if up else 'minskar'} antalet figurer med en från vänster till höger.")
        if attribute == "size":
            up = SIZES.index(row[1]) > SIZES.index(row[0])
            return ((f"In each row, the figures get {'bigger' if up else 'smaller'} from left to right "
                     f"({'small, medium, large' if up else 'large, medium, small'})."),
                    (f"I varje rad blir figurerna {'större' if up else 'mindre'} från vänster till höger "
                     f"({'små, mellanstora, stora' if up else 'stora, mellanstora, små'})."))
        if attribute == "fill":
            up = FILLS.index(row[1]) > FILLS.index(row[0])
            return (f"In each row, the colour gets one shade {'darker' if up else 'lighter'} from left to right.",
                    f"I varje rad blir färgen en nyans {'mörkare' if up else 'ljusare'} från vänster till höger.")
        d = (row[1] - row[0]) % 360
        clockwise = d < 180
        angle = d if clockwise else 360 - d
        return ((f"In each row, the {'figures turn' if plural else 'figure turns'} {angle}° "
                 f"{'clockwise' if clockwise else 'anticlockwise'} from one cell to the next."),
                (f"I varje rad vrids {'figurerna' if plural else 'figuren'} {angle}° "
                 f"{'medurs' if clockwise else 'moturs'} från ruta till ruta."))
    if role == "distribution":
        values = sorted(set(row), key=lambda v: _domain(attribute, "arrow").index(v))
        en, sv = _value_words(attribute, values)
        if attribute == "count":
            return (f"Each row has cells with {en} figures, in a different order.",
                    f"Varje rad har rutor med {sv} figurer, i olika ordning.")
        what = {
            "shape": ("the same three shapes", "samma tre former"),
            "size": ("the three sizes", "de tre storlekarna"),
            "fill": ("the same three colours", "samma tre färger"),
            "rotation": ("the same three directions", "samma tre riktningar"),
        }[attribute]
        return (f"Each row contains {what[0]} ({en}), in a different order.",
                f"Varje rad innehåller {what[1]} ({sv}), i olika ordning.")
    if attribute == "fill":
        shades = ("counting light grey as 1, dark grey as 2 and black as 3",
                  "om ljusgrå räknas som 1, mörkgrå som 2 och svart som 3")
        if role == "addition":
            return (f"In each row, the colour in the third cell is the sum of the first two, {shades[0]}.",
                    f"I varje rad är färgen i den tredje rutan summan av de två första, {shades[1]}.")
        return (f"In each row, the colour in the third cell is the first minus the second, {shades[0]}.",
                f"I varje rad är färgen i den tredje rutan den första minus den andra, {shades[1]}.")
    if role == "addition":
        return ("In each row, the number of figures in the third cell is the sum of the first two.",
                "I varje rad är antalet figurer i den tredje rutan summan av antalen i de två första.")
    return ("In each row, the number of figures in the third cell is the number in the first minus the number in the second.",
            "I varje rad är antalet figurer i den tredje rutan antalet i den första minus antalet i den andra.")


def _constant_sentence(attributes: list[str]) -> tuple[str, str]:
    en = [_ATTRIBUTE_WORDS[a][0] for a in attributes]
    sv = [_ATTRIBUTE_WORDS[a][1] for a in attributes]
    if len(attributes) == 1:
        same = "detsamma" if _ATTRIBUTE_WORDS[attributes[0]][2] else "densamma"
        return (f"{en[0][0].upper()}{en[0][1:]} stays the same within each row.",
                f"{sv[0][0].upper()}{sv[0][1:]} är {same} inom varje rad.")
    en_text, sv_text = _list(en, "en"), _list(sv, "sv")
    return (f"{en_text[0].upper()}{en_text[1:]} stay the same within each row.",
            f"{sv_text[0].upper()}{sv_text[1:]} är desamma inom varje rad.")


def _describe(cell: dict, turned: bool) -> tuple[str, str]:
    """The answer in words, e.g. "two large black arrows pointing to the right"."""
    en_sing, en_plur, sv_sing, sv_plur, neuter = _SHAPE_WORDS[cell["shape"]]
    n = cell["count"]
    size, fill = _SIZE_WORDS[cell["size"]], _FILL_WORDS[cell["fill"]]
    if n == 1:
        en = f"a {size[0]} {fill[0]} {en_sing}"
        col = 2 if neuter else 1
        sv = f"{'ett' if neuter else 'en'} {size[col]} {fill[col]} {sv_sing}"
    else:
        en = f"{_NUMBERS[n][0]} {size[0]} {fill[0]} {en_plur}"
        sv = f"{_NUMBERS[n][1]} {size[3]} {fill[3]} {sv_plur}"
    if turned and cell["shape"] in ROTATABLE:
        en += f" pointing {_DIRECTIONS[cell['rotation']][0]}"
        sv += f" som pekar {_DIRECTIONS[cell['rotation']][1]}"
    return en, sv


def _explanation(roles: dict[str, str], grids: dict[str, list[list[Any]]], answer: dict) -> dict[str, str]:
    plural = any(c > 1 for row in grids["count"] for c in row)
    order = sorted((a for a in ATTRIBUTES if roles[a] not in ("row", "fixed")),
                   key=lambda a: (-RULE_LEVEL[roles[a]], ATTRIBUTES.index(a)))
    en, sv = [], []
    for attribute in order:
        e, s = _rule_sentence(attribute, roles[attribute], grids[attribute], plural)
        en.append(e)
        sv.append(s)
    row_constant = [a for a in ATTRIBUTES if roles[a] == "row"]
    if row_constant:
        e, s = _constant_sentence(row_constant)
        en.append(e)
        sv.append(s)
    e, s = _describe(answer, roles["rotation"] != "fixed" or answer["rotation"] != 0)
    en.append(f"So the empty cell should hold {e}.")
    sv.append(f"Den tomma rutan ska alltså innehålla {s}.")
    return {"sv": " ".join(sv), "en": " ".join(en)}


# --------------------------------------------------------------------------- items


def _design(rng: Rng, kinds: tuple[str, ...]) -> dict | None:
    """One matrix following ``kinds`` with its options (key first) and features, or None.

    Returns ``{"roles", "grids", "cells", "options", "features", "model"}``; nothing is
    rendered yet, so a plan can reject the design cheaply.
    """
    roles = _plan(rng, kinds)
    if roles is None:
        return None
    # the shape comes first: it decides which rotations are visible
    if roles["rotation"] != "fixed":
        shape = _pick(rng, ROTATABLE)
        grids = {"shape": [[shape] * 3 for _ in range(3)]}
    else:
        grids = {"shape": _grid(rng, "shape", roles["shape"], None)}
        shapes = {s for row in grids["shape"] for s in row}
        shape = next(iter(shapes)) if len(shapes) == 1 else None
    for attribute in ATTRIBUTES[1:]:
        grids[attribute] = _grid(rng, attribute, roles[attribute], shape)

    cells = [{a: grids[a][r][c] for a in ATTRIBUTES} for r in range(3) for c in range(3)]
    answer = cells[8]
    if any(cell_problems(c) for c in cells):
        return None
    solution = solve_matrix({"cells": cells[:8] + [None], "options": []})
    rules = {a: ("constant" if roles[a] in ("row", "fixed") else roles[a]) for a in ATTRIBUTES}
    if (solution is None or not solution["unique"] or solution["answer"] != answer
            or any(solution["rules"][a] != [rules[a]] for a in ATTRIBUTES)):
        return None  # the visible cells would allow another reading

    options = _options(rng, roles, grids, answer)
    if options is None:
        return None
    features = {
        "rules": [{"attribute": a, "rule": rules[a]} for a in ATTRIBUTES],
        "n_rules": sum(r != "constant" for r in rules.values()),
        "n_attributes": sum(len({c[a] for c in cells}) > 1 for a in ATTRIBUTES),
        "max_rule_level": max(RULE_LEVEL[r] for r in rules.values()),
        "n_elements": max(c["count"] for c in cells),
    }
    main = max(rules.values(), key=RULE_LEVEL.__getitem__)  # the hardest rule names the model
    return {"roles": roles, "grids": grids, "cells": cells, "options": options,
            "features": features, "model": f"matrix.{main}"}


def _item(rng: Rng, design: dict, item_id: str, practice: bool, key: int) -> dict:
    """The bank item of ``design`` with the key at option ``key`` (distractors shuffled)."""
    options = design["options"]
    distractors = [options[int(i) + 1] for i in rng.permutation(N_OPTIONS - 1)]
    structure = {"cells": design["cells"][:8] + [None],
                 "options": distractors[:key] + [options[0]] + distractors[key:]}
    return {
        "id": item_id,
        "type": "matrix",
        "model": design["model"],
        "practice": practice,
        "stem": dict(STEM),
        "figure": render_matrix(structure),
        "options": [{"svg": render_option(structure, i)} for i in range(N_OPTIONS)],
        "key": key,
        "features": design["features"],
        "structure": structure,
        "explanation": _explanation(design["roles"], design["grids"], design["cells"][8]),
    }


def _kinds(rng: Rng, n_rules: int, main_kind: str) -> tuple[str, ...]:
    """``main_kind`` plus ``n_rules - 1`` progressions or distributions."""
    return (main_kind, *(_pick(rng, ("progression", "distribution")) for _ in range(n_rules - 1)))


def _generate(rng: Rng, item_id: str, n_rules: int, main_kind: str, practice: bool, key: int) -> dict:
    for _ in range(MAX_TRIES):
        design = _design(rng, _kinds(rng, n_rules, main_kind))
        if design is not None:
            return _item(rng, design, item_id, practice, key)
    raise RuntimeError(f"{item_id}: no valid matrix with {n_rules} rules ({main_kind}) in {MAX_TRIES} tries")


def generate_matrix_item(
    rng: Rng, item_id: str, *, n_rules: int | None = None, practice: bool = False
) -> dict:
    """One matrix item as a JSON-ready dict (bank item format, without ``irt``).

    ``n_rules`` (1-3) is the number of non-constant rules; drawn at random when None.
    Practice items always have one progression or distribution rule. The key position is
    drawn from ``rng``. Same ``rng`` state, same item.
    """
    if practice:
        if n_rules not in (None, 1):
            raise ValueError("practice items have exactly one rule")
        n_rules = 1
    elif n_rules is None:
        n_rules = int(rng.integers(1, 4))
    if n_rules not in (1, 2, 3):
        raise ValueError(f"n_rules must be 1, 2 or 3, not {n_rules!r}")
    main_kind = _pick(rng, PRACTICE_KINDS if practice else MAIN_KINDS)
    key = int(rng.integers(N_OPTIONS))
    return _generate(rng, item_id, n_rules, main_kind, practice, key)


def _balanced(rng: Rng, values: tuple, n: int) -> list:
    """``n`` values cycling through ``values`` (as equal counts as possible), shuffled."""
    seq = [values[i % len(values)] for i in range(n)]
    return [seq[int(i)] for i in rng.permutation(n)]


def signature(item: dict) -> str:
    """What makes two matrix items the same: the nine cells (the answer included)."""
    structure = item["structure"]
    answer = structure["options"][item["key"]]
    return json.dumps(structure["cells"][:8] + [answer], sort_keys=True)


# --------------------------------------------------------------------------- the set

#: rule kinds of a blueprint (constant is what the other attributes do)
_RULE_KINDS = ("progression", "distribution", "addition", "subtraction")


def _assignable(kinds: tuple[str, ...]) -> bool:
    """Whether every kind can go to its own attribute (shape and rotation never both)."""
    for choice in itertools.product(*[[a for a in ATTRIBUTES if k in KINDS[a]] for k in kinds]):
        if len(set(choice)) == len(choice) and not {"shape", "rotation"} <= set(choice):
            return True
    return False


#: every blueprint of 1-3 rules (kinds sorted by level, then name)
BLUEPRINTS: tuple[tuple[str, ...], ...] = tuple(
    kinds
    for n in (1, 2, 3)
    for kinds in itertools.combinations_with_replacement(_RULE_KINDS, n)
    if _assignable(kinds)
)


def blueprint_b(kinds: tuple[str, ...]) -> float:
    """The lowest a-priori b of a blueprint: its rules with three varying attributes and
    one figure per cell (the linear predictor of :func:`item_banks.difficulty.apriori_b`)."""
    return apriori_b("matrix", {
        "rules": [{"attribute": str(i), "rule": k} for i, k in enumerate(kinds)],
        "n_rules": len(kinds), "n_attributes": 3, "n_elements": 1,
        "max_rule_level": max(RULE_LEVEL[k] for k in kinds),
    })


#: how far a design's b can lie above its blueprint's lowest b (a fourth varying
#: attribute and up to four figures per cell)
_B_SPREAD = 0.6


def _band_counts(n: int) -> list[int]:
    """``n`` places over the bands of :data:`B_PLAN` in proportion to their weights
    (largest remainders, ties to the lower band)."""
    weights = [w for _, _, w in B_PLAN]
    total = sum(weights)
    exact = [n * w / total for w in weights]
    counts = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    return counts


def _bank_b(features: dict) -> float:
    """b as the bank stores it (clipped, 3 decimals)."""
    return round(min(max(apriori_b("matrix", features), B_RANGE[0]), B_RANGE[1]), 3)


#: items count as hard above this b (strictly), so the plan's band from here leaves it out
HARD_B = 1.5


def _in_band(b: float, low: float, high: float) -> bool:
    """Whether ``b`` lies in the band [low, high), as in :func:`item_banks.checks.difficulty_report`;
    the band starting at :data:`HARD_B` leaves out b = HARD_B itself, so the bands above
    +1.5 hold only items with b > 1.5 (and those below -1.5 only items with b < -1.5)."""
    return low <= b < high and not b == low == HARD_B


def generate_matrix_items(
    rng: Rng, n: int, *, id_prefix: str = "MX", start: int = 1, practice: bool = False
) -> list[dict]:
    """``n`` different matrix items: ``MX-001``... (practice: ``MX-P01``...).

    Operational sets are spread over the b bands of :data:`B_PLAN` (counts from
    :func:`_band_counts`, places in random order): for each place a blueprint whose b
    range meets the band is drawn and designed until the design's a-priori b lies in the
    band (:func:`_in_band`), its family (:func:`item_banks.families.family_key`) holds
    fewer than ``max(3, ceil(FAMILY_SHARE * n))`` items of the set and its matrix is new. Key
    positions are spread evenly over the eight options (each block of eight items uses
    every position once). Practice sets have one progression or distribution rule each.
    """
    if practice:
        ids = [f"{id_prefix}-P{i:02d}" for i in range(start, start + n)]
        kinds = _balanced(rng, PRACTICE_KINDS, n)
    else:
        ids = [f"{id_prefix}-{i:03d}" for i in range(start, start + n)]
        bands = [band for band, count in zip(B_PLAN, _band_counts(n)) for _ in range(count)]
        bands = [bands[int(i)] for i in rng.permutation(n)]
    keys = [int(k) for _ in range(0, n, N_OPTIONS) for k in rng.permutation(N_OPTIONS)][:n]
    cap = max(3, math.ceil(FAMILY_SHARE * n))
    lowest = {blueprint: blueprint_b(blueprint) for blueprint in BLUEPRINTS}
    items: list[dict] = []
    seen: set[str] = set()
    families: dict[str, int] = {}
    for index, (item_id, key) in enumerate(zip(ids, keys)):
        if practice:
            choices = [(kinds[index],)]
        else:
            low, high, _ = bands[index]
            choices = [k for k in BLUEPRINTS if lowest[k] < high and lowest[k] + _B_SPREAD >= low]
        for _ in range(MAX_PLAN_TRIES):
            design = _design(rng, _pick(rng, choices))
            if design is None:
                continue
            family = family_key({"type": "matrix", "model": design["model"], "features": design["features"]})
            if not practice and (not _in_band(_bank_b(design["features"]), low, high)
                                 or families.get(family, 0) >= cap):
                continue
            item = _item(rng, design, item_id, practice, key)
            sig = signature(item)
            if sig in seen:
                continue
            seen.add(sig)
            families[family] = families.get(family, 0) + 1
            items.append(item)
            break
        else:
            raise RuntimeError(f"{item_id}: no new matrix for its place in {MAX_PLAN_TRIES} tries")
    return items
