"""Item families: items of one item model with the same abstract structure.

Items generated from one item model with the same structure differ only on the surface
(other numbers, letters, names or figures): "isomorphs" in automatic item generation
(Bejar, 2002; Gierl & Lai, 2012). Two of them in one test ask the same question twice,
add little information about the candidate beyond the first and make the test feel
repetitive, so the adaptive test gives **at most one item per family**
(``item_banks.cat``, "Item families").

The family of an item is its model plus the features that describe its structure, per
type (``STRUCTURAL_FEATURES``); features that describe only the surface are left out:

number series
    the relations (``n_rules``, ``period``, ``second_order``, ``operations``) and their
    direction (``decreasing``: a falling series is solved by other steps, Holzman,
    Pellegrino & Glaser, 1983); not the size of the numbers (``magnitude``) or how many
    terms are shown (``n_shown``).
letter series
    the relations (``n_rules``, ``period``, ``second_order``, ``backwards``,
    ``group_size``); not the step size (``max_step``), whether the series happens to wrap
    from Z to A, or ``n_shown``.
matrices
    the set of varying rules as (attribute, rule) pairs and the number of figures per
    cell; not which shapes, fills or sizes are used.
deductive reasoning
    the logical form (``form``, ``logic``), the number of premises and of terms, the
    number of negations and whether the key is "cannot be determined"; not the names,
    the topic or whether a premise is phrased with the converse relation.

A feature that a type does not record is simply absent from the key, so the function
also works for banks made before a feature existed.

References: Bejar, I. I. (2002). Generative testing: from conception to implementation.
In S. H. Irvine & P. C. Kyllonen (Eds.), *Item generation for test development*
(pp. 199-217). Erlbaum. Gierl, M. J. & Lai, H. (2012). The role of item models in
automatic item generation. *International Journal of Testing, 12*, 273-298. Holzman, T. G., Pellegrino, J. W. &
Glaser, R. (1983). Cognitive variables in series completion. *Journal of Educational
Psychology, 75*, 603-618.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

STRUCTURAL_FEATURES: dict[str, tuple[str, ...]] = {
    "number_series": ("n_rules", "period", "second_order", "operations", "decreasing"),
    "letter_series": ("n_rules", "period", "second_order", "backwards", "group_size"),
    "matrix": ("n_elements",),
    "deductive": ("logic", "form", "n_premises", "n_terms", "n_negations", "key_undetermined"),
}


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def family_key(item: Any) -> str:
    """The family of ``item`` (a bank item dict or a loaded ``LogicItem``) as a string.

    ``"<model>|<canonical JSON of the structural features>"``; items without a model
    (format version 1) are each their own family.
    """
    get = item.get if isinstance(item, Mapping) else lambda k, d=None: getattr(item, k, d)
    model = get("model")
    item_type = get("type")
    if not model:
        return f"item|{get('id')}"
    features = _plain(get("features") or {})
    key = {name: features[name] for name in STRUCTURAL_FEATURES.get(item_type, ()) if name in features}
    if item_type == "matrix":
        rules = features.get("rules") or []
        key["rules"] = sorted([r["attribute"], r["rule"]] for r in rules if r.get("rule") != "constant")
    return f"{model}|{json.dumps(key, sort_keys=True, separators=(',', ':'))}"


__all__ = ["STRUCTURAL_FEATURES", "family_key"]
