"""Bank file formats: constants, JSON reading and validation.

Validation works on the parsed JSON (plain dicts and lists) and never raises on bad
content: it returns a list of problems, each naming the file, the item (or domain or
statement) and the problem, e.g.::

    logic_starter.json: item NS-004: key 7 out of range (4 options)

The formats themselves are documented in ``item_banks/FORMAT.md``.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

LANGUAGES = ("sv", "en")
LANGUAGE_NAMES = {"sv": "Swedish", "en": "English"}

LOGIC_FORMAT = "second-opinion/logic-bank"
INVENTORY_FORMAT = "second-opinion/inventory"
#: format name -> format versions this code can read
KNOWN_FORMATS = {LOGIC_FORMAT: (1,), INVENTORY_FORMAT: (1,)}

ITEM_TYPES = ("deductive", "letter_series", "number_series")
MIN_OPTIONS, MAX_OPTIONS = 4, 6

#: Big Five domain ids, in the order reports show them.
DOMAIN_IDS = ("ES", "EX", "OP", "AG", "CO")
KEYED_VALUES = {"+": 1, "-": -1}
MIN_REVERSE_SHARE = 0.40

_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")

_LOGIC_TOP = {"format", "format_version", "bank_id", "version", "generator", "description", "items"}
_LOGIC_TOP_REQUIRED = _LOGIC_TOP - {"generator"}
_ITEM_FIELDS = {"id", "type", "practice", "stem", "options", "key", "explanation", "features"}
_ITEM_REQUIRED = {"id", "type", "practice", "stem", "options", "key"}
_INV_TOP = {"format", "format_version", "inventory_id", "version", "description", "domains", "statements"}
_DOMAIN_FIELDS = {"id", "name", "high", "low"}
_STATEMENT_FIELDS = {"id", "domain", "keyed", "text"}


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
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [f"{name}: not valid UTF-8 (byte {exc.start})"]
    except OSError as exc:
        return None, [f"{name}: cannot read file: {exc.strerror or exc}"]
    try:
        data = json.loads(text, object_pairs_hook=pairs_hook)
    except json.JSONDecodeError as exc:
        return None, [f"{name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]
    return data, problems


def validate_file(path: str | os.PathLike) -> list[str]:
    """Problems in a bank or inventory file (empty list = valid). Never raises on bad content.

    The kind of file is detected from its ``"format"`` field.
    """
    data, problems = read_json(path)
    if data is None:
        return problems
    return problems + validate_data(data, Path(path).name)


def validate_data(data: Any, name: str) -> list[str]:
    """Problems in already parsed file content; ``name`` prefixes every message."""
    if not isinstance(data, dict):
        return [f"{name}: top level must be a JSON object, not {_json_type(data)}"]
    fmt = data.get("format")
    if fmt == LOGIC_FORMAT:
        return check_logic_bank(data, name)
    if fmt == INVENTORY_FORMAT:
        return check_inventory(data, name)
    known = ", ".join(sorted(KNOWN_FORMATS))
    return [f"{name}: unknown format {fmt!r} (expected one of: {known})"]


# --------------------------------------------------------------------------- helpers


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_fields(obj: dict, allowed: set[str], required: set[str], where: str, out: list[str]) -> None:
    for key in sorted(required - obj.keys()):
        out.append(f"{where}: missing field '{key}'")
    for key in sorted(obj.keys() - allowed):
        out.append(f"{where}: unknown field '{key}'")


def _check_text(value: Any, where: str, field: str, out: list[str]) -> bool:
    """A bilingual text: an object with a non-empty string for every language."""
    if not isinstance(value, dict):
        out.append(f"{where}: {field} must be an object with texts for {', '.join(LANGUAGES)}")
        return False
    ok = True
    for lang in LANGUAGES:
        text = value.get(lang)
        label = f"{LANGUAGE_NAMES[lang]} text ({lang})"
        if lang not in value:
            out.append(f"{where}: {field}: missing {label}")
            ok = False
        elif not isinstance(text, str):
            out.append(f"{where}: {field}: {label} must be a string")
            ok = False
        elif not text.strip():
            out.append(f"{where}: {field}: empty {label}")
            ok = False
    for lang in sorted(value.keys() - set(LANGUAGES)):
        out.append(f"{where}: {field}: unknown language '{lang}'")
        ok = False
    return ok


def _check_header(data: dict, id_field: str, fmt: str, name: str, out: list[str]) -> bool:
    """Common top-level checks; False when the format version is unknown (stop there)."""
    version = data.get("format_version")
    if "format_version" not in data:
        out.append(f"{name}: missing field 'format_version'")
        return False
    if not _is_int(version) or version not in KNOWN_FORMATS[fmt]:
        known = ", ".join(str(v) for v in KNOWN_FORMATS[fmt])
        out.append(f"{name}: unknown format_version {version!r} for {fmt} (known: {known})")
        return False
    if id_field in data and (not isinstance(data[id_field], str) or not data[id_field].strip()):
        out.append(f"{name}: {id_field} must be a non-empty string")
    if "version" in data and (not isinstance(data["version"], str) or not _VERSION_RE.match(data["version"])):
        out.append(f"{name}: version must be a string like \"1.0.0\", not {data['version']!r}")
    if "description" in data:
        _check_text(data["description"], name, "description", out)
    return True


def _label(obj: Any, index: int, kind: str) -> str:
    if isinstance(obj, dict) and isinstance(obj.get("id"), str) and obj["id"].strip():
        return f"{kind} {obj['id']}"
    return f"{kind} #{index + 1}"


# --------------------------------------------------------------------------- logic bank


def check_logic_bank(data: dict, name: str) -> list[str]:
    """Problems in a parsed logic bank (see FORMAT.md)."""
    out: list[str] = []
    _check_fields(data, _LOGIC_TOP, _LOGIC_TOP_REQUIRED, name, out)
    if not _check_header(data, "bank_id", LOGIC_FORMAT, name, out):
        return out

    generator = data.get("generator")
    if generator is not None:
        if not isinstance(generator, dict):
            out.append(f"{name}: generator must be an object")
        else:
            for key, check, what in (("module", str, "a string"), ("version", str, "a string")):
                if not isinstance(generator.get(key), check):
                    out.append(f"{name}: generator.{key} must be {what}")
            if "seed" in generator and not _is_int(generator["seed"]):
                out.append(f"{name}: generator.seed must be an integer")

    items = data.get("items")
    if "items" not in data:
        return out
    if not isinstance(items, list):
        out.append(f"{name}: items must be an array")
        return out

    ids = Counter(it["id"] for it in items if isinstance(it, dict) and isinstance(it.get("id"), str))
    for item_id, count in sorted(ids.items()):
        if count > 1:
            out.append(f"{name}: item {item_id}: duplicate id (used {count} times)")

    n_operational = 0
    for index, item in enumerate(items):
        where = f"{name}: {_label(item, index, 'item')}"
        if not isinstance(item, dict):
            out.append(f"{where}: must be an object, not {_json_type(item)}")
            continue
        _check_item(item, where, out)
        if item.get("practice") is False:
            n_operational += 1
    if n_operational == 0:
        out.append(f"{name}: no operational (non-practice) items")
    return out


def _check_item(item: dict, where: str, out: list[str]) -> None:
    _check_fields(item, _ITEM_FIELDS, _ITEM_REQUIRED, where, out)
    if "id" in item and (not isinstance(item["id"], str) or not item["id"].strip()):
        out.append(f"{where}: id must be a non-empty string")
    if "type" in item and item["type"] not in ITEM_TYPES:
        out.append(f"{where}: unknown item type {item['type']!r} (known: {', '.join(ITEM_TYPES)})")
    practice = item.get("practice")
    if "practice" in item and not isinstance(practice, bool):
        out.append(f"{where}: practice must be true or false")
    if "stem" in item:
        _check_text(item["stem"], where, "stem", out)

    options = item.get("options")
    n_options = None
    if "options" in item:
        if not isinstance(options, list):
            out.append(f"{where}: options must be an array")
        else:
            n_options = len(options)
            if not MIN_OPTIONS <= n_options <= MAX_OPTIONS:
                out.append(f"{where}: {n_options} options (must be {MIN_OPTIONS}-{MAX_OPTIONS})")
            good = [o for i, o in enumerate(options) if _check_text(o, where, f"option {i}", out)]
            if len(good) == len(options):
                for lang in LANGUAGES:
                    seen = Counter(o[lang].strip().casefold() for o in good)
                    for text, count in seen.items():
                        if count > 1:
                            out.append(
                                f"{where}: options not distinct in {LANGUAGE_NAMES[lang]} ({lang}):"
                                f" {text!r} appears {count} times"
                            )

    if "key" in item:
        key = item["key"]
        if not _is_int(key):
            out.append(f"{where}: key must be an integer option index, not {_json_type(key)}")
        elif n_options is not None and not 0 <= key < n_options:
            out.append(f"{where}: key {key} out of range ({n_options} options)")

    if "explanation" in item:
        _check_text(item["explanation"], where, "explanation", out)
    elif practice is True:
        out.append(f"{where}: practice item needs an explanation")
    if "features" in item and not isinstance(item["features"], dict):
        out.append(f"{where}: features must be an object")


# --------------------------------------------------------------------------- inventory


def check_inventory(data: dict, name: str) -> list[str]:
    """Problems in a parsed personality inventory (see FORMAT.md)."""
    out: list[str] = []
    _check_fields(data, _INV_TOP, _INV_TOP, name, out)
    if not _check_header(data, "inventory_id", INVENTORY_FORMAT, name, out):
        return out

    declared: list[str] = []
    domains = data.get("domains")
    if "domains" in data and not isinstance(domains, list):
        out.append(f"{name}: domains must be an array")
    elif isinstance(domains, list):
        for index, dom in enumerate(domains):
            where = f"{name}: {_label(dom, index, 'domain')}"
            if not isinstance(dom, dict):
                out.append(f"{where}: must be an object, not {_json_type(dom)}")
                continue
            _check_fields(dom, _DOMAIN_FIELDS, _DOMAIN_FIELDS, where, out)
            dom_id = dom.get("id")
            if "id" in dom and dom_id not in DOMAIN_IDS:
                out.append(f"{where}: unknown domain id {dom_id!r} (known: {', '.join(DOMAIN_IDS)})")
            elif dom_id in declared:
                out.append(f"{where}: duplicate domain id")
            elif dom_id is not None:
                declared.append(dom_id)
            for field in ("name", "high", "low"):
                if field in dom:
                    _check_text(dom[field], where, field, out)
        for dom_id in DOMAIN_IDS:
            if dom_id not in declared:
                out.append(f"{name}: domain {dom_id}: missing from domains")

    statements = data.get("statements")
    if "statements" not in data:
        return out
    if not isinstance(statements, list):
        out.append(f"{name}: statements must be an array")
        return out

    ids = Counter(s["id"] for s in statements if isinstance(s, dict) and isinstance(s.get("id"), str))
    for st_id, count in sorted(ids.items()):
        if count > 1:
            out.append(f"{name}: statement {st_id}: duplicate id (used {count} times)")

    keyed_by_domain: dict[str, list[int]] = {d: [] for d in declared}
    for index, st in enumerate(statements):
        where = f"{name}: {_label(st, index, 'statement')}"
        if not isinstance(st, dict):
            out.append(f"{where}: must be an object, not {_json_type(st)}")
            continue
        _check_fields(st, _STATEMENT_FIELDS, _STATEMENT_FIELDS, where, out)
        if "id" in st and (not isinstance(st["id"], str) or not st["id"].strip()):
            out.append(f"{where}: id must be a non-empty string")
        domain = st.get("domain")
        if "domain" in st and domain not in declared:
            out.append(f"{where}: unknown domain {domain!r}")
        keyed = st.get("keyed")
        if "keyed" in st and (not isinstance(keyed, str) or keyed not in KEYED_VALUES):
            out.append(f"{where}: keyed must be \"+\" or \"-\", not {keyed!r}")
        elif domain in keyed_by_domain and keyed in KEYED_VALUES:
            keyed_by_domain[domain].append(KEYED_VALUES[keyed])
        if "text" in st:
            _check_text(st["text"], where, "text", out)

    for dom_id, signs in keyed_by_domain.items():
        if not signs:
            out.append(f"{name}: domain {dom_id}: no statements")
            continue
        n_reverse = signs.count(-1)
        if n_reverse < MIN_REVERSE_SHARE * len(signs):
            out.append(
                f"{name}: domain {dom_id}: only {n_reverse} of {len(signs)} statements reverse-keyed"
                f" ({100 * n_reverse / len(signs):.0f} %), at least {100 * MIN_REVERSE_SHARE:.0f} % required"
            )
    return out
