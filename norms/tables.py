"""Norm tables: versioned JSON data files with provenance, and raw-score conversion.

A norm table lives in ``<directory>/<group>.v<N>.json`` (default directory: ``norms/data``)
and describes, per scale, the reference distribution of raw scores in one norm group.
File format (``format_version`` 1) is documented in ``norms/README.md``; every file is
validated when loaded and any problem raises :class:`NormError` naming the file.

Conversion (``distribution: "normal"``, the only one in format version 1)::

    z = (raw - mean) / sd

For a discrete scale (e.g. number correct) the percentile rank is defined with the
mid-point convention: the percentage of the group scoring below ``raw`` plus half of
those scoring exactly ``raw`` (Crocker & Algina, 1986, *Introduction to classical and
modern test theory*, ch. 19). Under the normal approximation with continuity correction
that is ``Phi((raw - 0.5 - mean)/sd) + [Phi((raw + 0.5 - mean)/sd) - Phi((raw - 0.5 -
mean)/sd)] / 2``, which to first order (mid-point rule) is ``Phi((raw - mean)/sd)``: the
same z as for a continuous scale. Discrete scales only accept whole-number raw scores.
"""

from __future__ import annotations

import functools
import json
import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .scores import percentile_from_z, stanine_from_z, sten_from_z, t_from_z

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "DEFAULT_DIRECTORY",
    "NormError",
    "NormScore",
    "ScaleNorm",
    "NormTable",
    "load_norm_table",
    "available_groups",
    "available_versions",
    "parse_norm_table",
    "clear_cache",
]

FORMAT = "second-opinion/norms"
FORMAT_VERSION = 1
DEFAULT_DIRECTORY = Path(__file__).resolve().parent / "data"
LANGUAGES = ("sv", "en")
DISTRIBUTIONS = ("normal",)

_GROUP_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_FILE_RE = re.compile(r"^(?P<group>[a-z][a-z0-9_]*)\.v(?P<version>[1-9][0-9]*)\.json$")

_TOP_KEYS = frozenset(
    {
        "format", "format_version", "group", "version", "label", "provisional",
        "n", "date", "method", "source", "scales",
    }
)
_SCALE_KEYS = frozenset({"distribution", "mean", "sd", "min", "max", "discrete"})


class NormError(ValueError):
    """A norm table is missing, unknown or malformed; the message names the file or group."""


@dataclass(frozen=True)
class NormScore:
    """One raw score expressed against a norm group.

    ``percentile`` is in [0.1, 99.9] (one decimal), ``t`` in [20, 80] (one decimal),
    ``sten`` in 1..10, ``stanine`` in 1..9; ``z`` is unrounded and unclipped.
    """

    scale: str
    raw: float
    z: float
    percentile: float
    t: float
    sten: int
    stanine: int


@dataclass(frozen=True)
class ScaleNorm:
    """Reference distribution of one scale's raw scores in a norm group."""

    distribution: str
    mean: float
    sd: float
    min: float
    max: float
    discrete: bool

    def check_raw(self, raw: Any) -> float:
        """Return ``raw`` as a float, or raise ValueError/TypeError if it is not a valid score."""
        if isinstance(raw, bool) or not isinstance(raw, numbers.Real):
            raise TypeError(f"raw score must be a real number, got {type(raw).__name__}")
        value = float(raw)
        if math.isnan(value):
            raise ValueError("raw score is NaN")
        if not self.min <= value <= self.max:
            raise ValueError(f"raw score {value:g} outside the scale range [{self.min:g}, {self.max:g}]")
        if self.discrete and not value.is_integer():
            raise ValueError(f"raw score {value:g} is not a whole number on a discrete scale")
        return value

    def z(self, raw: Any) -> float:
        """z = (raw - mean) / sd for a valid raw score (see the module docstring)."""
        return (self.check_raw(raw) - self.mean) / self.sd


