"""Build norm tables from collected scores: pure functions, no database, no clock.

The web application collects the scores of one norm group from its database and calls::

    document, warnings = build_norm_table(
        "general", version=next_version("general"), label={...}, method={...},
        source="...", built_on=today, scores={"personality.ES": [...], "logic.theta": [...]},
        latent_se={"logic.theta": [...]}, base=load_norm_table("general"))
    path = write_table(document)           # norms/data/general.v3.json, never overwritten

Per scale the table stores N, the mean and the SD (``ddof=1``) of the scores, rounded to
4 decimals; the range, discreteness, ``latent`` flag and reliability come from ``base``
(the table being replaced) or, for scales it lacks, from :data:`KNOWN_SCALES`. The
document is ``format_version`` 2 with ``provisional: false`` (real data) and is
validated by :func:`norms.tables.parse_norm_table` before it is returned.

Latent scales (IRT theta). The point estimates do not have the spread of the latent
ability, and which way they miss depends on the estimator (``latent_estimator``, per
score; "eap" when not given, as for results before engine cat-2):

- **EAP** estimates are shrunk toward the prior mean, so their SD underestimates the SD of
  the latent ability. With ``latent_se`` (the posterior SDs) the builder uses the law of
  total variance::

      Var(theta) = Var(E[theta | x]) + E[Var(theta | x)]
                 = var(EAP, ddof=1)  + mean(SE^2)

  exact in the population when the EAP prior matches the population (Bock & Mislevy,
  1982, Applied Psychological Measurement, 6, 431-444; see also Mislevy, Beaton, Kaplan
  & Sheehan, 1992, Journal of Educational Measurement, 29, 133-161, on why point
  estimates must not be used for population distributions).
- **WLE** estimates (Warm, 1989; the portal's score since engine cat-2) are nearly
  unbiased, ``theta_hat = theta + e`` with error variance ``SE^2 = 1 / I(theta_hat)``
  nearly uncorrelated with theta, so their SD *overstates* the SD of the latent ability::

      Var(theta) = var(WLE, ddof=1) - mean(SE^2)

A group mixing both gets ``var(estimates) + mean(s_i SE_i^2)`` with ``s_i`` = +1 for an
EAP and -1 for a WLE. ``E[theta] = mean(estimates)`` in every case. The norm is then for
the latent distribution, which is what ``NormTable.convert`` assumes. When the correction
leaves no positive variance (estimates too imprecise for the group's spread) the build
fails with a clear error instead of writing a meaningless SD.

Minimum N. Every scale needs at least 2 scores (an SD). Below :data:`MIN_N` the table is
still built, but the scale is named in ``warnings``, which are returned and written
into the file (and shown with the table). The table's top-level ``n`` is the smallest
per-scale N: the number of people behind every statistic in the table.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from .tables import (
    DEFAULT_DIRECTORY,
    FORMAT,
    FORMAT_VERSION,
    LANGUAGES,
    NormError,
    NormTable,
    available_versions,
    clear_cache,
    parse_norm_table,
    render_document,
)

__all__ = [
    "KNOWN_PREFIXES",
    "KNOWN_SCALES",
    "MIN_N",
    "build_norm_table",
    "cronbach_alpha",
    "known_scale",
    "next_version",
    "write_table",
]

#: Smallest norm sample (per scale) that is not flagged. Source: the EFPA Review Model for
#: the description and evaluation of psychological tests (EFPA Board of Assessment, 2013,
#: version 4.2.6), criteria for norm samples in classical norming: as we recall it, a
#: sample below 200 is rated inadequate (200-299 adequate, 300-999 good, 1000 or more
#: excellent). We could not check the document's exact wording in this project; verify
#: before quoting. COTAN, the Dutch review system (Evers, Lucassen, Meijer & Sijtsma,
#: 2010), is stricter for important decisions (at least 300). Oosterhuis, van der Ark &
#: Sijtsma (2016, Assessment, 23(2), 191-202) show how imprecise percentiles from small
#: samples are.
MIN_N = 200

_DECIMALS = 4
_GROUP_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_VERSION_RE = re.compile(r"^[1-9][0-9]*$")

#: Ability estimators whose SEs the latent-variance correction knows (module docstring).
LATENT_ESTIMATORS = ("eap", "wle")

#: Range, discreteness and latent flag of the scales the application knows, used when the
#: base table does not have the scale. ``logic.number_correct`` is the 20-item starter form.
KNOWN_SCALES: Mapping[str, Mapping[str, Any]] = {
    "logic.theta": {"min": -4, "max": 4, "discrete": False, "latent": True},
    "logic.number_correct": {"min": 0, "max": 20, "discrete": True, "latent": False},
}
#: Scale-name prefixes with a common range: every personality domain and facet is a mean
#: of 1-5 answers (``personality.ES``, ``personality.ES.composure``).
KNOWN_PREFIXES: Mapping[str, Mapping[str, Any]] = {
    "personality.": {"min": 1, "max": 5, "discrete": False, "latent": False},
}

_BUILDER_NOTE = {
    "sv": (
        "Beräkning (norms/build.py): per skala antal personer (N), medelvärde och "
        "standardavvikelse (n - 1); percentiler med normalfördelningsapproximation. För "
        "latenta skalor (IRT-förmåga) korrigeras skattningarnas varians med medelvärdet av "
        "deras kvadrerade standardfel: plus för EAP-skattningar (lagen om total varians), "
        "minus för WLE-skattningar (mätfelet läggs till förmågans spridning), så att normen "
        "avser förmågans fördelning och inte punktskattningarnas. Tabellens N är det minsta "
        "N bland skalorna."
    ),
    "en": (
        "Computation (norms/build.py): per scale the number of people (N), the mean and the "
        "standard deviation (n - 1); percentiles use the normal approximation. For latent "
        "scales (IRT ability) the variance of the estimates is corrected by the mean of "
        "their squared standard errors: added for EAP estimates (law of total variance), "
        "subtracted for WLE estimates (their measurement error adds to the ability's "
        "spread), so the norm is for the ability distribution, not for the point estimates. "
        "The table's N is the smallest N over the scales."
    ),
}


def known_scale(scale: str) -> Mapping[str, Any] | None:
    """Range and flags of a scale the application knows (:data:`KNOWN_SCALES`,
    :data:`KNOWN_PREFIXES`), or None."""
    if scale in KNOWN_SCALES:
        return KNOWN_SCALES[scale]
    for prefix, spec in KNOWN_PREFIXES.items():
        if scale.startswith(prefix) and len(scale) > len(prefix):
            return spec
    return None


def _round(x: float) -> float:
    return round(float(x), _DECIMALS)


def _as_scores(scale: str, values: Sequence[float], what: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{scale}: {what} must be numbers") from None
    if array.ndim != 1:
        raise ValueError(f"{scale}: {what} must be a flat sequence of numbers")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{scale}: {what} contain NaN or infinite values; pass scored results only")
    return array


def _texts(value: Mapping[str, str], key: str) -> dict[str, str]:
    texts = dict(value)
    for lang in LANGUAGES:
        if not isinstance(texts.get(lang), str) or not texts[lang].strip():
            raise ValueError(f"{key} needs a non-empty {lang!r} text")
    return texts


def build_norm_table(
    group: str,
    *,
    version: str,
    label: Mapping[str, str],
    scores: Mapping[str, Sequence[float]],
    latent_se: Mapping[str, Sequence[float]] | None = None,
    latent_estimator: Mapping[str, Sequence[str]] | None = None,
    reliability: Mapping[str, float] | None = None,
    method: Mapping[str, str],
    source: str,
    built_on: date,
    base: NormTable | None = None,
    min_n: int = MIN_N,
    population: Mapping[str, Any] | None = None,
    quality: Mapping[str, Any] | None = None,
) -> tuple[dict, list[str]]:
    """Build a ``format_version`` 2 norm-table document from real scores.

    ``scores``: scale name -> the group's raw scores (EAP estimates for a latent scale),
    finite and inside the scale range; at least 2 per scale, not all equal.
    ``latent_se``: for latent scales, the SE of each estimate (the posterior SD of an
    EAP, ``1 / sqrt(information)`` of a WLE), same order and length as the scores.
    ``latent_estimator``: for latent scales, "eap" or "wle" per score, same order; all
    "eap" when not given (see the module docstring for the variance correction).
    ``reliability``: per scale, in (0, 1), e.g. :func:`cronbach_alpha` of the group's item
    scores; scales not given keep the base table's reliability, if any.
    ``method``: sv/en description of the group and how it was collected; the builder
    appends a fixed sv/en note on the computation. ``source``: where the data came from.
    ``base``: the table being replaced; supplies each scale's range, discreteness,
    latent flag and default reliability (scales it lacks fall back to :data:`KNOWN_SCALES`).

    ``population``: who the table describes (``norms/README.md``, key ``population``).
    ``quality``: the record of the quality gates (``norms.quality.GatedSample.record``);
    stored as is, and the table is ``provisional`` exactly when the record says so (its
    N is below its ``min_n``). Without a record the table is not provisional.

    Returns ``(document, warnings)``. Warnings (also stored in the document under
    ``"warnings"`` when there are any): scales with N below ``min_n``, latent scales
    without SEs, scales of ``base`` without scores. Raises ValueError for invalid input.
    """
    if not isinstance(group, str) or not _GROUP_RE.match(group):
        raise ValueError(f"group must be a lower-case identifier, got {group!r}")
    if not isinstance(version, str) or not _VERSION_RE.match(version):
        raise ValueError(f"version must be a string holding a positive integer, got {version!r}")
    if not isinstance(built_on, date):
        raise TypeError(f"built_on must be a datetime.date, got {type(built_on).__name__}")
    if not isinstance(source, str) or not source.strip():
        raise ValueError("source must be a non-empty string")
    if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 2:
        raise ValueError(f"min_n must be an integer >= 2, got {min_n!r}")
    if not scores:
        raise ValueError("scores must hold at least one scale")
    label_texts = _texts(label, "label")
    method_texts = _texts(method, "method")
    for lang, note in _BUILDER_NOTE.items():
        method_texts[lang] = f"{method_texts[lang].rstrip()} {note}"
    latent_se = dict(latent_se or {})
    latent_estimator = dict(latent_estimator or {})
    reliability = dict(reliability or {})
    extra = sorted(latent_estimator.keys() - latent_se.keys())
    if extra:
        raise ValueError(f"latent_estimator given for scale(s) without latent_se: {', '.join(extra)}")
    for what, given in (("latent_se", latent_se), ("reliability", reliability)):
        extra = sorted(given.keys() - scores.keys())
        if extra:
            raise ValueError(f"{what} given for scale(s) without scores: {', '.join(extra)}")

    warnings: list[str] = []
    scales: dict[str, dict] = {}
    for name, values in scores.items():
        spec, rel = _scale_spec(name, base, reliability)
        scales[name], notes = _scale_entry(name, values, latent_se.get(name), spec, rel, min_n,
                                           latent_estimator.get(name))
        warnings += notes
    if base is not None:
        for name in base.scales:
            if name not in scores:
                warnings.append(f"{name}: in the base table {base.ref} but no scores; left out")

    document: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "group": group,
        "version": version,
        "label": label_texts,
        "provisional": bool(quality["provisional"]) if quality is not None else False,
        "n": min(s["n"] for s in scales.values()),
        "date": built_on.isoformat(),
        "method": method_texts,
        "source": source,
        "scales": scales,
    }
    if warnings:
        document["warnings"] = list(warnings)
    if population is not None:
        document["population"] = dict(population)
    if quality is not None:
        document["quality"] = dict(quality)
    try:
        parse_norm_table(document)
    except NormError as exc:  # a bug here, or input the checks above missed
        raise ValueError(str(exc)) from None
    return document, warnings


def _scale_spec(
    name: str, base: NormTable | None, reliability: Mapping[str, float]
) -> tuple[dict[str, Any], float | None]:
    """Range, flags and reliability of one scale: from the base table, else a known scale."""
    if base is not None and name in base.scales:
        b = base.scales[name]
        spec = {"min": b.min, "max": b.max, "discrete": b.discrete, "latent": b.latent}
        rel = reliability.get(name, b.reliability)
    else:
        known = known_scale(name)
        if known is None:
            names = [*sorted(KNOWN_SCALES), *(p + "*" for p in KNOWN_PREFIXES)]
            raise ValueError(
                f"unknown scale {name!r}: not in the base table and not a known scale "
                f"({', '.join(names)}); pass a base table that has it"
            )
        spec = dict(known)
        rel = reliability.get(name)
    if rel is not None and not (isinstance(rel, numbers.Real) and not isinstance(rel, bool) and 0 < rel < 1):
        raise ValueError(f"{name}: reliability must be strictly between 0 and 1, got {rel!r}")
    return spec, rel


def _scale_entry(
    name: str,
    values: Sequence[float],
    se_values: Sequence[float] | None,
    spec: Mapping[str, Any],
    rel: float | None,
    min_n: int,
    estimators: Sequence[str] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The file entry of one scale and its warnings (see :func:`build_norm_table`)."""
    lo, hi = float(spec["min"]), float(spec["max"])
    x = _as_scores(name, values, "scores")
    n = int(x.size)
    if n < 2:
        raise ValueError(f"{name}: at least 2 scores are needed for an SD, got {n}")
    if x.min() < lo or x.max() > hi:
        raise ValueError(f"{name}: scores outside the scale range [{lo:g}, {hi:g}]")
    if spec["discrete"] and not np.all(x == np.round(x)):
        raise ValueError(f"{name}: a discrete scale needs whole-number scores")
    notes = []
    variance = float(x.var(ddof=1))
    if se_values is not None:
        if not spec["latent"]:
            raise ValueError(f"latent_se given for {name!r}, which is not a latent scale")
        se = _as_scores(name, se_values, "latent_se")
        if se.shape != x.shape:
            raise ValueError(f"{name}: {se.size} SEs for {n} scores")
        if np.any(se < 0):
            raise ValueError(f"{name}: SEs must be >= 0")
        sign = np.ones_like(se)
        if estimators is not None:
            kinds = list(estimators)
            if len(kinds) != n:
                raise ValueError(f"{name}: {len(kinds)} estimator names for {n} scores")
            unknown = sorted({k for k in kinds if k not in LATENT_ESTIMATORS}, key=str)
            if unknown:
                raise ValueError(f"{name}: unknown estimator(s) {unknown}; expected one of {LATENT_ESTIMATORS}")
            sign = np.array([1.0 if k == "eap" else -1.0 for k in kinds])
        variance += float(np.mean(sign * se**2))  # module docstring: EAP +SE^2, WLE -SE^2
        if not variance > 0:
            raise ValueError(f"{name}: the estimates' spread is smaller than their measurement error "
                             f"(variance after correction {variance:.4f}); the group's SD cannot be estimated")
    elif spec["latent"]:
        notes.append(
            f"{name}: latent scale built without standard errors; the SD of the point "
            f"estimates is not the SD of the latent ability (EAPs understate it, WLEs "
            f"overstate it)"
        )
    sd = _round(math.sqrt(variance))
    if not sd > 0:
        raise ValueError(f"{name}: all scores are (nearly) equal; the SD is 0")
    if n < min_n:
        notes.append(
            f"{name}: N = {n} is below the recommended minimum norm sample of {min_n}; "
            f"percentiles are imprecise"
        )
    entry: dict[str, Any] = {
        "distribution": "normal",
        "mean": min(max(_round(x.mean()), lo), hi),
        "sd": sd,
        "min": _number(lo),
        "max": _number(hi),
        "discrete": bool(spec["discrete"]),
        "latent": bool(spec["latent"]),
        "n": n,
    }
    if rel is not None:
        entry["reliability"] = _round(rel)
    return entry, notes


