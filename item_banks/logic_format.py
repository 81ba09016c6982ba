"""Validation of logic bank files (format ``second-opinion/logic-bank``)."""

from __future__ import annotations

from collections import Counter

from .schema import (
    ITEM_TYPES,
    LANGUAGE_NAMES,
    LOGIC_FORMAT,
    LANGUAGES,
    MAX_OPTIONS,
    MIN_OPTIONS,
    _check_fields,
    _check_header,
    _check_text,
    _is_int,
    _json_type,
    _label,
)

_LOGIC_TOP = {"format", "format_version", "bank_id", "version", "generator", "description", "items"}
_LOGIC_TOP_REQUIRED = _LOGIC_TOP - {"generator"}
_ITEM_FIELDS = {"id", "type", "practice", "stem", "options", "key", "explanation", "features"}
_ITEM_REQUIRED = {"id", "type", "practice", "stem", "options", "key"}

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
