"""Generate the logic bank ``data/logic_bank.json`` (format version 2).

::

    python -m item_banks.generate item_banks/data/logic_bank.json [--seed N]

The same seed always gives the same file, byte for byte (a test regenerates the shipped
bank and compares). Each item type draws from its own random stream
(``numpy.random.default_rng([seed, k])``), so changing one generator does not change the
items of the others. Items get a-priori 3PL parameters from
:func:`item_banks.difficulty.apriori_parameters`; the bank says so in ``irt``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .checks import (
    difficulty_report,
    format_difficulty_report,
    item_signatures,
    shortcut_rates,
)
from .difficulty import DIFFICULTY_MODEL_VERSION, apriori_parameters
from .generators import deductive, letter_series, number_series

GENERATOR_SEED = 20261126
BANK_ID = "logic-aig"
BANK_VERSION = "3.0.1"
#: operational items per type
N_PER_TYPE = 130
#: Item ids are never reused for other content, also not across bank versions (responses
#: and calibration data refer to items by id): major version 3 numbers its operational
#: items from 3001 (``NS-3001``) and its practice items from 31 (``NS-P31``).
OPERATIONAL_ID_START = 3001
PRACTICE_ID_START = 31

DESCRIPTION = {
    "sv": (
        "Uppgiftsbank för logiskt tänkande: talserier, bokstavsserier, figurmatriser och "
        "deduktiva slutledningar. Uppgifterna är egna, genererade från uppgiftsmodeller."
    ),
    "en": (
        "Item bank for logical reasoning: number series, letter series, figure matrices and "
        "deductive reasoning. The items are our own, generated from item models."
    ),
}
IRT_NOTE = {
    "sv": (
        "Parametrarna är a priori-förutsägelser från uppgifternas egenskaper (antal regler, "
        "regeltyp, antal premisser med mera), inte kalibrerade mot svarsdata. De ska ersättas "
        "av kalibrerade värden när tillräckligt många kandidater har svarat."
    ),
    "en": (
        "The parameters are a-priori predictions from the items' features (number of rules, "
        "rule type, number of premises and so on), not calibrated on response data. They are "
        "to be replaced by calibrated values once enough candidates have answered."
    ),
}

#: (item type, id prefix, random stream number)
_TYPES = (
    ("number_series", "NS", 1),
    ("letter_series", "LS", 2),
    ("matrix", "MX", 3),
    ("deductive", "DE", 4),
)
#: the practice set shown before the test: (type, number of items)
PRACTICE = (("number_series", 1), ("matrix", 1), ("deductive", 1))


def _matrix_module():
    """The matrix generator, or None while it is not available."""
    try:
        from .generators import matrix
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("item_banks"):
            return None
        raise
    return matrix


def _generators() -> dict[str, Any]:
    gens = {
        "number_series": (number_series.generate_number_series_items, number_series.MODEL_VERSION),
        "letter_series": (letter_series.generate_letter_series_items, letter_series.MODEL_VERSION),
        "deductive": (deductive.generate_deductive_items, deductive.MODEL_VERSION),
    }
    matrix = _matrix_module()
    if matrix is not None:
        gens["matrix"] = (matrix.generate_matrix_items, f"matrix-{matrix.MODEL_VERSION}")
    return gens


def _with_irt(item: dict[str, Any]) -> dict[str, Any]:
    return {**item, "irt": apriori_parameters(item)}


def generate_bank(seed: int = GENERATOR_SEED, *, n_per_type: int = N_PER_TYPE) -> dict[str, Any]:
    """The logic bank as a JSON-ready dict: practice items first, then the operational items."""
    gens = _generators()
    practice: list[dict[str, Any]] = []
    operational: list[dict[str, Any]] = []
    for item_type, prefix, stream in _TYPES:
        if item_type not in gens:
            continue
        make = gens[item_type][0]
        rng = np.random.default_rng([seed, stream])
        n_practice = dict(PRACTICE).get(item_type, 0)
        own_practice = (make(rng, n_practice, id_prefix=prefix, practice=True, start=PRACTICE_ID_START)
                        if n_practice else [])
        avoid = {sig for it in own_practice for sig in item_signatures(it)}
        kwargs = {"avoid": avoid} if item_type != "matrix" else {}
        items = make(rng, n_per_type, id_prefix=prefix, start=OPERATIONAL_ID_START, **kwargs)
        if item_type == "matrix":  # the matrix generator takes no avoid list: check here
            clash = avoid & {sig for it in items for sig in item_signatures(it)}
            if clash:
                raise RuntimeError(f"a matrix practice item repeats an operational item (seed {seed})")
        practice += own_practice
        operational += items
    versions = "+".join(gens[t][1] for t, _, _ in _TYPES if t in gens)
    return {
        "format": "second-opinion/logic-bank",
        "format_version": 2,
        "bank_id": BANK_ID,
        "version": BANK_VERSION,
        "status": "operational",
        "description": DESCRIPTION,
        "generator": {"module": "item_banks.generate", "version": versions, "seed": seed},
        "irt": {
            "model": "3PL",
            "parameters": "a-priori",
            "difficulty_model": DIFFICULTY_MODEL_VERSION,
            "note": IRT_NOTE,
        },
        "items": [_with_irt(item) for item in practice + operational],
    }


def dumps(bank: dict[str, Any]) -> str:
    """Canonical file text: pretty JSON, sorted keys, UTF-8 characters kept, trailing newline."""
    return json.dumps(bank, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m item_banks.generate", description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="where to write the bank JSON")
    parser.add_argument("--seed", type=int, default=GENERATOR_SEED, help=f"generator seed (default {GENERATOR_SEED})")
    parser.add_argument("--report", action="store_true", help="print the b distribution and shortcut rates")
    args = parser.parse_args(argv)
    bank = generate_bank(args.seed)
    args.output.write_text(dumps(bank), encoding="utf-8")
    if args.report:
        print(format_difficulty_report(difficulty_report(bank)))
        for name, rate in sorted(shortcut_rates(bank["items"]).items()):
            print(f"shortcut {name}: {rate:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