@dataclass(frozen=True)
class NormTable:
    """A loaded, validated norm table. Mappings are read-only views."""

    group: str
    version: str
    label: Mapping[str, str]
    provisional: bool
    n: int
    date: str
    method: Mapping[str, str]
    source: str
    path: Path | None
    scales: Mapping[str, ScaleNorm]

    @property
    def ref(self) -> str:
        """Stable reference to store with a result, e.g. ``"general.v1"``."""
        return f"{self.group}.v{self.version}"

    def has_scale(self, scale: str) -> bool:
        return scale in self.scales

    def convert(self, scale: str, raw: float) -> NormScore:
        """Convert a raw score on ``scale`` to z, percentile, T, sten and stanine.

        Raises NormError if the table has no such scale, and ValueError (TypeError for
        a non-number) if ``raw`` is NaN, outside [min, max], or not a whole number on a
        discrete scale.
        """
        try:
            norm = self.scales[scale]
        except KeyError:
            raise NormError(
                f"norm table {self.ref} ({self._where()}) has no scale {scale!r}; "
                f"scales: {', '.join(sorted(self.scales))}"
            ) from None
        try:
            value = norm.check_raw(raw)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{scale} in norm table {self.ref}: {exc}") from None
        z = (value - norm.mean) / norm.sd
        return NormScore(
            scale=scale,
            raw=value,
            z=z,
            percentile=percentile_from_z(z),
            t=t_from_z(z),
            sten=sten_from_z(z),
            stanine=stanine_from_z(z),
        )

    def label_for(self, lang: str) -> str:
        """Label in ``lang`` ("sv", "en", or a tag such as "sv-SE"); falls back to English."""
        return _text_for(self.label, lang)

    def method_for(self, lang: str) -> str:
        """Method description in ``lang``; falls back to English."""
        return _text_for(self.method, lang)

    def _where(self) -> str:
        return str(self.path) if self.path is not None else "<no file>"


def _text_for(texts: Mapping[str, str], lang: str) -> str:
    primary = (lang or "").replace("_", "-").split("-")[0].lower()
    for candidate in (primary, "en", "sv"):
        if candidate in texts:
            return texts[candidate]
    raise KeyError(lang)  # unreachable for validated tables: both languages are required


# --------------------------------------------------------------------------- parsing


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def parse_norm_table(data: Any, path: Path | str | None = None) -> NormTable:
    """Validate a decoded norm-table document and build a :class:`NormTable`.

    Raises NormError naming ``path`` (or "<data>") and the first problem found.
    """
    where = str(path) if path is not None else "<data>"

    def fail(problem: str) -> NormError:
        return NormError(f"invalid norm table {where}: {problem}")

    if not isinstance(data, dict):
        raise fail("top level must be a JSON object")
    missing = sorted(_TOP_KEYS - data.keys())
    if missing:
        raise fail(f"missing key(s): {', '.join(missing)}")
    unknown = sorted(data.keys() - _TOP_KEYS)
    if unknown:
        raise fail(f"unknown key(s): {', '.join(unknown)}")
    if data["format"] != FORMAT:
        raise fail(f"format must be {FORMAT!r}, got {data['format']!r}")
    if data["format_version"] != FORMAT_VERSION or isinstance(data["format_version"], bool):
        raise fail(f"unsupported format_version {data['format_version']!r} (supported: {FORMAT_VERSION})")

    group = data["group"]
    if not isinstance(group, str) or not _GROUP_RE.match(group):
        raise fail(f"group must be a lower-case identifier, got {group!r}")
    version = data["version"]
    if not isinstance(version, str) or not re.fullmatch(r"[1-9][0-9]*", version):
        raise fail(f"version must be a string holding a positive integer, got {version!r}")
    if not isinstance(data["provisional"], bool):
        raise fail(f"provisional must be true or false, got {data['provisional']!r}")
    n = data["n"]
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise fail(f"n must be a positive integer, got {n!r}")
    if not isinstance(data["date"], str):
        raise fail(f"date must be an ISO date string, got {data['date']!r}")
    try:
        date.fromisoformat(data["date"])
    except ValueError:
        raise fail(f"date must be an ISO date (YYYY-MM-DD), got {data['date']!r}") from None
    if not isinstance(data["source"], str) or not data["source"].strip():
        raise fail("source must be a non-empty string")
    label = _texts(data["label"], "label", fail)
    method = _texts(data["method"], "method", fail)

    scales_data = data["scales"]
    if not isinstance(scales_data, dict) or not scales_data:
        raise fail("scales must be a non-empty object")
    scales = {name: _scale(name, spec, fail) for name, spec in scales_data.items()}

    if path is not None:
        match = _FILE_RE.match(Path(path).name)
        if match and (match["group"], match["version"]) != (group, version):
            raise fail(
                f"file name says group {match['group']!r} version {match['version']!r}, "
                f"content says group {group!r} version {version!r}"
            )

    return NormTable(
        group=group,
        version=version,
        label=MappingProxyType(label),
        provisional=data["provisional"],
        n=n,
        date=data["date"],
        method=MappingProxyType(method),
        source=data["source"],
        path=Path(path) if path is not None else None,
        scales=MappingProxyType(scales),
    )


def _texts(value: Any, key: str, fail) -> dict[str, str]:
    if not isinstance(value, dict):
        raise fail(f"{key} must be an object with {' and '.join(LANGUAGES)} texts")
    for lang in LANGUAGES:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise fail(f"{key}.{lang} must be a non-empty string")
    for lang, text in value.items():
        if not isinstance(text, str):
            raise fail(f"{key}.{lang} must be a string")
    return dict(value)


