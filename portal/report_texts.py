"""Texts of the client report and the candidate feedback report, shipped as data.

``portal/data/report_texts.json`` holds every fixed text of the two reports in Swedish and
English: plain-language names of percentile levels (with the cut points), what the logic
test and the personality inventory measure and their limits, per-level texts for the
logic test, what a logic test cut off by the time limit means (``incomplete``), per-scale
texts for every domain and facet of the inventory (among them ``strength``, one sentence
of advice to the candidate on making use of the scale as a strength; the logic test has
one too), explanations of the validity flags, the norm notes, the report introductions,
how to read the synthesis and its findings (``synthesis``, ``findings``), and the
consultant-only follow-up prompts (``consultant``). Every leaf text is an object
``{"sv": ..., "en": ...}``;
:data:`AUDIENCES` says who may read which.

No Flask (the standard library and the shared field checks of :mod:`item_banks.validation`),
so the file can be validated and tested on its own.
:func:`validate` returns every problem as a readable line, e.g.::

    scales/ES.composure/verify: sv is empty
"""

from __future__ import annotations

import functools
import json
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from item_banks.validation import LANGUAGES, MISSING, UNKNOWN, text_faults

DATA_FILE = Path(__file__).resolve().parent / "data" / "report_texts.json"

FORMAT = "second-opinion-report-texts"
#: 2: ``logic/strength`` and ``scales/*/strength`` (the candidate report's strength advice).
VERSION = 2
FALLBACK_LANGUAGE = "en"

#: Level keys from lowest to highest; there is one more level than cut points.
LEVELS = ("low", "below_average", "average", "above_average", "high")
SCALE_KEYS = ("mid", "develop_low", "develop_high", "strength", "verify")
#: Same codes and order as ``item_banks.validity.CODES``.
VALIDITY_CODES = ("too_fast", "long_string", "inconsistency", "acquiescence", "infrequency")

#: Marker for a bilingual leaf text in :data:`SCHEMA`.
T = "text"
_PER_LEVEL = {level: T for level in LEVELS}

#: Required structure, except ``scales`` (which depends on the inventory's scale ids)
#: and ``levels.cut_points`` (checked separately).
SCHEMA: dict[str, Any] = {
    "levels": {"names": _PER_LEVEL},
    "logic": {
        "name": T,
        "measures": T,
        "limits": T,
        "client": _PER_LEVEL,
        "candidate": _PER_LEVEL,
        "strength": T,
    },
    "incomplete": {"client": T, "candidate": T, "verify": T},
    "personality": {"measures": T, "limits": T, "client_intro": T, "candidate_intro": T},
    "validity": {code: {"client": T, "candidate": T} for code in VALIDITY_CODES},
    "norms": {"provisional": T, "band": T},
    "client_report": {"intro": T, "no_ranking": T, "first_opinion": T},
    "candidate_report": {"intro": T, "use": T, "comment": T, "contact": T},
    "synthesis": {
        "how_to_read": T,
        "disagree": T,
        "discounts": {code: T for code in ("incomplete", "flagged", "single_rater", "single_referee")},
        "must": {code: T for code in ("likely", "uncertain", "unlikely", "no_evidence")},
        "expected": T,
    },
    "findings": {"outside_band": T, "below_minimum": T, "incomplete": T, "validity": T,
                 "flags": {code: T for code in VALIDITY_CODES}},
    "consultant": {
        "follow_up": {key: T for key in ("test_interview", "interview_test", "test_reference", "reference_test",
                                         "interview_reference", "reference_interview", "test_test")},
        "question": T,
        "rater_disagreement": T,
    },
}

#: Who may read which texts: paths of :data:`SCHEMA` (``*`` for any key at that level).
#: The client report (``reports/client.html``) uses only ``client`` texts; ``consultant``
#: texts are interview prompts, follow-up scripts and rater remarks, shown on the
#: consultant's synthesis page and interview guide and never in a report a client reads
#: (tested). ``validity/*/client`` and ``incomplete/verify`` were written for the client
#: report before the synthesis model synthesis-2 and contain prompts ("ask in the
#: interview ..."): they are kept unchanged for the reports released with them
#: (``reports/client_v1.html``) and count as consultant texts now.
AUDIENCES: dict[str, tuple[str, ...]] = {
    "client": ("levels", "logic/name", "logic/measures", "logic/limits", "logic/client", "incomplete/client",
               "personality/measures", "personality/limits", "personality/client_intro", "scales/*/mid",
               "norms", "client_report", "synthesis", "findings"),
    "candidate": ("levels", "logic/name", "logic/measures", "logic/limits", "logic/candidate",
                  "logic/strength", "incomplete/candidate", "personality/measures", "personality/limits",
                  "personality/candidate_intro", "scales/*/mid", "scales/*/develop_low", "scales/*/develop_high",
                  "scales/*/strength", "validity/*/candidate", "norms", "candidate_report"),
    "consultant": ("consultant", "incomplete/verify", "scales/*/verify", "validity/*/client"),
}


def audience_allows(audience: str, path: str) -> bool:
    """Does ``audience`` read the text at ``path`` (e.g. ``findings/incomplete``)? A path
    is allowed when one of the audience's entries is a prefix of it, ``*`` matching any
    one key."""
    parts = path.split("/")
    for entry in AUDIENCES[audience]:
        pattern = entry.split("/")
        if len(pattern) <= len(parts) and all(p in ("*", q) for p, q in zip(pattern, parts)):
            return True
    return False