def _number(x: float) -> int | float:
    """Whole numbers as int (``1`` rather than ``1.0``), like the provisional tables."""
    return int(x) if float(x).is_integer() else float(x)


def cronbach_alpha(item_scores: np.ndarray, *, missing: str = "listwise") -> float:
    """Cronbach's (1951) coefficient alpha of a persons x items score matrix.

    ``alpha = k / (k - 1) * (1 - sum_i var(X_i) / var(sum_i X_i))``, computed from the item
    covariance matrix C as ``k / (k - 1) * (1 - trace(C) / sum(C))``. For 0/1 items this is
    KR-20 (Kuder & Richardson, 1937). ``item_scores``: shape (P, k), k >= 2; NaN marks a
    missing answer. ``missing="listwise"`` (default) drops every person with a missing
    answer, so all statistics come from the same people; ``"pairwise"`` computes each
    covariance from the people who answered both items (uses more data, but the matrix
    need not be positive semi-definite). Reverse-keyed items must be recoded first.
    Perfectly parallel items give 1; independent items give about 0 (alpha can be
    negative). Raises ValueError when fewer than 2 people remain for some covariance or
    the total score has no variance.
    """
    x = np.asarray(item_scores, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"item_scores must be a 2-D persons x items array, got shape {x.shape}")
    k = x.shape[1]
    if k < 2:
        raise ValueError(f"alpha needs at least 2 items, got {k}")
    if np.any(np.isinf(x)):
        raise ValueError("item_scores contain infinite values")
    if missing == "listwise":
        complete = x[~np.isnan(x).any(axis=1)]
        if complete.shape[0] < 2:
            raise ValueError("fewer than 2 persons with complete answers")
        cov = np.cov(complete, rowvar=False, ddof=1)
    elif missing == "pairwise":
        answered = ~np.isnan(x)
        cov = np.empty((k, k))
        for i in range(k):
            for j in range(i, k):
                both = answered[:, i] & answered[:, j]
                if both.sum() < 2:
                    raise ValueError(f"fewer than 2 persons answered both items {i} and {j}")
                a, b = x[both, i], x[both, j]
                cov[i, j] = cov[j, i] = float(((a - a.mean()) * (b - b.mean())).sum() / (both.sum() - 1))
    else:
        raise ValueError(f"missing must be 'listwise' or 'pairwise', got {missing!r}")
    total = float(cov.sum())
    if not total > 0:
        raise ValueError("the total score has no variance; alpha is undefined")
    return k / (k - 1) * (1.0 - float(np.trace(cov)) / total)


