"""Independent checks of figure-matrix items (``"type": "matrix"``).

Nothing here trusts what the generator says about an item: :func:`solve_matrix` infers
the rules from the visible cells alone, and :func:`check_matrix_item` re-renders the SVGs
from the ``structure`` and compares them with the stored markup.

Rules (Carpenter, Just & Shell, 1990, "What one intelligence test measures"), applied to
each attribute along the rows, left to right. For rows 1 and 2 (complete) and the first
two cells of row 3:

=============  ===============================================================  ===============
rule           holds when                                                       attributes
=============  ===============================================================  ===============
constant       every row holds one value (rows may differ)                      all
progression    the same non-zero step between neighbouring cells in every row;  count, size,
               rotation steps are taken modulo 360                              fill, rotation
distribution   rows 1 and 2 hold the same three distinct values, and no column  all
               repeats a value (a Latin square); row 3 gets the value it lacks
addition       third cell = first + second, in amounts (see below)              count, fill
subtraction    third cell = first - second, in amounts                          count, fill
=============  ===============================================================  ===============

Addition and subtraction work on *amounts*: the figure count is its own amount; a colour
counts by its shade, light grey 1, dark grey 2, black 3 (white has no ink and takes no
part: a row with a white cell is never explained by arithmetic). Arithmetic on the
colour of the figures is one of the rules of the RAVEN matrix grammar (Zhang, Gao, Jia,
Zhu & Zhu, 2019), which extends the rule taxonomy of Carpenter et al. (1990) to the
attributes of figures; its rule level is that of figure addition/subtraction.

Shortcut check (Matzen et al., 2010; Hu et al., 2021, I-RAVEN): when distractors are made
by changing one attribute of the key, the key is the option that shares most attribute
values with the other options, so it can be found without looking at the matrix.
:func:`modal_option_index` finds such "modal" options and :func:`shortcut_rate` reports how
often the key is the unique one; for a sound bank it is at chance (1/8) or below.

References: Carpenter, P. A., Just, M. A. & Shell, P. (1990). What one intelligence test
measures. *Psychological Review, 97*, 404-431. Zhang, C., Gao, F., Jia, B., Zhu, Y. &
Zhu, S.-C. (2019). RAVEN: A dataset for relational and analogical visual reasoning.
*Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition*,
5317-5327.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from .svg import (
    ATTRIBUTES,
    COUNTS,
    FILLS,
    SIZES,
    cell_problems,
    check_svg,
    render_matrix,
    render_option,
)

RULES = ("constant", "progression", "distribution", "addition", "subtraction")
RULE_LEVEL = {"constant": 1, "progression": 2, "distribution": 3, "addition": 4, "subtraction": 4}
N_OPTIONS = 8
FEATURE_KEYS = ("rules", "n_rules", "n_attributes", "max_rule_level", "n_elements")

#: ordered value scales of the ordinal attributes (progression moves along them)
_SCALES: dict[str, Sequence[Any]] = {"count": COUNTS, "size": SIZES, "fill": FILLS}
#: amounts that addition and subtraction work on (attributes and values not listed: none)
AMOUNTS: dict[str, dict[Any, int]] = {
    "count": {c: c for c in COUNTS},
    "fill": {"lightgrey": 1, "darkgrey": 2, "black": 3},
}


def _progression(attribute: str, rows: list[list[Any]], partial: list[Any]) -> Any:
    """Predicted value, or None when no common non-zero step explains the rows."""
    if attribute == "rotation":
        def step(a, b):
            return (b - a) % 360
    elif attribute in _SCALES:
        scale = _SCALES[attribute]
        rows = [[scale.index(v) for v in row] for row in rows]
        partial = [scale.index(v) for v in partial]

        def step(a, b):
            return b - a
    else:
        return None  # nominal attribute (shape): no order to progress along
    d = step(rows[0][0], rows[0][1])
    if d == 0:
        return None
    if any(step(r[0], r[1]) != d or step(r[1], r[2]) != d for r in rows) or step(*partial) != d:
        return None
    if attribute == "rotation":
        return (partial[1] + d) % 360
    index = partial[1] + d
    return _SCALES[attribute][index] if 0 <= index < len(_SCALES[attribute]) else None


def _distribution(rows: list[list[Any]], partial: list[Any]) -> Any:
    first, second = rows
    values = set(first)
    if len(values) != 3 or set(second) != values:
        return None
    if any(first[j] == second[j] for j in range(3)):
        return None  # same order in two rows: that is not a distribution of three
    if partial[0] == partial[1] or not set(partial) <= values:
        return None
    if any(partial[j] in (first[j], second[j]) for j in range(2)):
        return None
    (missing,) = values - set(partial)
    return missing


def rule_predictions(attribute: str, rows: list[list[Any]], partial: list[Any]) -> dict[str, Any]:
    """Every rule that explains ``rows`` (two complete rows) and ``partial`` (two cells of
    row 3) for one attribute, with the value it predicts for the missing cell."""
    out: dict[str, Any] = {}
    if all(len(set(r)) == 1 for r in rows) and partial[0] == partial[1]:
        out["constant"] = partial[0]
    predicted = _progression(attribute, rows, partial)
    if predicted is not None:
        out["progression"] = predicted
    predicted = _distribution(rows, partial)
    if predicted is not None:
        out["distribution"] = predicted
    out.update(_arithmetic(attribute, rows, partial))
    return out


def _arithmetic(attribute: str, rows: list[list[Any]], partial: list[Any]) -> dict[str, Any]:
    """Addition / subtraction of amounts (:data:`AMOUNTS`) with the value each predicts."""
    amount = AMOUNTS.get(attribute)
    if amount is None or any(v not in amount for v in [*rows[0], *rows[1], *partial]):
        return {}
    value_of = {m: v for v, m in amount.items()}
    rows = [[amount[v] for v in row] for row in rows]
    x, y = amount[partial[0]], amount[partial[1]]
    out = {}
    if all(r[0] + r[1] == r[2] for r in rows) and x + y in value_of:
        out["addition"] = value_of[x + y]
    if all(r[0] - r[1] == r[2] for r in rows) and x - y in value_of:
        out["subtraction"] = value_of[x - y]
    return out


def _visible_cells(structure: Any) -> list[Mapping[str, Any]] | None:
    if not isinstance(structure, Mapping) or not isinstance(structure.get("cells"), list):
        return None
    cells = structure["cells"]
    if len(cells) != 9 or cells[8] is not None or any(cell_problems(c) for c in cells[:8]):
        return None
    return cells[:8]


def solve_matrix(structure: dict) -> dict | None:
    """Infer the rules from the eight visible cells and compute the missing one.

    Uses rows 1-2 and the first two cells of row 3 only (never the item's features or
    options). Returns None when the cells are not a valid matrix or some attribute is
    explained by no rule; otherwise::

        {"answer": cell | None,         # None when the rules disagree about the answer
         "unique": bool,                # exactly one missing cell is consistent
         "rules": {attribute: [rule, ...]},        # every rule that explains it
         "predictions": {attribute: [value, ...]}} # distinct predicted values
    """
    cells = _visible_cells(structure)
    if cells is None:
        return None
    rules: dict[str, list[str]] = {}
    predictions: dict[str, list[Any]] = {}
    for attribute in ATTRIBUTES:
        values = [c[attribute] for c in cells]
        found = rule_predictions(attribute, [values[0:3], values[3:6]], values[6:8])
        if not found:
            return None
        rules[attribute] = [r for r in RULES if r in found]
        distinct: list[Any] = []
        for r in rules[attribute]:
            if found[r] not in distinct:
                distinct.append(found[r])
        predictions[attribute] = distinct
    unique = all(len(v) == 1 for v in predictions.values())
    answer = {a: predictions[a][0] for a in ATTRIBUTES} if unique else None
    if answer is not None and cell_problems(answer):
        answer, unique = None, False  # e.g. a rotation this shape cannot show
    return {"answer": answer, "unique": unique, "rules": rules, "predictions": predictions}


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return all(a.get(k) == b.get(k) for k in ATTRIBUTES)


def expected_features(structure: dict, solution: dict) -> dict | None:
    """The difficulty features implied by the solved matrix (None if the rules are ambiguous)."""
    if not solution or not solution["unique"] or any(len(r) != 1 for r in solution["rules"].values()):
        return None
    full = list(structure["cells"][:8]) + [solution["answer"]]
    rules = [{"attribute": a, "rule": solution["rules"][a][0]} for a in ATTRIBUTES]
    return {
        "rules": rules,
        "n_rules": sum(r["rule"] != "constant" for r in rules),
        "n_attributes": sum(len({c[a] for c in full}) > 1 for a in ATTRIBUTES),
        "max_rule_level": max(RULE_LEVEL[r["rule"]] for r in rules),
        "n_elements": max(c["count"] for c in full),
    }


def check_matrix_item(item: dict) -> list[str]:
    """Problems of one matrix item, each starting with ``item <id>:`` (empty list = OK).

    Checks: a valid structure of 9 cells (the last null) and 8 options; the stored figure
    and option SVGs equal the rendering of the structure and pass :func:`check_svg`; the
    matrix has a unique solution that exactly one option shows, and that option is the
    key; options are pairwise different; the features agree with the inferred rules.
    """
    item_id = item.get("id", "?") if isinstance(item, Mapping) else "?"
    where = f"item {item_id}"
    if not isinstance(item, Mapping):
        return [f"{where}: must be an object"]
    out: list[str] = []
    structure = item.get("structure")
    if not isinstance(structure, Mapping):
        return [f"{where}: structure must be an object with cells and options"]
    cells, options = structure.get("cells"), structure.get("options")
    if not isinstance(cells, list) or len(cells) != 9:
        out.append(f"{where}: structure.cells must list 9 cells")
    else:
        if cells[8] is not None:
            out.append(f"{where}: structure.cells[8] (the missing cell) must be null")
        for i, cell in enumerate(cells[:8]):
            out.extend(f"{where}: structure.cells[{i}]: {p}" for p in cell_problems(cell))
    if not isinstance(options, list) or len(options) != N_OPTIONS:
        out.append(f"{where}: structure.options must list {N_OPTIONS} cells")
    else:
        for i, cell in enumerate(options):
            out.extend(f"{where}: structure.options[{i}]: {p}" for p in cell_problems(cell))
    stored = item.get("options")
    if not isinstance(stored, list) or len(stored) != N_OPTIONS:
        out.append(f"{where}: needs {N_OPTIONS} options")
        stored = None
    if out:
        return out  # the rest needs a well-formed structure

    # SVG markup: safe, and exactly what the structure renders to
    figure = item.get("figure")
    out.extend(f"{where}: figure: {p}" for p in check_svg(figure))
    if figure != render_matrix(structure):
        out.append(f"{where}: figure SVG does not match the structure")
    for i, option in enumerate(stored):
        svg = option.get("svg") if isinstance(option, Mapping) else None
        out.extend(f"{where}: option {i}: {p}" for p in check_svg(svg))
        if svg != render_option(structure, i):
            out.append(f"{where}: option {i} SVG does not match structure.options[{i}]")
    markups = [o.get("svg") if isinstance(o, Mapping) else None for o in stored]
    for i in range(N_OPTIONS):
        for j in range(i + 1, N_OPTIONS):
            if _same(options[i], options[j]) or markups[i] == markups[j]:
                out.append(f"{where}: options {i} and {j} look the same")

    # the answer
    solution = solve_matrix(structure)
    key = item.get("key")
    if solution is None:
        out.append(f"{where}: no rule set explains the matrix")
        return out
    if not solution["unique"]:
        out.append(f"{where}: the matrix has no unique answer (rules {solution['rules']})")
        return out
    matching = [i for i, o in enumerate(options) if _same(o, solution["answer"])]
    if len(matching) != 1:
        out.append(f"{where}: {len(matching)} options show the solution (need exactly 1)")
    elif matching[0] != key:
        out.append(f"{where}: key is {key!r} but option {matching[0]} shows the solution")

    # features
    expected = expected_features(structure, solution)
    features = item.get("features")
    if expected is None:
        out.append(f"{where}: the rules are ambiguous ({solution['rules']})")
    elif not isinstance(features, Mapping):
        out.append(f"{where}: features must be an object")
    else:
        if sorted(features) != sorted(FEATURE_KEYS):
            out.append(f"{where}: features must have exactly the keys {', '.join(FEATURE_KEYS)}")
        for name in FEATURE_KEYS:
            if name in features and features[name] != expected[name]:
                out.append(f"{where}: features.{name} is {features[name]!r}, the matrix gives {expected[name]!r}")
        main = max((r["rule"] for r in expected["rules"]), key=RULE_LEVEL.__getitem__)
        if item.get("model") != f"matrix.{main}":
            out.append(f"{where}: model is {item.get('model')!r}, the matrix gives 'matrix.{main}'")
    if item.get("type") != "matrix":
        out.append(f"{where}: type is {item.get('type')!r}, not 'matrix'")
    return out


def modal_option_index(options: list[dict]) -> list[int]:
    """Indices of the options that share the most attribute values with the other options.

    Score of option i = sum over the other options j of the number of attributes on which
    i and j agree. Ties give several indices; with an attribute-bisection design all eight
    options tie.
    """
    scores = [
        sum(sum(o.get(a) == other.get(a) for a in ATTRIBUTES) for j, other in enumerate(options) if j != i)
        for i, o in enumerate(options)
    ]
    if not scores:
        return []
    best = max(scores)
    return [i for i, s in enumerate(scores) if s == best]


def shortcut_rate(items: list[dict]) -> float:
    """Share of matrix items whose key is the unique modal option (0.0 for no matrix items).

    A rate near 1/8 or below means "pick the most typical option" does not find the key
    more often than guessing.
    """
    matrix = [it for it in items if it.get("type") == "matrix"]
    if not matrix:
        return 0.0
    hits = sum(modal_option_index(it["structure"]["options"]) == [it["key"]] for it in matrix)
    return hits / len(matrix)