def leaf_texts(texts: Mapping, prefix: str = "") -> Iterable[tuple[str, Mapping[str, str]]]:
    """Every bilingual leaf text as ``(path, {"sv": ..., "en": ...})``."""
    for key, value in texts.items():
        if not isinstance(value, Mapping):
            continue
        path = f"{prefix}/{key}" if prefix else key
        if set(value) == set(LANGUAGES) and all(isinstance(v, str) for v in value.values()):
            yield path, value
        else:
            yield from leaf_texts(value, path)


@functools.lru_cache(maxsize=1)
def load_texts() -> dict:
    """The shipped report texts (read once; the returned dict is shared, do not mutate it).

    Raises ValueError if the file is not a report-texts file of the supported version.
    Content is checked by :func:`validate` (run by the tests), not here.
    """
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise ValueError(f"{DATA_FILE.name}: not a {FORMAT} file of version {VERSION}")
    return data


def text(entry: Mapping[str, str], lang: str) -> str:
    """The text of ``entry`` in ``lang``, or the English text for an unknown (or empty) language."""
    value = entry.get(lang) if lang in LANGUAGES else None
    return value or entry[FALLBACK_LANGUAGE]


def level_key(percentile: float, cut_points: Iterable[float] | None = None) -> str:
    """The level key of a percentile: below the first cut point "low", at or above the last "high".

    A percentile equal to a cut point belongs to the level above it. The cut points are
    those of the shipped file unless given.
    """
    cuts = list(cut_points) if cut_points is not None else load_texts()["levels"]["cut_points"]
    if len(cuts) != len(LEVELS) - 1:
        raise ValueError(f"expected {len(LEVELS) - 1} cut points, got {len(cuts)}")
    return LEVELS[bisect_right(cuts, percentile)]


def _check_text(value: Any, path: str, problems: list[str]) -> None:
    faults = text_faults(value)
    if faults is None:
        problems.append(f"{path}: must be an object with sv and en texts")
        return
    for lang, fault in faults:
        if fault == MISSING:
            problems.append(f"{path}: {lang} is missing")
        elif fault != UNKNOWN:
            problems.append(f"{path}: {lang} is empty")
    extra = [lang for lang, fault in faults if fault == UNKNOWN]
    if extra:
        problems.append(f"{path}: unexpected languages {', '.join(map(str, extra))}")
    sv, en = value.get("sv"), value.get("en")
    if isinstance(sv, str) and isinstance(en, str) and sv.strip() and sv.strip() == en.strip():
        problems.append(f"{path}: sv is identical to en (not translated)")


def _check(value: Any, schema: Any, path: str, problems: list[str]) -> None:
    if schema == T:
        _check_text(value, path, problems)
        return
    if not isinstance(value, Mapping):
        problems.append(f"{path}: must be an object")
        return
    for key, sub in schema.items():
        sub_path = f"{path}/{key}" if path else key
        if key not in value:
            problems.append(f"{sub_path}: missing")
        else:
            _check(value[key], sub, sub_path, problems)


def _check_cut_points(cuts: Any, problems: list[str]) -> None:
    path = "levels/cut_points"
    if not isinstance(cuts, list) or len(cuts) != len(LEVELS) - 1:
        problems.append(f"{path}: must be a list of {len(LEVELS) - 1} percentiles")
        return
    if not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in cuts):
        problems.append(f"{path}: must be numbers")
        return
    if any(not 0 < c < 100 for c in cuts):
        problems.append(f"{path}: every cut point must lie between 0 and 100")
    if any(a >= b for a, b in zip(cuts, cuts[1:])):
        problems.append(f"{path}: must be in strictly increasing order, got {cuts}")


def validate(texts: Any, scale_ids: Iterable[str]) -> list[str]:
    """Every problem of a report-texts document, as readable lines (empty if it is valid).

    ``scale_ids`` are the inventory's domain and facet ids; each needs an entry in
    ``scales`` and ``scales`` may hold no others.
    """
    if not isinstance(texts, Mapping):
        return ["document: must be a JSON object"]
    problems: list[str] = []
    if texts.get("format") != FORMAT:
        problems.append(f"format: must be {FORMAT!r}, got {texts.get('format')!r}")
    if texts.get("version") != VERSION:
        problems.append(f"version: must be {VERSION}, got {texts.get('version')!r}")
    allowed = {"format", "version", "scales", *SCHEMA}
    for key in sorted(set(texts) - allowed):
        problems.append(f"{key}: unexpected section")
    levels = texts.get("levels")
    if isinstance(levels, Mapping):
        if "cut_points" not in levels:
            problems.append("levels/cut_points: missing")
        else:
            _check_cut_points(levels["cut_points"], problems)
    _check(texts, SCHEMA, "", problems)

    ids = list(dict.fromkeys(scale_ids))
    scales = texts.get("scales")
    if not isinstance(scales, Mapping):
        problems.append("scales: missing" if scales is None else "scales: must be an object")
    else:
        for scale_id in ids:
            if scale_id not in scales:
                problems.append(f"scales/{scale_id}: missing")
            else:
                _check(scales[scale_id], {k: T for k in SCALE_KEYS}, f"scales/{scale_id}", problems)
        for scale_id in sorted(set(scales) - set(ids)):
            problems.append(f"scales/{scale_id}: not a scale of the inventory")
    return problems
