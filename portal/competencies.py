"""The competency library and requirement-profile templates, shipped as data.

``portal/data/competencies.json`` holds the competencies a requirement profile is built
from (definition, behaviourally anchored levels 1-5, interview questions with STAR
probes, and the test scales that suggest what to probe); ``portal/data/
profile_templates.json`` holds starting points for common roles. The formats and the
reasoning behind the scale links are described in ``docs/competencies.md``.

Standard library only (no Flask, no SQLAlchemy), so the library can be validated,
tested and reused without the web app. Files are validated completely before anything
is built: a broken file raises one :class:`LibraryError` listing every problem, each
naming the file, the competency (or template) and the problem, e.g.::

    competencies.json: competency drive: indicators: level 6 is not allowed (levels are 1-5)
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_LIBRARY = DATA_DIR / "competencies.json"
DEFAULT_TEMPLATES = DATA_DIR / "profile_templates.json"

LIBRARY_FORMAT = "second-opinion/competencies"
TEMPLATES_FORMAT = "second-opinion/profile-templates"
FORMAT_VERSION = 1

LANGUAGES = ("sv", "en")
LEVELS = (1, 2, 3, 4, 5)
MIN_QUESTIONS, MAX_QUESTIONS = 4, 6
MIN_PROBES, MAX_PROBES = 3, 4
#: Scale links per competency. None is allowed: some competencies (integrity) have no
#: scale that research ties to them.
MAX_SCALES = 3
MIN_TEMPLATE_COMPETENCIES, MAX_TEMPLATE_COMPETENCIES = 5, 8
WEIGHT_RANGE = (1, 5)
#: Same bounds as the ``logic_min`` check constraint on ``requirement_profile``.
PERCENTILE_RANGE = (1, 99)
#: Consultant-made competencies live in the database under keys with this prefix, so
#: they can never collide with (or shadow) a shipped key.
CUSTOM_PREFIX = "custom."
#: Keys are stored in ``competency.key`` / ``profile_competency.competency_key`` (80).
MAX_KEY_LENGTH = 80

_DOMAINS = ("ES", "EX", "OP", "AG", "CO")
_FACETS = {
    "ES": ("composure", "recovery", "assurance", "temper"),
    "EX": ("sociability", "contacts", "lead", "energy"),
    "OP": ("ideas", "change", "creativity", "aesthetics"),
    "AG": ("trust", "cooperation", "consideration", "modesty"),
    "CO": ("order", "dependability", "drive", "discipline"),
}
#: Test scales a competency may link to: the logic test's ability estimate and the
#: personality inventory's domains and facets (ids as in item_banks/data/big5_work.json).
ALLOWED_SCALES: frozenset[str] = frozenset(
    ["logic.theta"]
    + [f"personality.{d}" for d in _DOMAINS]
    + [f"personality.{d}.{f}" for d in _DOMAINS for f in _FACETS[d]]
)

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_CUSTOM_KEY_RE = re.compile(r"^custom\.[a-z][a-z0-9_]*$")
_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")

_COMPETENCY_FIELDS = ("key", "name", "definition", "indicators", "questions", "scales")
_QUESTION_FIELDS = ("question", "probes")
_SCALE_FIELDS = ("scale", "direction", "why", "validity")
_TEMPLATE_FIELDS = ("key", "name", "description", "competencies", "logic_min_percentile")
_ITEM_FIELDS = ("key", "weight", "target_level", "must")


class LibraryError(ValueError):
    """A competency library or template file that cannot be used.

    ``problems`` lists every problem found, each naming the file, the competency or
    template key and the problem.
    """

    def __init__(self, problems: list[str] | tuple[str, ...]):
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Question:
    """A behavioural (past-situation) question; ``text`` and each probe are {sv, en}."""

    text: Mapping[str, str]
    probes: tuple[Mapping[str, str], ...]


@dataclass(frozen=True)
class ScaleLink:
    """A test scale that suggests what to probe for a competency.

    ``direction`` is +1 when a high score points towards the competency, -1 when a low
    one does. A link is a direction to explore in the interview, never a prediction.
    ``why`` is empty for a consultant-made competency that gave no reason. ``validity``
    (optional, in (0, 1)): how well the scale predicts this competency, for the
    synthesis model; None means the instrument's default (``portal.synthesis.Params``,
    ``docs/synthesis.md``).
    """

    scale: str
    direction: int
    why: Mapping[str, str]
    validity: float | None = None


@dataclass(frozen=True)
class Competency:
    """One competency. ``indicators`` maps each level 1-5 to its {sv, en} anchor."""

    key: str
    name: Mapping[str, str]
    definition: Mapping[str, str]
    indicators: Mapping[int, Mapping[str, str]]
    questions: tuple[Question, ...]
    scales: tuple[ScaleLink, ...]
    custom: bool = False


@dataclass(frozen=True)
class TemplateItem:
    """A competency in a profile template: weight 1-5, target level 1-5, must-have."""

    key: str
    weight: int
    target_level: int
    must: bool


@dataclass(frozen=True)
class ProfileTemplate:
    key: str
    name: Mapping[str, str]
    description: Mapping[str, str]
    competencies: tuple[TemplateItem, ...]
    logic_min_percentile: int | None


def localized(value: Mapping[str, str] | None, lang: str) -> str:
    """The ``lang`` text of a bilingual library text ({"sv": ..., "en": ...}, as in the
    competency library and the inventory's scales), else the Swedish, else the English
    one; "" for none."""
    if not value:
        return ""
    return str(value.get(lang) or value.get("sv") or value.get("en") or "")


# --------------------------------------------------------------------------- reading


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(f"duplicate JSON key {key!r}")
        result[key] = value
    return result


def _read_json(path: Path) -> Any:
    """Parse ``path``; duplicate keys in one object are an error (json keeps the last)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LibraryError([f"{path.name}: cannot read file: {exc.strerror or exc}"]) from exc
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        raise LibraryError([f"{path.name}: {exc}"]) from exc
    except json.JSONDecodeError as exc:
        raise LibraryError([f"{path.name}: not valid JSON: {exc}"]) from exc


def _file_state(path: Path) -> tuple[str, int, int]:
    """Cache key: the resolved path plus mtime and size, so an edited file is reloaded."""
    try:
        st = path.stat()
    except OSError as exc:
        raise LibraryError([f"{path.name}: cannot read file: {exc.strerror or exc}"]) from exc
    return str(path), st.st_mtime_ns, st.st_size


# ------------------------------------------------------------------------ validation


def _is_int(value: Any) -> bool:
    # bool is a subclass of int; ``true`` is not a weight or a direction.
    return isinstance(value, int) and not isinstance(value, bool)


def _check_fields(data: Mapping, fields: tuple[str, ...], where: str, problems: list[str],
                  optional: tuple[str, ...] = ()) -> None:
    for field in fields:
        if field not in data and field not in optional:
            problems.append(f"{where}missing field {field!r}")
    for field in data:
        if field not in fields:
            problems.append(f"{where}unknown field {field!r}")


def _check_text(value: Any, where: str, problems: list[str]) -> None:
    """A bilingual text: exactly ``sv`` and ``en``, both non-empty strings."""
    if not isinstance(value, Mapping):
        problems.append(f"{where}: must be an object with 'sv' and 'en' texts")
        return
    for lang in LANGUAGES:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: {lang} text missing or empty")
    for lang in value:
        if lang not in LANGUAGES:
            problems.append(f"{where}: unknown language {lang!r}")


def _sized_list(value: Any, what: str, low: int, high: int, prefix: str, problems: list[str]) -> list:
    """``value`` when it is a list (its length out of ``low``-``high`` is reported); else
    (reported) an empty list, so there are no entries to check."""
    if not isinstance(value, list):
        problems.append(f"{prefix}{what} must be a list")
        return []
    if not low <= len(value) <= high:
        problems.append(f"{prefix}{len(value)} {what}, {low}-{high} required")
    return value


def _known_once(value: Any, known: frozenset | set, seen: set) -> str | None:
    """Why ``value`` cannot stand here: "unknown" (not in ``known``) or "repeated" (in
    ``seen``); None when it can. ``value`` is added to ``seen`` either way."""
    fault = "unknown" if value not in known else "repeated" if value in seen else None
    seen.add(value)
    return fault


def _level_key(raw: Any) -> int | None:
    """Level keys are "1".."5" in JSON; a form may hand over ints."""
    if _is_int(raw):
        return raw
    if isinstance(raw, str) and raw.isdigit():
        return int(raw)
    return None


def _competency_problems(data: Any, *, custom: bool) -> list[str]:
    """Problems of one competency dict, each prefixed with the field it concerns."""
    if not isinstance(data, Mapping):
        return ["must be an object"]
    problems: list[str] = []
    _check_fields(data, _COMPETENCY_FIELDS, "", problems)

    key = data.get("key")
    if "key" in data:
        if custom:
            if not isinstance(key, str) or not _CUSTOM_KEY_RE.match(key):
                problems.append(
                    f"key: {key!r} must start with {CUSTOM_PREFIX!r} followed by lower-case "
                    "letters, digits or '_' (e.g. 'custom.safety_culture')"
                )
        elif not isinstance(key, str) or not _KEY_RE.match(key):
            problems.append(f"key: {key!r} must be lower-case letters, digits or '_', "
                            "starting with a letter")
        if isinstance(key, str) and len(key) > MAX_KEY_LENGTH:
            problems.append(f"key: longer than {MAX_KEY_LENGTH} characters")

    for field in ("name", "definition"):
        if field in data:
            _check_text(data[field], field, problems)

    if "indicators" in data:
        indicators = data["indicators"]
        if not isinstance(indicators, Mapping):
            problems.append("indicators: must be an object with levels '1'-'5'")
        else:
            seen = set()
            for raw, text in indicators.items():
                level = _level_key(raw)
                if level not in LEVELS:
                    problems.append(f"indicators: level {raw} is not allowed (levels are 1-5)")
                    continue
                if level in seen:
                    problems.append(f"indicators: level {level} given twice")
                seen.add(level)
                _check_text(text, f"indicators: level {level}", problems)
            for level in LEVELS:
                if level not in seen:
                    problems.append(f"indicators: level {level} missing")

    if "questions" in data:
        questions = data["questions"]
        if not isinstance(questions, list):
            problems.append("questions: must be a list")
        else:
            if not MIN_QUESTIONS <= len(questions) <= MAX_QUESTIONS:
                problems.append(f"questions: {len(questions)} questions, "
                                f"{MIN_QUESTIONS}-{MAX_QUESTIONS} required")
            seen_texts: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
            for n, question in enumerate(questions, start=1):
                where = f"question {n}"
                if not isinstance(question, Mapping):
                    problems.append(f"{where}: must be an object")
                    continue
                _check_fields(question, _QUESTION_FIELDS, f"{where}: ", problems)
                if "question" in question:
                    _check_text(question["question"], where, problems)
                    text = question["question"]
                    if isinstance(text, Mapping):
                        for lang in LANGUAGES:
                            norm = " ".join(str(text.get(lang, "")).lower().split())
                            if norm and norm in seen_texts[lang]:
                                problems.append(f"{where}: same {lang} text as an earlier question")
                            seen_texts[lang].add(norm)
                if "probes" not in question:
                    continue
                probes = _sized_list(question["probes"], "probes", MIN_PROBES, MAX_PROBES, f"{where}: ", problems)
                for m, probe in enumerate(probes, start=1):
                    _check_text(probe, f"{where}: probe {m}", problems)

    if "scales" in data:
        scales = data["scales"]
        if not isinstance(scales, list):
            problems.append("scales: must be a list")
        else:
            if len(scales) > MAX_SCALES:
                problems.append(f"scales: {len(scales)} scale links, at most {MAX_SCALES}")
            seen_scales = set()
            for n, link in enumerate(scales, start=1):
                where = f"scale link {n}"
                if not isinstance(link, Mapping):
                    problems.append(f"{where}: must be an object")
                    continue
                # A consultant may link a scale without writing a reason; the shipped
                # library always says why.
                _check_fields(link, _SCALE_FIELDS, f"{where}: ", problems,
                              optional=("why", "validity") if custom else ("validity",))
                scale = link.get("scale")
                if "scale" in link and (fault := _known_once(scale, ALLOWED_SCALES, seen_scales)):
                    problems.append(f"{where}: unknown scale {scale!r}" if fault == "unknown"
                                    else f"{where}: scale {scale!r} linked twice")
                direction = link.get("direction")
                if "direction" in link and not (_is_int(direction) and direction in (1, -1)):
                    problems.append(f"{where}: direction {direction!r} must be 1 or -1")
                if "why" in link:
                    _check_text(link["why"], f"{where}: why", problems)
                validity = link.get("validity")
                if "validity" in link and not (isinstance(validity, (int, float)) and not isinstance(validity, bool)
                                               and 0 < validity < 1):
                    problems.append(f"{where}: validity {validity!r} must be a number between 0 and 1")
    return problems


def _text(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType({lang: value[lang] for lang in LANGUAGES})


def _build_competency(data: Mapping, *, custom: bool) -> Competency:
    """Build from a dict that has passed :func:`_competency_problems`."""
    indicators = {_level_key(k): _text(v) for k, v in data["indicators"].items()}
    return Competency(
        key=data["key"],
        name=_text(data["name"]),
        definition=_text(data["definition"]),
        indicators=MappingProxyType({level: indicators[level] for level in LEVELS}),
        questions=tuple(
            Question(text=_text(q["question"]), probes=tuple(_text(p) for p in q["probes"]))
            for q in data["questions"]
        ),
        scales=tuple(
            ScaleLink(scale=s["scale"], direction=s["direction"],
                      why=_text(s["why"]) if "why" in s else MappingProxyType({}),
                      validity=float(s["validity"]) if "validity" in s else None)
            for s in data["scales"]
        ),
        custom=custom,
    )


def _check_header(data: Mapping, fmt: str, list_field: str, name: str,
                  problems: list[str]) -> None:
    _check_fields(data, ("format", "format_version", "version", list_field), f"{name}: ",
                  problems)
    if "format" in data and data["format"] != fmt:
        problems.append(f"{name}: format {data['format']!r}, expected {fmt!r}")
    if "format_version" in data and not (
        _is_int(data["format_version"]) and data["format_version"] == FORMAT_VERSION
    ):
        problems.append(f"{name}: format_version {data['format_version']!r} "
                        f"not supported (this code reads {FORMAT_VERSION})")
    if "version" in data and not (
        isinstance(data["version"], str) and _VERSION_RE.match(data["version"])
    ):
        problems.append(f"{name}: version {data['version']!r} must look like 1.0.0")


def _entries(data: Any, fmt: str, list_field: str, name: str, problems: list[str]) -> list:
    """Check a library or templates file's top level; its entries to check one by one
    (none when the top level or the list itself is wrong)."""
    if not isinstance(data, Mapping):
        problems.append(f"{name}: top level must be an object")
        return []
    _check_header(data, fmt, list_field, name, problems)
    entries = data.get(list_field)
    if list_field in data and (not isinstance(entries, list) or not entries):
        problems.append(f"{name}: {list_field} must be a non-empty list")
        return []
    return entries or []


# -------------------------------------------------------------------------- library


def validate_library_data(data: Any, name: str = "competencies.json") -> list[str]:
    """Every problem in parsed library JSON; ``[]`` when it is valid."""
    problems: list[str] = []
    seen: set[str] = set()
    for n, entry in enumerate(_entries(data, LIBRARY_FORMAT, "competencies", name, problems), start=1):
        key = entry.get("key") if isinstance(entry, Mapping) else None
        label = f"competency {key}" if isinstance(key, str) and key else f"competency #{n}"
        for problem in _competency_problems(entry, custom=False):
            problems.append(f"{name}: {label}: {problem}")
        if isinstance(key, str):
            if key in seen:
                problems.append(f"{name}: {label}: duplicate key")
            seen.add(key)
    return problems


@functools.lru_cache(maxsize=16)
def _load_library_cached(path: str, mtime_ns: int, size: int) -> Mapping[str, Competency]:
    file = Path(path)
    data = _read_json(file)
    problems = validate_library_data(data, file.name)
    if problems:
        raise LibraryError(problems)
    return MappingProxyType({
        entry["key"]: _build_competency(entry, custom=False) for entry in data["competencies"]
    })


def load_library(path: str | os.PathLike | None = None) -> dict[str, Competency]:
    """The competency library, key -> :class:`Competency`, in file order.

    Cached per file (reloaded when the file changes); raises :class:`LibraryError`
    listing every problem when the file is invalid.
    """
    file = Path(path).resolve() if path is not None else DEFAULT_LIBRARY
    return dict(_load_library_cached(*_file_state(file)))


def validate_custom(data: Mapping) -> list[str]:
    """Problems with a consultant-made competency dict (same shape as a library entry,
    key starting with ``custom.``, ``why`` optional on scale links); ``[]`` when valid.

    Messages name the field, e.g. ``"questions: 3 questions, 4-6 required"``, so the web
    form can show them next to the input.
    """
    return _competency_problems(data, custom=True)


def custom_competency(data: Mapping) -> Competency:
    """A :class:`Competency` (``custom=True``) from a consultant-made dict.

    Raises :class:`LibraryError` with the problems from :func:`validate_custom`.
    """
    problems = validate_custom(data)
    if problems:
        key = data.get("key") if isinstance(data, Mapping) else None
        raise LibraryError([f"competency {key}: {p}" for p in problems])
    return _build_competency(data, custom=True)


# ------------------------------------------------------------------------ templates


def validate_templates_data(data: Any, library_keys: frozenset[str] | set[str],
                            name: str = "profile_templates.json") -> list[str]:
    """Every problem in parsed template JSON checked against ``library_keys``."""
    problems: list[str] = []
    seen: set[str] = set()
    for n, entry in enumerate(_entries(data, TEMPLATES_FORMAT, "templates", name, problems), start=1):
        key = entry.get("key") if isinstance(entry, Mapping) else None
        label = f"{name}: template {key if isinstance(key, str) and key else f'#{n}'}: "
        if not isinstance(entry, Mapping):
            problems.append(f"{label}must be an object")
            continue
        _check_fields(entry, _TEMPLATE_FIELDS, label, problems)
        if "key" in entry:
            if not isinstance(key, str) or not _KEY_RE.match(key):
                problems.append(f"{label}key {key!r} must be lower-case letters, digits or '_'")
            elif key in seen:
                problems.append(f"{label}duplicate key")
            else:
                seen.add(key)
        for field in ("name", "description"):
            if field in entry:
                _check_text(entry[field], f"{label}{field}", problems)
        if "logic_min_percentile" in entry:
            pct = entry["logic_min_percentile"]
            low, high = PERCENTILE_RANGE
            if pct is not None and not (_is_int(pct) and low <= pct <= high):
                problems.append(f"{label}logic_min_percentile {pct!r} must be null or "
                                f"an integer {low}-{high}")
        if "competencies" not in entry:
            continue
        items = _sized_list(entry["competencies"], "competencies", MIN_TEMPLATE_COMPETENCIES,
                            MAX_TEMPLATE_COMPETENCIES, label, problems)
        used: set[str] = set()
        for m, item in enumerate(items, start=1):
            if not isinstance(item, Mapping):
                problems.append(f"{label}competency #{m}: must be an object")
                continue
            ckey = item.get("key")
            where = f"{label}competency {ckey if isinstance(ckey, str) else f'#{m}'}: "
            _check_fields(item, _ITEM_FIELDS, where, problems)
            if "key" in item and (fault := _known_once(ckey, library_keys, used)):
                problems.append(f"{where}not in the competency library" if fault == "unknown"
                                else f"{where}listed twice")
            for field in ("weight", "target_level"):
                if field in item:
                    value = item[field]
                    if not (_is_int(value) and 1 <= value <= 5):
                        problems.append(f"{where}{field} {value!r} must be an integer 1-5")
            if "must" in item and not isinstance(item["must"], bool):
                problems.append(f"{where}must {item['must']!r} must be true or false")
    return problems


@functools.lru_cache(maxsize=16)
def _load_templates_cached(path: str, mtime_ns: int, size: int,
                           library_keys: frozenset[str]) -> Mapping[str, ProfileTemplate]:
    file = Path(path)
    data = _read_json(file)
    problems = validate_templates_data(data, library_keys, file.name)
    if problems:
        raise LibraryError(problems)
    return MappingProxyType({
        t["key"]: ProfileTemplate(
            key=t["key"],
            name=_text(t["name"]),
            description=_text(t["description"]),
            competencies=tuple(
                TemplateItem(key=i["key"], weight=i["weight"],
                             target_level=i["target_level"], must=i["must"])
                for i in t["competencies"]
            ),
            logic_min_percentile=t["logic_min_percentile"],
        )
        for t in data["templates"]
    })


def load_templates(path: str | os.PathLike | None = None,
                   library: Mapping[str, Competency] | None = None) -> dict[str, ProfileTemplate]:
    """Profile templates, key -> :class:`ProfileTemplate`, in file order.

    Every competency key must exist in ``library`` (default: the shipped library).
    Cached per file and library; raises :class:`LibraryError` when invalid.
    """
    file = Path(path).resolve() if path is not None else DEFAULT_TEMPLATES
    if library is None:
        library = load_library()
    return dict(_load_templates_cached(*_file_state(file), frozenset(library)))
