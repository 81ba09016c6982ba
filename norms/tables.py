"""Norm tables: versioned JSON data files with provenance, raw-score conversion and bands.

A norm table lives in ``<directory>/<group>.v<N>.json`` (default directory: ``norms/data``)
and describes, per scale, the reference distribution of raw scores in one norm group.
File formats (``format_version`` 1 and 2) are documented in ``norms/README.md``; every file
is validated when loaded and any problem raises :class:`NormError` naming the file.

Conversion (``distribution: "normal"``, the only one so far)::

    z = (raw - mean) / sd,   percentile = 100 * Phi(z)

For a discrete scale (e.g. number correct) the percentile rank is defined with the
mid-point convention: the percentage of the group scoring below ``raw`` plus half of
those scoring exactly ``raw`` (Crocker & Algina, 1986, *Introduction to classical and
modern test theory*, ch. 19). Under the normal approximation with continuity correction
that is ``Phi((raw - 0.5 - mean)/sd) + [Phi((raw + 0.5 - mean)/sd) - Phi((raw - 0.5 -
mean)/sd)] / 2``, which to first order (mid-point rule) is ``Phi((raw - mean)/sd)``: the
same z as for a continuous scale. Discrete scales only accept whole-number raw scores.

A latent scale (``"latent": true``, format 2; e.g. ``logic.theta``) stores the group's
distribution of the latent ability itself, N(mean, sd^2), not the distribution of point
estimates. The conversion is the same formula, ``Phi((theta - mean) / sd)``.

Confidence band (format 2, or any table when ``se`` is passed)::

    SEM      = se                           if given (IRT: posterior SD of theta)
             = sd * sqrt(1 - reliability)   else, if the scale has a reliability
    raw band = raw -/+ z_{(1 + level)/2} * SEM, clipped to [min, max]
    band     = (percentile(raw band low), percentile(raw band high))

The classical SEM is ``sd_X * sqrt(1 - r_XX')`` (Lord & Novick, 1968, *Statistical
theories of mental test scores*, ch. 3; Harvill, 1991, Standard error of measurement,
*Educational Measurement: Issues and Practice*, 10(2), 33-41). The band is centred on the
observed score (Harvill's "obtained-score" band); since the percentile is monotone in the
raw score, the percentile band is monotone and contains the point percentile.
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

from .scores import (
    percentile_from_z,
    stanine_from_z,
    sten_from_z,
    t_from_z,
    z_for_level,
)

__all__ = [
    "DEFAULT_DIRECTORY",
    "DEFAULT_LEVEL",
    "FORMAT",
    "FORMAT_VERSION",
    "FORMAT_VERSIONS",
    "NormError",
    "NormScore",
    "NormTable",
    "ScaleNorm",
    "available_groups",
    "available_versions",
    "clear_cache",
    "load_norm_table",
    "parse_norm_table",
    "render_document",
]

FORMAT = "second-opinion/norms"
#: The format version written by the norm builder; every version in FORMAT_VERSIONS loads.
FORMAT_VERSION = 2
FORMAT_VERSIONS = (1, 2)
DEFAULT_DIRECTORY = Path(__file__).resolve().parent / "data"
LANGUAGES = ("sv", "en")
DISTRIBUTIONS = ("normal",)
#: Default confidence level of a band: 90 %, as is usual in test reports.
DEFAULT_LEVEL = 0.90

_GROUP_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_FILE_RE = re.compile(r"^(?P<group>[a-z][a-z0-9_]*)\.v(?P<version>[1-9][0-9]*)\.json$")

_TOP_KEYS = frozenset(
    {
        "format", "format_version", "group", "version", "label", "provisional",
        "n", "date", "method", "source", "scales",
    }
)
_SCALE_KEYS = frozenset({"distribution", "mean", "sd", "min", "max", "discrete"})
# Format 2: required and optional keys on top of format 1.
_TOP_KEYS_V2 = _TOP_KEYS
_TOP_OPTIONAL_V2 = frozenset({"warnings", "population", "quality"})
#: ``population`` (format 2, optional; written by ``flask norms build``): who the table is
#: about. ``scope`` is "all" (every assignment), "assignments" (chosen ones), "client" or
#: "role_family" (a local norm); the other keys are optional.
POPULATION_SCOPES = ("all", "assignments", "client", "role_family")
_POPULATION_KEYS = frozenset({"scope", "client_id", "client", "role_family", "assignments", "from", "to"})
_QUALITY_KEYS = frozenset({"gates", "removed", "kept", "persons", "n", "min_n", "provisional", "settings",
                           "without_person_key"})
_SCALE_KEYS_V2 = _SCALE_KEYS | {"n", "latent"}
_SCALE_OPTIONAL_V2 = frozenset({"reliability"})


class NormError(ValueError):
    """A norm table is missing, unknown or malformed; the message names the file or group."""


@dataclass(frozen=True)
class NormScore:
    """One raw score expressed against a norm group.

    ``percentile`` is in [0.1, 99.9] (one decimal), ``t`` in [20, 80] (one decimal),
    ``sten`` in 1..10, ``stanine`` in 1..9; ``z`` is unrounded and unclipped.

    Confidence band (None when the scale has no reliability and no ``se`` was given):
    ``sem`` is the standard error of measurement used, on the raw scale; ``raw_band``
    is ``raw -/+ z * sem`` clipped to the scale range; ``band`` is the pair of
    percentiles of the ``raw_band`` ends (so ``band[0] <= percentile <= band[1]``);
    ``level`` is the confidence level (e.g. 0.90).
    """

    scale: str
    raw: float
    z: float
    percentile: float
    t: float
    sten: int
    stanine: int
    band: tuple[float, float] | None = None
    raw_band: tuple[float, float] | None = None
    level: float | None = None
    sem: float | None = None


@dataclass(frozen=True)
class ScaleNorm:
    """Reference distribution of one scale's raw scores in a norm group.

    Format 2 adds ``n`` (persons behind this scale's statistics; None when the values are
    set by definition or assumption, not estimated from a sample), ``reliability`` (for the
    classical SEM; None: no band without an explicit SE) and ``latent`` (True: the
    distribution is that of a latent ability, e.g. IRT theta). Format 1 scales have
    ``n=None, reliability=None, latent=False``.
    """

    distribution: str
    mean: float
    sd: float
    min: float
    max: float
    discrete: bool
    n: int | None = None
    reliability: float | None = None
    latent: bool = False

    @property
    def sem(self) -> float | None:
        """Classical SEM ``sd * sqrt(1 - reliability)``, or None without a reliability."""
        if self.reliability is None:
            return None
        return self.sd * math.sqrt(1.0 - self.reliability)

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


def _check_se(se: Any) -> float:
    if isinstance(se, bool) or not isinstance(se, numbers.Real):
        raise TypeError(f"se must be a real number, got {type(se).__name__}")
    value = float(se)
    if not (math.isfinite(value) and value > 0.0):
        raise ValueError(f"se must be a finite number > 0, got {se!r}")
    return value


@dataclass(frozen=True)
class NormTable:
    """A loaded, validated norm table. Mappings are read-only views.

    ``warnings`` (format 2) are notes recorded by the norm builder, e.g. a scale whose
    norm sample is smaller than the recommended minimum; show them with the table.
    """

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
    format_version: int = 1
    warnings: tuple[str, ...] = ()
    #: Who the table describes (``flask norms build``), or None for the shipped tables.
    population: Mapping[str, Any] | None = None
    #: The quality gates' record (which gate removed how many, settings, N verdict), or
    #: None for a table not built from collected results.
    quality: Mapping[str, Any] | None = None

    @property
    def ref(self) -> str:
        """Stable reference to store with a result, e.g. ``"general.v1"``."""
        return f"{self.group}.v{self.version}"

    @property
    def from_collected_data(self) -> bool:
        """Built from the consultancy's collected results (not simulated)."""
        return self.quality is not None

    @property
    def local_scope(self) -> str | None:
        """"client" or "role_family" for a local norm, else None."""
        scope = (self.population or {}).get("scope")
        return scope if scope in ("client", "role_family") else None

    def has_scale(self, scale: str) -> bool:
        return scale in self.scales

    def convert(
        self, scale: str, raw: float, *, se: float | None = None, level: float = DEFAULT_LEVEL
    ) -> NormScore:
        """Convert a raw score on ``scale`` to z, percentile, T, sten, stanine and a band.

        ``se``: the standard error of this particular score on the raw scale (for
        ``logic.theta`` the posterior SD of the EAP estimate); None uses the classical
        SEM from the scale's reliability, and without one the score has no band.
        ``level``: confidence level of the band, in (0, 1). See the module docstring
        for the formulas.

        Raises NormError if the table has no such scale, and ValueError (TypeError for
        a non-number) if ``raw`` is NaN, outside [min, max], or not a whole number on a
        discrete scale, if ``se`` is not a finite number > 0, or ``level`` not in (0, 1).
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
            multiplier = z_for_level(level)
            sem = _check_se(se) if se is not None else norm.sem
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{scale} in norm table {self.ref}: {exc}") from None
        z = (value - norm.mean) / norm.sd
        band = raw_band = None
        if sem is not None:
            low = max(norm.min, value - multiplier * sem)
            high = min(norm.max, value + multiplier * sem)
            raw_band = (low, high)
            band = (
                percentile_from_z((low - norm.mean) / norm.sd),
                percentile_from_z((high - norm.mean) / norm.sd),
            )
        return NormScore(
            scale=scale,
            raw=value,
            z=z,
            percentile=percentile_from_z(z),
            t=t_from_z(z),
            sten=sten_from_z(z),
            stanine=stanine_from_z(z),
            band=band,
            raw_band=raw_band,
            level=float(level) if sem is not None else None,
            sem=sem,
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


def render_document(document: Mapping[str, Any]) -> str:
    """Serialise a norm-table document exactly as it is stored (UTF-8 text).

    Two-space indent, keys in the document's own order (builders construct them in a
    fixed order, so the output is deterministic), non-ASCII kept as is, trailing newline.
    """
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


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


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _is_count(value: Any) -> bool:
    return _is_int(value) and value >= 1


def _check_keys(obj: dict, required: frozenset[str], optional: frozenset[str], fail, what: str = "") -> None:
    """Raise on missing or unknown keys (each sorted); ``what`` prefixes the message."""
    missing = sorted(required - obj.keys())
    if missing:
        raise fail(f"{what}missing key(s): {', '.join(missing)}")
    unknown = sorted(obj.keys() - required - optional)
    if unknown:
        raise fail(f"{what}unknown key(s): {', '.join(unknown)}")


def parse_norm_table(data: Any, path: Path | str | None = None) -> NormTable:
    """Validate a decoded norm-table document and build a :class:`NormTable`.

    Raises NormError naming ``path`` (or "<data>") and the first problem found.
    """
    where = str(path) if path is not None else "<data>"

    def fail(problem: str) -> NormError:
        return NormError(f"invalid norm table {where}: {problem}")

    if not isinstance(data, dict):
        raise fail("top level must be a JSON object")
    fmt_version = data.get("format_version")
    if isinstance(fmt_version, bool) or fmt_version not in FORMAT_VERSIONS:
        if "format_version" not in data:
            raise fail("missing key(s): format_version")
        supported = ", ".join(str(v) for v in FORMAT_VERSIONS)
        raise fail(f"unsupported format_version {fmt_version!r} (supported: {supported})")
    _check_keys(data, _TOP_KEYS if fmt_version == 1 else _TOP_KEYS_V2,
                frozenset() if fmt_version == 1 else _TOP_OPTIONAL_V2, fail)
    if data["format"] != FORMAT:
        raise fail(f"format must be {FORMAT!r}, got {data['format']!r}")

    group = data["group"]
    if not isinstance(group, str) or not _GROUP_RE.match(group):
        raise fail(f"group must be a lower-case identifier, got {group!r}")
    version = data["version"]
    if not isinstance(version, str) or not re.fullmatch(r"[1-9][0-9]*", version):
        raise fail(f"version must be a string holding a positive integer, got {version!r}")
    if not isinstance(data["provisional"], bool):
        raise fail(f"provisional must be true or false, got {data['provisional']!r}")
    n = data["n"]
    if not _is_count(n):
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
    warnings = data.get("warnings", [])
    if not isinstance(warnings, list) or not all(isinstance(w, str) and w.strip() for w in warnings):
        raise fail("warnings must be a list of non-empty strings")

    population = data.get("population")
    if population is not None:
        _check_population(population, fail)
    quality = data.get("quality")
    if quality is not None:
        _check_quality(quality, data["provisional"], fail)

    scales_data = data["scales"]
    if not isinstance(scales_data, dict) or not scales_data:
        raise fail("scales must be a non-empty object")
    scales = {name: _scale(name, spec, fmt_version, fail) for name, spec in scales_data.items()}
    if fmt_version >= 2:
        sample_sizes = [s.n for s in scales.values() if s.n is not None]
        if sample_sizes and n != min(sample_sizes):
            raise fail(f"n must be the smallest per-scale n ({min(sample_sizes)}), got {n}")

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
        format_version=fmt_version,
        warnings=tuple(warnings),
        population=MappingProxyType(dict(population)) if population is not None else None,
        quality=MappingProxyType(dict(quality)) if quality is not None else None,
    )


def _check_population(value: Any, fail) -> None:
    if not isinstance(value, dict):
        raise fail("population must be an object")
    _check_keys(value, frozenset(), _POPULATION_KEYS, fail, "population: ")
    if value.get("scope") not in POPULATION_SCOPES:
        raise fail(f"population.scope must be one of {', '.join(POPULATION_SCOPES)}, got {value.get('scope')!r}")
    if value["scope"] == "client" and not _is_count(value.get("client_id")):
        raise fail("population.client_id must be a positive integer for a client norm")
    if value["scope"] == "role_family" and not (isinstance(value.get("role_family"), str)
                                                 and value["role_family"].strip()):
        raise fail("population.role_family must be a non-empty string for a role-family norm")
    assignments = value.get("assignments", [])
    if not isinstance(assignments, list) or not all(_is_count(a) for a in assignments):
        raise fail("population.assignments must be a list of positive integers")
    for key in ("from", "to"):
        if key in value:
            try:
                date.fromisoformat(value[key])
            except (TypeError, ValueError):
                raise fail(f"population.{key} must be an ISO date, got {value[key]!r}") from None


def _check_quality(value: Any, provisional: bool, fail) -> None:
    if not isinstance(value, dict):
        raise fail("quality must be an object")
    _check_keys(value, frozenset(), _QUALITY_KEYS, fail, "quality: ")
    removed = value.get("removed")
    if not isinstance(removed, dict) or not all(
            isinstance(k, str) and _is_int(v) and v >= 0
            for k, v in removed.items()):
        raise fail("quality.removed must map gate names to counts >= 0")
    if not isinstance(value.get("settings"), dict):
        raise fail("quality.settings must be an object")
    min_n, n = value.get("min_n"), value.get("n")
    if not (_is_count(min_n) and _is_int(n)):
        raise fail("quality.n and quality.min_n must be integers")
    if value.get("provisional") is not (n < min_n) or (n < min_n and not provisional):
        raise fail(f"quality: N = {n} with minimum {min_n} must make the table "
                   f"{'provisional' if n < min_n else 'not provisional by the gates'}")


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


def _scale(name: Any, spec: Any, fmt_version: int, fail) -> ScaleNorm:
    if not isinstance(name, str) or not name:
        raise fail(f"scale name must be a non-empty string, got {name!r}")
    if not isinstance(spec, dict):
        raise fail(f"scale {name!r} must be an object")
    _check_keys(spec, _SCALE_KEYS if fmt_version == 1 else _SCALE_KEYS_V2,
                frozenset() if fmt_version == 1 else _SCALE_OPTIONAL_V2, fail, f"scale {name!r}: ")
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
    n = reliability = None
    latent = False
    if fmt_version >= 2:
        n = spec["n"]
        if n is not None and not _is_count(n):
            raise fail(f"scale {name!r}: n must be a positive integer or null, got {n!r}")
        latent = spec["latent"]
        if not isinstance(latent, bool):
            raise fail(f"scale {name!r}: latent must be true or false, got {latent!r}")
        if latent and spec["discrete"]:
            raise fail(f"scale {name!r}: a latent scale cannot be discrete")
        if "reliability" in spec:
            reliability = spec["reliability"]
            if not (_is_number(reliability) and 0 < reliability < 1):
                raise fail(
                    f"scale {name!r}: reliability must be a number strictly between 0 and 1, "
                    f"got {reliability!r}"
                )
            reliability = float(reliability)
    return ScaleNorm(
        distribution=spec["distribution"],
        mean=float(spec["mean"]),
        sd=float(spec["sd"]),
        min=float(spec["min"]),
        max=float(spec["max"]),
        discrete=spec["discrete"],
        n=n,
        reliability=reliability,
        latent=latent,
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
