"""Load validated bank files into immutable objects.

A file is validated completely before anything is built: a bank with problems raises one
:class:`~item_banks.schema.BankError` listing all of them, so whoever edits a bank by hand
sees every mistake at once. ``validate_file``/``validate_data`` list those problems
without raising, handing each file to the checks of its format (logic bank or inventory).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .inventory_format import check_inventory
from .logic_format import check_logic_bank
from .schema import (
    INVENTORY_FORMAT,
    KNOWN_FORMATS,
    LANGUAGES,
    LOGIC_FORMAT,
    BankError,
    parse_json,
    read_json,
)
from .validation import json_type

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_LOGIC_BANK = DATA_DIR / "logic_bank.json"
#: letters shown for figure options (and returned by ``option_texts`` for them)
OPTION_LETTERS = "ABCDEFGH"


def _freeze(value: Any) -> Any:
    """Read-only view of parsed JSON: objects become mapping proxies, arrays tuples."""
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (known: {', '.join(LANGUAGES)})")
    return lang


@dataclass(frozen=True)
class LogicItem:
    """One multiple-choice item. ``key`` is the 0-based index of the correct option.

    Options are either bilingual texts (``{"sv": ..., "en": ...}``) or figures
    (``{"svg": ...}``, matrix items, which also have a ``figure``). ``irt`` holds the 3PL
    parameters ``a``, ``b``, ``c`` (None in format-version-1 banks); ``model`` names the
    item model (``"number_series.ratio"``; None in version 1).
    """

    id: str
    type: str
    stem: Mapping[str, str]
    options: tuple[Mapping[str, str], ...]
    key: int
    practice: bool
    explanation: Mapping[str, str] | None
    features: Mapping[str, Any]
    model: str | None = None
    figure: str | None = None
    irt: Mapping[str, float] | None = None
    structure: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    #: A pretest item: given unscored to collect responses until it can be calibrated.
    pretest: bool = False

    def stem_text(self, lang: str) -> str:
        return self.stem[_check_lang(lang)]

    @property
    def is_figure_item(self) -> bool:
        """True when the options are figures (SVG) rather than texts."""
        return any("svg" in option for option in self.options)

    def option_texts(self, lang: str) -> list[str]:
        """Option texts in ``lang``; for figure options their letters ``A``, ``B``, ... so
        text-only callers still work (render :meth:`option_svgs` to show the figures)."""
        _check_lang(lang)
        if self.is_figure_item:
            return list(OPTION_LETTERS[: len(self.options)])
        return [option[lang] for option in self.options]

    def option_svgs(self) -> list[str]:
        """SVG markup of each figure option; ValueError for an item with text options."""
        if not self.is_figure_item:
            raise ValueError(f"item {self.id} has text options, not figures")
        return [option["svg"] for option in self.options]

    def is_correct(self, index: int) -> bool:
        return index == self.key


@dataclass(frozen=True)
class LogicBank:
    """A validated logic bank: operational ``items``, untimed ``practice`` items and
    unscored ``pretest`` items (never in ``items``: the adaptive test does not select them)."""

    bank_id: str
    version: str
    path: Path
    items: tuple[LogicItem, ...]
    practice: tuple[LogicItem, ...]
    description: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: file format version (1 or 2)
    format_version: int = 1
    #: where the items' 3PL parameters come from: "a-priori" (predicted from item
    #: features), "calibrated", or None (format version 1: no parameters)
    irt_source: str | None = None
    #: version of item_banks.difficulty that predicted a-priori parameters
    difficulty_model: str | None = None
    pretest: tuple[LogicItem, ...] = ()
    #: Sympson-Hetter parameters stored with a bank version kept outside a file (the
    #: ``item_banks.adaptive`` exposure document); None: looked up beside ``path``.
    exposure: Mapping[str, Any] | None = None
    _by_id: Mapping[str, LogicItem] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = {item.id: item for item in self.practice + self.items + self.pretest}
        object.__setattr__(self, "_by_id", MappingProxyType(by_id))

    def get(self, item_id: str) -> LogicItem:
        """Operational or practice item by id; KeyError if the bank has no such item."""
        try:
            return self._by_id[item_id]
        except KeyError:
            raise KeyError(f"{self.bank_id}: no item {item_id!r}") from None

    @property
    def types(self) -> tuple[str, ...]:
        """Sorted item types of the operational items."""
        return tuple(sorted({item.type for item in self.items}))


def validate_file(path: str | os.PathLike, *, require_size: bool | None = None) -> list[str]:
    """Problems in a bank or inventory file (empty list = valid). Never raises on bad content.

    The kind of file is detected from its ``"format"`` field. ``require_size`` applies to
    logic banks: True/False switches the operational-bank checks (minimum sizes, shortcut
    rates, difficulty coverage) on/off; None (default) applies them when the bank says
    ``"status": "operational"``.
    """
    data, problems = read_json(path)
    if data is None:
        return problems
    return problems + validate_data(data, Path(path).name, require_size=require_size)


def validate_data(data: Any, name: str, *, require_size: bool | None = None) -> list[str]:
    """Problems in already parsed file content; ``name`` prefixes every message."""
    if not isinstance(data, dict):
        return [f"{name}: top level must be a JSON object, not {json_type(data)}"]
    fmt = data.get("format")
    if fmt == LOGIC_FORMAT:
        return check_logic_bank(data, name, require_size=require_size)
    if fmt == INVENTORY_FORMAT:
        return check_inventory(data, name)
    known = ", ".join(sorted(KNOWN_FORMATS))
    return [f"{name}: unknown format {fmt!r} (expected one of: {known})"]


def _read_valid(path: Path, expected_format: str) -> dict:
    data, problems = read_json(path)
    if data is None:
        raise BankError(problems)
    problems += validate_data(data, path.name)
    if not problems and data.get("format") != expected_format:
        problems.append(f"{path.name}: format {data.get('format')!r}, expected {expected_format!r}")
    if problems:
        raise BankError(problems)
    return data


def _resolve(path: str | os.PathLike | None, default: Path) -> tuple[str, int, int]:
    """Cache key: the absolute path plus mtime and size, so an edited file is read again."""
    name = os.fspath(default if path is None else path)
    resolved = _real_path(name, "" if os.path.isabs(name) else os.getcwd())
    try:
        stat = os.stat(resolved)
    except OSError:
        return resolved, -1, -1
    return resolved, stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=64)
def _real_path(name: str, cwd: str) -> str:
    # Resolved once per name (and working directory for a relative one): the portal asks
    # for its bank on every request, and resolving costs a system call per path component.
    return str(Path(cwd, name).resolve())


def load_logic_bank(path: str | os.PathLike | None = None) -> LogicBank:
    """Load and validate a logic bank; ``None`` loads the shipped bank ``data/logic_bank.json``.

    Results are cached per file (path, modification time and size). Raises BankError
    listing every problem when the file is not a valid logic bank.
    """
    return _load_logic_bank(*_resolve(path, DEFAULT_LOGIC_BANK))


@functools.lru_cache(maxsize=32)
def _load_logic_bank(path: str, mtime_ns: int, size: int) -> LogicBank:
    return _build_logic_bank(_read_valid(Path(path), LOGIC_FORMAT), Path(path))


def parse_logic_bank(text: str, path: Path, *, require_size: bool | None = None) -> LogicBank:
    """A logic bank from the text of its JSON document (a bank version kept in a database);
    ``path`` names it (nothing is read from it). Validated as a file is (``require_size``:
    as for ``validate_file``); not cached."""
    data, problems = parse_json(text, path.name)
    if data is None:
        raise BankError(problems)
    problems += validate_data(data, path.name, require_size=require_size)
    if not problems and data.get("format") != LOGIC_FORMAT:
        problems.append(f"{path.name}: format {data.get('format')!r}, expected {LOGIC_FORMAT!r}")
    if problems:
        raise BankError(problems)
    return _build_logic_bank(data, path)


def _build_logic_bank(data: dict, path: Path) -> LogicBank:
    items = [
        LogicItem(
            id=raw["id"],
            type=raw["type"],
            stem=_freeze(raw["stem"]),
            options=_freeze(raw["options"]),
            key=raw["key"],
            practice=raw["practice"],
            explanation=_freeze(raw["explanation"]) if "explanation" in raw else None,
            features=_freeze(raw.get("features", {})),
            model=raw.get("model"),
            figure=raw.get("figure"),
            irt=_freeze(raw["irt"]) if "irt" in raw else None,
            structure=_freeze(raw.get("structure", {})),
            pretest=bool(raw.get("pretest", False)),
        )
        for raw in data["items"]
    ]
    irt = data.get("irt") or {}
    return LogicBank(
        bank_id=data["bank_id"],
        version=data["version"],
        path=path,
        items=tuple(i for i in items if not i.practice and not i.pretest),
        pretest=tuple(i for i in items if i.pretest),
        practice=tuple(i for i in items if i.practice),
        description=_freeze(data["description"]),
        format_version=data["format_version"],
        irt_source=irt.get("parameters"),
        difficulty_model=irt.get("difficulty_model"),
    )
