"""Field checks shared by the validators of the project's JSON data files.

Bank and inventory files (:mod:`item_banks.schema` and its format modules) and, on the
web side, the report texts (``portal.report_texts``) and the API's request fields are
plain JSON checked field by field. The rules those checks share live here once: what
counts as a whole number (not ``true``), a finite number or a bilingual text; which
fields an object lacks or should not have; which ids repeat; how an entry of a list is
named in a message.

Most functions only *find*; each validator words its own messages, because tests, the
command line and the web forms show them to different readers. The helpers that do
append messages (:func:`check_fields`, :func:`check_text`, :func:`objects`,
:func:`array_field`, :func:`duplicate_ids`) write the wording of the bank and inventory
files.

Standard library only. ``norms`` and ``portal.competencies`` do not use it: their tests
hold them to the standard library (and numpy) alone, so they keep their own few checks.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

#: The languages every text in a data file has, in the order they are checked.
LANGUAGES = ("sv", "en")
LANGUAGE_NAMES = {"sv": "Swedish", "en": "English"}

#: Faults :func:`text_faults` reports for a bilingual text.
MISSING, NOT_STRING, EMPTY, UNKNOWN = "missing", "not a string", "empty", "unknown"


def is_int(value: Any) -> bool:
    """A whole number; ``bool`` is a subclass of ``int`` but ``true`` is not a count."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """A finite int or float (not a bool, not NaN or infinity)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def non_empty_string(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for messages ("array", "null", ...)."""
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


def missing_fields(obj: Mapping, required: Iterable[str]) -> list[str]:
    """The fields of ``required`` that ``obj`` lacks, in ``required``'s order."""
    return [key for key in required if key not in obj]


def unknown_fields(obj: Mapping, allowed: Iterable[str]) -> list[str]:
    """The fields of ``obj`` not in ``allowed``, in ``obj``'s order."""
    allowed = set(allowed)
    return [key for key in obj if key not in allowed]


def check_fields(obj: Mapping, allowed: Iterable[str], required: Iterable[str], where: str,
                 out: list[str]) -> None:
    """Report missing and unknown fields, each sorted: ``"<where>: missing field 'x'"``."""
    for key in sorted(missing_fields(obj, required)):
        out.append(f"{where}: missing field '{key}'")
    for key in sorted(unknown_fields(obj, allowed)):
        out.append(f"{where}: unknown field '{key}'")


def text_faults(value: Any) -> list[tuple[str, str]] | None:
    """What is wrong with a bilingual text ``{"sv": ..., "en": ...}``; ``[]`` when nothing.

    None when ``value`` is not an object at all. Otherwise ``(language, fault)`` pairs:
    first each of :data:`LANGUAGES` that is :data:`MISSING`, :data:`NOT_STRING` or
    :data:`EMPTY` (blank), then every other key as :data:`UNKNOWN`, sorted.
    """
    if not isinstance(value, Mapping):
        return None
    faults = []
    for lang in LANGUAGES:
        if lang not in value:
            faults.append((lang, MISSING))
        elif not isinstance(value[lang], str):
            faults.append((lang, NOT_STRING))
        elif not value[lang].strip():
            faults.append((lang, EMPTY))
    faults += [(key, UNKNOWN) for key in sorted((k for k in value if k not in LANGUAGES), key=str)]
    return faults


def language_label(lang: str) -> str:
    """``"Swedish text (sv)"``: how bank and inventory messages name one language's text."""
    return f"{LANGUAGE_NAMES[lang]} text ({lang})"


def check_text(value: Any, where: str, field: str, out: list[str]) -> bool:
    """Report the faults of a bilingual text in the bank and inventory wording; True if none."""
    faults = text_faults(value)
    if faults is None:
        out.append(f"{where}: {field} must be an object with texts for {', '.join(LANGUAGES)}")
        return False
    for lang, fault in faults:
        if fault == MISSING:
            out.append(f"{where}: {field}: missing {language_label(lang)}")
        elif fault == NOT_STRING:
            out.append(f"{where}: {field}: {language_label(lang)} must be a string")
        elif fault == EMPTY:
            out.append(f"{where}: {field}: empty {language_label(lang)}")
        else:
            out.append(f"{where}: {field}: unknown language '{lang}'")
    return not faults


def check_texts(obj: Mapping, fields: Iterable[str], where: str, out: list[str]) -> None:
    """:func:`check_text` on each of ``fields`` that ``obj`` has."""
    for field in fields:
        if field in obj:
            check_text(obj[field], where, field, out)


def label(obj: Any, index: int, kind: str) -> str:
    """``"item NS-001"`` for an entry with a string id, else ``"item #3"`` (1-based)."""
    if isinstance(obj, dict) and non_empty_string(obj.get("id")):
        return f"{kind} {obj['id']}"
    return f"{kind} #{index + 1}"


def objects(entries: list, name: str, kind: str, out: list[str]) -> Iterator[tuple[int, str, dict]]:
    """``(index, where, entry)`` for each object in ``entries``, ``where`` naming the file
    and the entry (:func:`label`); any other value is reported and skipped."""
    for index, entry in enumerate(entries):
        where = f"{name}: {label(entry, index, kind)}"
        if not isinstance(entry, dict):
            out.append(f"{where}: must be an object, not {json_type(entry)}")
            continue
        yield index, where, entry


def array_field(data: Mapping, field: str, name: str, out: list[str]) -> list | None:
    """``data[field]`` when it is an array; None when it is absent or (reported) not an array."""
    value = data.get(field)
    if field in data and not isinstance(value, list):
        out.append(f"{name}: {field} must be an array")
        return None
    return value if isinstance(value, list) else None


def duplicate_ids(entries: list, name: str, kind: str, out: list[str]) -> None:
    """Report every string ``id`` used by more than one object of ``entries``, sorted."""
    ids = Counter(e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str))
    for entry_id, count in sorted(ids.items()):
        if count > 1:
            out.append(f"{name}: {kind} {entry_id}: duplicate id (used {count} times)")
