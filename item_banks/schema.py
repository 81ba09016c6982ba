"""Bank file formats: constants, JSON reading and validation.

Validation works on the parsed JSON (plain dicts and lists) and never raises on bad
content: it returns a list of problems, each naming the file, the item (or domain or
statement) and the problem, e.g.::

    logic_bank.json: item NS-3004: key 9 out of range (8 options)

The formats themselves are documented in ``item_banks/FORMAT.md``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from .validation import LANGUAGES, check_text, is_int, json_type, non_empty_string

LOGIC_FORMAT = "second-opinion/logic-bank"
INVENTORY_FORMAT = "second-opinion/inventory"
#: format name -> format versions this code can read
KNOWN_FORMATS = {LOGIC_FORMAT: (1, 2), INVENTORY_FORMAT: (1,)}

ITEM_TYPES = ("deductive", "letter_series", "matrix", "number_series")
#: item types a format-version-1 logic bank may hold (it has no figures)
ITEM_TYPES_V1 = ("deductive", "letter_series", "number_series")
#: number of options per item: format version 1 allows 4-6, version 2 allows 4-8
MIN_OPTIONS, MAX_OPTIONS = 4, 6
MAX_OPTIONS_V2 = 8
MATRIX_OPTIONS = 8

#: Plausible ranges of 3PL parameters (a discrimination, b difficulty on the theta
#: scale); c must be 1 / number of options (a-priori guessing).
IRT_A_RANGE = (0.3, 3.0)
IRT_B_RANGE = (-4.0, 4.0)
IRT_SOURCES = ("a-priori", "calibrated")

#: An operational logic bank (``"status": "operational"``, format version 2) needs at
#: least this many operational items of each type and in total (enough for adaptive
#: testing with exposure control; see FORMAT.md).
MIN_ITEMS_PER_TYPE = 80
MIN_OPERATIONAL_ITEMS = 400
#: Highest allowed rate at which the "middle option" / "option closest to the options'
#: mean" strategies find the key of a series item (checks.series_shortcut_rates; chance
#: with the 8 options of series items: 0.125, so 0.20 is 1.6 x chance, as 0.30 was with
#: 5 options, and about 2.6 standard errors above chance for 130 items), and the
#: highest allowed share of matrix items that matrix_check.shortcut_rate finds by a
#: shortcut (chance with 8 options: 0.125).
SERIES_SHORTCUT_MAX = 0.20
MATRIX_SHORTCUT_MAX = 0.25
BANK_STATUSES = ("draft", "operational")

#: Big Five domain ids, in the order reports show them.
DOMAIN_IDS = ("ES", "EX", "OP", "AG", "CO")
KEYED_VALUES = {"+": 1, "-": -1}
MIN_REVERSE_SHARE = 0.40

_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")



class BankError(ValueError):
    """A bank or inventory file that cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def read_json(path: str | os.PathLike) -> tuple[Any, list[str]]:
    """Parse a JSON file; return ``(data, problems)``. ``data`` is None when unreadable.

    Duplicate keys inside one JSON object are reported (``json`` would silently keep the
    last one, hiding e.g. a second ``"key"`` typed into an item).
    """
    name = Path(path).name
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [f"{name}: not valid UTF-8 (byte {exc.start})"]
    except OSError as exc:
        return None, [f"{name}: cannot read file: {exc.strerror or exc}"]
    return parse_json(text, name)


def parse_json(text: str, name: str) -> tuple[Any, list[str]]:
    """Parse JSON text as ``read_json`` parses a file (``name`` prefixes the problems)."""
    problems: list[str] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        duplicates: list[str] = []
        for k, v in pairs:
            if k in obj and k not in duplicates:
                duplicates.append(k)
            obj[k] = v
        owner = f"{obj['id']}: " if isinstance(obj.get("id"), str) else ""
        problems.extend(f"{name}: {owner}duplicate field '{k}'" for k in duplicates)
        return obj

    try:
        data = json.loads(text, object_pairs_hook=pairs_hook)
    except json.JSONDecodeError as exc:
        return None, [f"{name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]
    return data, problems


# --------------------------------------------------------------------------- helpers


def _check_header(data: dict, id_field: str, fmt: str, name: str, out: list[str]) -> bool:
    """Common top-level checks; False when the format version is unknown (stop there)."""
    version = data.get("format_version")
    if "format_version" not in data:
        out.append(f"{name}: missing field 'format_version'")
        return False
    if not is_int(version) or version not in KNOWN_FORMATS[fmt]:
        known = ", ".join(str(v) for v in KNOWN_FORMATS[fmt])
        out.append(f"{name}: unknown format_version {version!r} for {fmt} (known: {known})")
        return False
    if id_field in data and not non_empty_string(data[id_field]):
        out.append(f"{name}: {id_field} must be a non-empty string")
    if "version" in data and (not isinstance(data["version"], str) or not _VERSION_RE.match(data["version"])):
        out.append(f"{name}: version must be a string like \"1.0.0\", not {data['version']!r}")
    if "description" in data:
        check_text(data["description"], name, "description", out)
    return True


# Inventory format version 2 (facets, validity statements): see item_banks/INVENTORY.md.
KNOWN_FORMATS[INVENTORY_FORMAT] = (1, 2)
