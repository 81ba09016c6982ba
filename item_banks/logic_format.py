"""Validation of logic bank files (format ``second-opinion/logic-bank``, versions 1 and 2).

Version 1 (the old starter bank) is checked for structure only. Version 2 items are also
checked for content by :mod:`item_banks.checks` (the answer is recomputed from the stem,
the rule or the logical form, never taken from the key), carry 3PL parameters, and an
operational bank is checked as a whole (size, shortcut rates, difficulty coverage).
See FORMAT.md.
"""

from __future__ import annotations

import functools
import json
from collections import Counter

from .schema import (
    BANK_STATUSES,
    IRT_SOURCES,
    ITEM_TYPES,
    ITEM_TYPES_V1,
    LOGIC_FORMAT,
    MATRIX_OPTIONS,
    MAX_OPTIONS,
    MAX_OPTIONS_V2,
    MIN_OPTIONS,
    _check_header,
)
from .validation import (
    LANGUAGE_NAMES,
    LANGUAGES,
    array_field,
    check_fields,
    check_text,
    duplicate_ids,
    is_int,
    json_type,
    non_empty_string,
    objects,
)

_LOGIC_TOP = {"format", "format_version", "bank_id", "version", "generator", "description", "items"}
_LOGIC_TOP_REQUIRED = _LOGIC_TOP - {"generator"}
_LOGIC_TOP_V2 = _LOGIC_TOP | {"irt", "status", "calibration"}
_LOGIC_TOP_REQUIRED_V2 = _LOGIC_TOP_REQUIRED | {"irt"}
_ITEM_FIELDS = {"id", "type", "practice", "stem", "options", "key", "explanation", "features"}
_ITEM_REQUIRED = {"id", "type", "practice", "stem", "options", "key"}
_ITEM_FIELDS_V2 = _ITEM_FIELDS | {"model", "figure", "structure", "irt", "pretest"}
_ITEM_REQUIRED_V2 = _ITEM_REQUIRED | {"model", "features", "irt"}
_IRT_TOP = {"model", "parameters", "difficulty_model", "note"}


def check_logic_bank(data: dict, name: str, *, require_size: bool | None = None) -> list[str]:
    """Problems in a parsed logic bank (see FORMAT.md).

    ``require_size``: apply the operational-bank checks (minimum sizes, shortcut rates,
    difficulty coverage); None = when the bank's ``status`` is ``"operational"``.
    """
    out: list[str] = []
    version = data.get("format_version")
    v2 = version == 2
    check_fields(data, _LOGIC_TOP_V2 if v2 else _LOGIC_TOP,
                 _LOGIC_TOP_REQUIRED_V2 if v2 else _LOGIC_TOP_REQUIRED, name, out)
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
            if "seed" in generator and not is_int(generator["seed"]):
                out.append(f"{name}: generator.seed must be an integer")

    irt_source = None
    if v2:
        irt_source = _check_irt_header(data.get("irt"), name, out)
        status = data.get("status", "draft")
        if status not in BANK_STATUSES:
            out.append(f"{name}: status must be one of {', '.join(BANK_STATUSES)}, not {status!r}")
        if require_size is None:
            require_size = status == "operational"
        if "calibration" in data and not isinstance(data["calibration"], dict):
            out.append(f"{name}: calibration must be an object")

    items = array_field(data, "items", name, out)
    if items is None:
        return out

    duplicate_ids(items, name, "item", out)

    n_operational = 0
    clean: list[dict] = []
    for _, where, item in objects(items, name, "item", out):
        before = len(out)
        _check_item(item, where, out, v2)
        if v2 and len(out) == before:
            _check_item_v2_content(item, where, out, irt_source, data.get("irt"))
            clean.append(item)
        if item.get("practice") is False and item.get("pretest") is not True:
            n_operational += 1
    if n_operational == 0:
        out.append(f"{name}: no operational (non-practice) items")
    if v2:
        from .checks import bank_problems

        for item_id, problem in bank_problems(clean, require_size=bool(require_size)):
            out.append(f"{name}: item {item_id}: {problem}" if item_id else f"{name}: {problem}")
    return out


def _check_irt_header(irt: object, name: str, out: list[str]) -> str | None:
    if irt is None:
        return None
    if not isinstance(irt, dict):
        out.append(f"{name}: irt must be an object")
        return None
    check_fields(irt, _IRT_TOP, _IRT_TOP, f"{name}: irt", out)
    if irt.get("model") != "3PL":
        out.append(f"{name}: irt.model must be \"3PL\", not {irt.get('model')!r}")
    source = irt.get("parameters")
    if source not in IRT_SOURCES:
        out.append(f"{name}: irt.parameters must be one of {', '.join(IRT_SOURCES)}, not {source!r}")
        source = None
    if not isinstance(irt.get("difficulty_model"), str) or not irt.get("difficulty_model"):
        out.append(f"{name}: irt.difficulty_model must be a non-empty string")
    if "note" in irt:
        check_text(irt["note"], name, "irt.note", out)
    return source