def next_version(group: str, directory: Path | str | None = None) -> str:
    """The next free version of ``group`` in ``directory``: highest existing + 1, or "1"."""
    if not isinstance(group, str) or not _GROUP_RE.match(group):
        raise ValueError(f"group must be a lower-case identifier, got {group!r}")
    versions = available_versions(group, directory)
    return str(max((int(v) for v in versions), default=0) + 1)


def write_table(document: Mapping[str, Any], directory: Path | str | None = None) -> Path:
    """Validate ``document`` and write it to ``<directory>/<group>.v<version>.json``.

    Same rendering as the provisional tables (:func:`norms.tables.render_document`).
    Refuses to overwrite: stored results refer to a table by group and version, so a
    published table never changes (FileExistsError; use :func:`next_version`). Raises
    NormError for an invalid document. Clears the loader's cache so the new table is seen.
    """
    table = parse_norm_table(document)
    directory = Path(directory) if directory is not None else DEFAULT_DIRECTORY
    path = directory / f"{table.group}.v{table.version}.json"
    text = render_document(document)
    directory.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "xb") as handle:  # "x": fail if the file exists, atomically
            handle.write(text.encode("utf-8"))
    except FileExistsError:
        raise FileExistsError(
            f"norm table {path} already exists; published tables are never overwritten "
            f"(next free version: {next_version(table.group, directory)})"
        ) from None
    clear_cache()
    return path