def _scale(name: Any, spec: Any, fail) -> ScaleNorm:
    if not isinstance(name, str) or not name:
        raise fail(f"scale name must be a non-empty string, got {name!r}")
    if not isinstance(spec, dict):
        raise fail(f"scale {name!r} must be an object")
    missing = sorted(_SCALE_KEYS - spec.keys())
    if missing:
        raise fail(f"scale {name!r}: missing key(s): {', '.join(missing)}")
    unknown = sorted(spec.keys() - _SCALE_KEYS)
    if unknown:
        raise fail(f"scale {name!r}: unknown key(s): {', '.join(unknown)}")
    if spec["distribution"] not in DISTRIBUTIONS:
        raise fail(
            f"scale {name!r}: unsupported distribution {spec['distribution']!r} "
            f"(supported: {', '.join(DISTRIBUTIONS)})"
        )
    for key in ("mean", "sd", "min", "max"):
        if not _is_number(spec[key]):
            raise fail(f"scale {name!r}: {key} must be a finite number, got {spec[key]!r}")
    if not isinstance(spec["discrete"], bool):
        raise fail(f"scale {name!r}: discrete must be true or false, got {spec['discrete']!r}")
    if not spec["sd"] > 0:
        raise fail(f"scale {name!r}: sd must be > 0, got {spec['sd']!r}")
    if not spec["min"] < spec["max"]:
        raise fail(f"scale {name!r}: min must be < max, got min {spec['min']!r}, max {spec['max']!r}")
    if not spec["min"] <= spec["mean"] <= spec["max"]:
        raise fail(f"scale {name!r}: mean {spec['mean']!r} outside [min, max]")
    if spec["discrete"] and not (float(spec["min"]).is_integer() and float(spec["max"]).is_integer()):
        raise fail(f"scale {name!r}: a discrete scale needs whole-number min and max")
    return ScaleNorm(
        distribution=spec["distribution"],
        mean=float(spec["mean"]),
        sd=float(spec["sd"]),
        min=float(spec["min"]),
        max=float(spec["max"]),
        discrete=spec["discrete"],
    )


# --------------------------------------------------------------------------- loading


def _directory(directory: Path | str | None) -> Path:
    return Path(directory).resolve() if directory is not None else DEFAULT_DIRECTORY


def _index(directory: Path) -> dict[str, dict[str, Path]]:
    """{group: {version: path}} for the norm files in ``directory``."""
    if not directory.is_dir():
        raise NormError(f"norm table directory {directory} does not exist")
    index: dict[str, dict[str, Path]] = {}
    for path in directory.iterdir():
        match = _FILE_RE.match(path.name)
        if match and path.is_file():
            index.setdefault(match["group"], {})[match["version"]] = path
    return index


def available_groups(directory: Path | str | None = None) -> list[str]:
    """Sorted names of the norm groups with at least one table in ``directory``."""
    return sorted(_index(_directory(directory)))


def available_versions(group: str, directory: Path | str | None = None) -> list[str]:
    """Versions of ``group`` in ``directory``, lowest first (empty if the group is unknown)."""
    return sorted(_index(_directory(directory)).get(group, {}), key=int)


def load_norm_table(
    group: str, version: str | int | None = None, directory: Path | str | None = None
) -> NormTable:
    """Load and validate the norm table for ``group`` (``version`` None: the highest).

    Results are cached per (directory, group, version); call :func:`clear_cache` after
    changing files at run time. Raises NormError if the group or version is unknown
    (the message lists what is available) or the file is invalid (the message names it).
    """
    return _load(_directory(directory), group, None if version is None else str(version))


@functools.lru_cache(maxsize=64)
def _load(directory: Path, group: str, version: str | None) -> NormTable:
    index = _index(directory)
    if group not in index:
        groups = ", ".join(sorted(index)) or "(none)"
        raise NormError(f"unknown norm group {group!r} in {directory}; available groups: {groups}")
    versions = index[group]
    if version is None:
        version = max(versions, key=int)
    elif version not in versions:
        raise NormError(
            f"norm group {group!r} has no version {version!r} in {directory}; "
            f"available versions: {', '.join(sorted(versions, key=int))}"
        )
    return _read(versions[version])


@functools.lru_cache(maxsize=64)
def _read(path: Path) -> NormTable:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NormError(f"cannot read norm table {path}: {exc}") from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise NormError(f"invalid norm table {path}: not valid JSON: {exc}") from None
    return parse_norm_table(data, path)


def clear_cache() -> None:
    """Forget loaded tables (for tests and for tools that rewrite the data files)."""
    _load.cache_clear()
    _read.cache_clear()