def _check_item(item: dict, where: str, out: list[str], v2: bool) -> None:
    check_fields(item, _ITEM_FIELDS_V2 if v2 else _ITEM_FIELDS,
                 _ITEM_REQUIRED_V2 if v2 else _ITEM_REQUIRED, where, out)
    if "id" in item and not non_empty_string(item["id"]):
        out.append(f"{where}: id must be a non-empty string")
    types = ITEM_TYPES if v2 else ITEM_TYPES_V1
    item_type = item.get("type")
    if "type" in item and item_type not in types:
        if item_type in ITEM_TYPES:
            out.append(f"{where}: item type {item_type!r} needs format_version 2")
        else:
            out.append(f"{where}: unknown item type {item_type!r} (known: {', '.join(types)})")
    practice = item.get("practice")
    if "practice" in item and not isinstance(practice, bool):
        out.append(f"{where}: practice must be true or false")
    if "pretest" in item and not isinstance(item["pretest"], bool):
        out.append(f"{where}: pretest must be true or false")
    if item.get("pretest") is True and practice is True:
        out.append(f"{where}: a practice item cannot be a pretest item")
    if "stem" in item:
        check_text(item["stem"], where, "stem", out)
    if v2 and "model" in item:
        model = item["model"]
        if not isinstance(model, str) or not model.startswith(f"{item_type}."):
            out.append(f"{where}: model must be a string \"{item_type}.<name>\", not {model!r}")
    if v2 and "figure" in item and not non_empty_string(item["figure"]):
        out.append(f"{where}: figure must be a non-empty SVG string")
    if v2 and item_type == "matrix" and "figure" not in item:
        out.append(f"{where}: matrix item needs a figure")

    options = item.get("options")
    n_options = None
    if "options" in item:
        if not isinstance(options, list):
            out.append(f"{where}: options must be an array")
        else:
            n_options = len(options)
            low, high = (MATRIX_OPTIONS, MATRIX_OPTIONS) if item_type == "matrix" else (
                MIN_OPTIONS, MAX_OPTIONS_V2 if v2 else MAX_OPTIONS)
            if not low <= n_options <= high:
                need = f"{low}" if low == high else f"{low}-{high}"
                out.append(f"{where}: {n_options} options (must be {need})")
            figures = v2 and any(isinstance(o, dict) and "svg" in o for o in options)
            if figures or item_type == "matrix":
                _check_figure_options(options, where, out)
            else:
                good = [o for i, o in enumerate(options) if check_text(o, where, f"option {i}", out)]
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
        if not is_int(key):
            out.append(f"{where}: key must be an integer option index, not {json_type(key)}")
        elif n_options is not None and not 0 <= key < n_options:
            out.append(f"{where}: key {key} out of range ({n_options} options)")

    if "explanation" in item:
        check_text(item["explanation"], where, "explanation", out)
    elif practice is True:
        out.append(f"{where}: practice item needs an explanation")
    if "features" in item and not isinstance(item["features"], dict):
        out.append(f"{where}: features must be an object")
    if "structure" in item and not isinstance(item["structure"], dict):
        out.append(f"{where}: structure must be an object")


def _check_figure_options(options: list, where: str, out: list[str]) -> None:
    seen: Counter = Counter()
    for i, option in enumerate(options):
        if not isinstance(option, dict) or set(option) != {"svg"}:
            out.append(f"{where}: option {i} must be a figure option {{\"svg\": \"...\"}} like the others")
        elif not non_empty_string(option["svg"]):
            out.append(f"{where}: option {i}: svg must be a non-empty string")
        else:
            seen[option["svg"].strip()] += 1
    for count in seen.values():
        if count > 1:
            out.append(f"{where}: figure options not distinct: the same figure appears {count} times")


@functools.lru_cache(maxsize=2048)
def _content_problems(item_json: str) -> tuple[str, ...]:
    """check_item on an item given as canonical JSON; cached, because re-validating an
    edited bank (or a test's broken copy) then only re-checks the items that changed."""
    from .checks import check_item

    return tuple(check_item(json.loads(item_json)))


def _check_item_v2_content(item: dict, where: str, out: list[str], irt_source: str | None, irt_top) -> None:
    """Recomputed answer, SVG markup and 3PL parameters of a structurally valid v2 item."""
    from .checks import check_irt
    from .difficulty import DIFFICULTY_MODEL_VERSION, apriori_parameters

    content = {k: v for k, v in item.items() if k != "irt"}
    out.extend(f"{where}: {p}" for p in _content_problems(json.dumps(content, sort_keys=True)))
    irt_problems = check_irt(item)
    out.extend(f"{where}: {p}" for p in irt_problems)
    if irt_problems or irt_source != "a-priori" or irt_top.get("difficulty_model") != DIFFICULTY_MODEL_VERSION:
        return
    try:
        expected = apriori_parameters(item)
    except (KeyError, TypeError, ValueError) as exc:
        out.append(f"{where}: features do not allow a-priori parameters: {exc}")
        return
    for k in ("a", "b", "c"):
        if abs(item["irt"][k] - expected[k]) > 1e-6:
            out.append(f"{where}: irt: {k} = {item['irt'][k]} but the a-priori difficulty model "
                       f"{DIFFICULTY_MODEL_VERSION} gives {expected[k]} (regenerate the bank)")
