"""Content checks for logic items and banks, used by the validator and by the tests.

Every check recomputes the answer *independently of the generator's stated key*:

- **Series** (number and letter): the series is parsed from the stem; the rule named by
  the item's ``model`` is fitted to the shown terms alone (:func:`series_predictions`) and
  must predict exactly the key; the rule parameters in ``structure`` must reproduce the
  shown terms and the same next term (:func:`series_terms`). No *other* rule family that
  fits the shown terms may predict a different value that is among the options (that
  would make a distractor defensible).
- **Deductive**: brute force over every model of the premises' logical form (orderings,
  sets of "kinds of person", truth assignments, orderings with truth assignments);
  exactly one option may follow, and it must be the key; for quantified statements also
  when every group named is read as non-empty. The names in the logical form must appear
  in the option texts.
- **Matrix**: delegated to :func:`item_banks.matrix_check.check_matrix_item`.
- Every SVG string must pass :func:`item_banks.svg.check_svg`.

Bank-level: duplicates (:func:`item_signatures`), shortcut rates (how often do "take the
middle option" and "take the option closest to the options' mean" find the key? for matrices
:func:`item_banks.matrix_check.shortcut_rate`) and the distribution of the IRT ``b``
parameters (:func:`difficulty_report`).

Functions return lists of problem strings without the file/item prefix; the validator
adds it. They never raise on bad content.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from .schema import (
    IRT_A_RANGE,
    IRT_B_RANGE,
    MATRIX_SHORTCUT_MAX,
    SERIES_SHORTCUT_MAX,
)
from .team_names import name_in
from .validation import is_number, non_empty_string

AZ = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SERIES_TYPES = ("number_series", "letter_series")
BAND_WIDTH = 0.5
BAND_RANGE = (-4.0, 4.0)
#: whole-unit bands that an operational bank must cover
REQUIRED_UNIT_BANDS = ((-2, -1), (-1, 0), (0, 1), (1, 2))
#: Items each type needs at both ends of the ability range in an operational bank.
RANGE_ENDS = {"hard_b": 1.5, "hard_n": 25, "easy_b": -1.5, "easy_n": 10}


def _thaw(value: Any) -> Any:
    """Plain dicts/lists from loaded (read-only) items, so both kinds can be checked.

    Parsed JSON (dicts and lists) is returned as it is."""
    if isinstance(value, (dict, list)):
        return value
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_thaw(v) for v in value]
    return value


# =========================================================================== signatures


def item_signatures(item: Mapping) -> tuple:
    """Keys under which two items count as duplicates.

    Same type and same stem (and figure) in both languages, or same type, model and
    ``structure`` (e.g. the same premises phrased differently).
    """
    stem = item.get("stem") or {}
    sigs = [("stem", item.get("type"), _canonical(stem), item.get("figure"))]
    structure = item.get("structure")
    if structure:
        sigs.append(("structure", item.get("type"), item.get("model"), _canonical(structure)))
    return tuple(sigs)


def _canonical(value: Any) -> str:
    """Canonical JSON text (loaded, read-only mappings are written like dicts)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=dict)


def duplicate_problems(items: Iterable[Mapping]) -> list[tuple[str, str]]:
    """(item id, problem) for every item that repeats an earlier one."""
    seen: dict[tuple, str] = {}
    out = []
    for item in items:
        item_id = str(item.get("id"))
        for sig in item_signatures(item):
            if sig in seen:
                what = "stem" if sig[0] == "stem" else "structure"
                out.append((item_id, f"duplicate of item {seen[sig]} (same type and {what})"))
                break
        else:
            for sig in item_signatures(item):
                seen[sig] = item_id
    return out


# =========================================================================== series


def _diffs(xs: list[int]) -> list[int]:
    return [b - a for a, b in itertools.pairwise(xs)]


def _letter_diff(a: int, b: int) -> int:
    """Step from a to b in the A-Z cycle, as a value in -13..12."""
    return (b - a + 13) % 26 - 13


def _number_predictions(shown: list[int]) -> dict[str, set[int]]:
    """Next terms that each number series rule family predicts from the shown terms.

    A family only predicts when every part of its rule is seen at least twice (so e.g.
    three interleaved sub-series of two terms each, which fit anything, predict nothing).
    """
    n = len(shown)
    d = _diffs(shown)
    out: dict[str, set[int]] = {}
    if n >= 3 and len(set(d)) == 1 and d[0] != 0:
        out["constant_difference"] = {shown[-1] + d[0]}
    dd = _diffs(d)
    if n >= 4 and len(set(dd)) == 1 and dd[0] != 0:
        out["growing_difference"] = {shown[-1] + d[-1] + dd[0]}
    nxt = _ratio_next(shown)
    if nxt is not None:
        out["ratio"] = {nxt}
    for p in (2, 3):
        if len(d) < 2 * p:
            continue
        # additive cycle
        if all(d[i] == d[i % p] for i in range(len(d))) and len(set(d[:p])) > 1:
            out.setdefault("alternating_difference", set()).add(shown[-1] + d[len(d) % p])
        # cycle of operations: each phase additive or multiplicative
        nxt = _operation_cycle(shown, p)
        if nxt is not None:
            out.setdefault("alternating_operations", set()).add(nxt)
    for k in (2, 3):
        subs = [shown[j::k] for j in range(k)]
        if all(len(s) >= 3 and len(set(_diffs(s))) == 1 for s in subs):
            s = subs[n % k]
            out.setdefault("interleaved", set()).add(s[-1] + _diffs(s)[0])
    # differences that grow by a factor, rising or falling (all of one sign)
    if (n >= 4 and (all(x > 0 for x in d) or all(x < 0 for x in d))
            and all(b % a == 0 for a, b in itertools.pairwise(d))):
        qs = {b // a for a, b in itertools.pairwise(d)}
        if len(qs) == 1 and min(qs) >= 2:
            out["ratio_difference"] = {shown[-1] + d[-1] * qs.pop()}
    for m in (2, 3):
        if n >= m + 2 and all(shown[i] == sum(shown[i - m:i]) for i in range(m, n)):
            out.setdefault("fibonacci_like", set()).add(sum(shown[-m:]))
    nxt = _growing_ratio_next(shown)
    if nxt is not None:
        out["growing_ratio"] = {nxt}
    # two sub-series taking turns, one of them repeating a number
    subs = [shown[0::2], shown[1::2]]
    if all(len(s) >= 3 for s in subs) and sorted(len(set(s)) == 1 for s in subs) == [False, True]:
        changing = next(s for s in subs if len(set(s)) > 1)
        dc = _diffs(changing)
        if len(set(dc)) == 1:
            s = subs[n % 2]
            out["with_repeat"] = {s[-1] if len(set(s)) == 1 else s[-1] + dc[0]}
    # every number twice, the pairs a constant step apart
    values = shown[0::2]
    dv = _diffs(values)
    if (n >= 5 and all(shown[i] == shown[i + 1] for i in range(0, n - 1, 2)) and len(values) >= 3
            and len(set(dv)) == 1 and dv[0] != 0):
        out["pairs"] = {shown[-1] if n % 2 else shown[-1] + dv[0]}
    # two sub-series taking turns, each with its own kind of rule
    fits = [_number_sub_fits(s) for s in subs]
    if all(fits):
        out["interleaved_rules"] = fits[n % 2]
    return out


def _ratio_next(xs: list[int]) -> int | None:
    """Next term if ``xs`` (3 or more) is multiplied or divided by one whole number >= 2."""
    if len(xs) < 3 or any(x <= 0 for x in xs):
        return None
    if xs[1] % xs[0] == 0 and xs[1] // xs[0] >= 2:
        r = xs[1] // xs[0]
        if all(b == a * r for a, b in itertools.pairwise(xs)):
            return xs[-1] * r
    elif xs[0] % xs[1] == 0 and xs[0] // xs[1] >= 2:
        r = xs[0] // xs[1]
        if all(a == b * r for a, b in itertools.pairwise(xs)) and xs[-1] % r == 0:
            return xs[-1] // r
    return None


def _growing_ratio_next(xs: list[int]) -> int | None:
    """Next term if the factors (or divisors) between terms are whole numbers >= 2 that
    change by a constant non-zero step (x2, x3, x4, ...); 4 or more terms."""
    if len(xs) < 4 or any(x <= 0 for x in xs):
        return None
    pairs = list(itertools.pairwise(xs))
    if all(b % a == 0 for a, b in pairs):
        factors, divide = [b // a for a, b in pairs], False
    elif all(a % b == 0 for a, b in pairs):
        factors, divide = [a // b for a, b in pairs], True
    else:
        return None
    steps = set(_diffs(factors))
    if min(factors) < 2 or len(steps) != 1 or 0 in steps:
        return None
    f = factors[-1] + steps.pop()
    if f < 2 or (divide and xs[-1] % f):
        return None
    return xs[-1] // f if divide else xs[-1] * f


def _number_sub_fits(xs: list[int]) -> set[int]:
    """Next terms of one sub-series under every simple rule it fits (repeat or constant
    difference from 3 terms, growing difference from 4, ratio from 3)."""
    out: set[int] = set()
    d = _diffs(xs)
    if len(xs) >= 3 and len(set(d)) == 1:
        out.add(xs[-1] + d[0])
    dd = _diffs(d)
    if len(xs) >= 4 and len(set(dd)) == 1 and dd[0] != 0:
        out.add(xs[-1] + d[-1] + dd[0])
    r = _ratio_next(xs)
    if r is not None:
        out.add(r)
    return out


def _operation_cycle(shown: list[int], p: int) -> int | None:
    """Next term if the transitions cycle through ``p`` operations (each +k or xk)."""
    steps = list(itertools.pairwise(shown))
    ops = []
    for phase in range(p):
        mine = steps[phase::p]
        if len(mine) < 2:
            return None
        diffs = {b - a for a, b in mine}
        if len(diffs) == 1:
            ops.append(("+", diffs.pop()))
            continue
        if all(a != 0 and b % a == 0 for a, b in mine):
            ratios = {b // a for a, b in mine}
            if len(ratios) == 1 and min(ratios) >= 2:
                ops.append(("*", ratios.pop()))
                continue
        return None
    if len(set(ops)) == 1:
        return None  # a single repeated operation is not a cycle
    op, arg = ops[len(steps) % p]
    return shown[-1] + arg if op == "+" else shown[-1] * arg


def _letter_predictions(shown: list[int]) -> dict[str, set[int]]:
    """Like :func:`_number_predictions` for alphabet positions, steps taken mod 26."""
    n = len(shown)
    d = [_letter_diff(a, b) for a, b in itertools.pairwise(shown)]
    out: dict[str, set[int]] = {}
    if n >= 3 and len(set(d)) == 1 and d[0] != 0:
        nxt = (shown[-1] + d[0]) % 26
        out["constant_step"] = {nxt}
        out["cycle"] = {nxt}
    dd = _diffs(d)
    if n >= 4 and len(set(dd)) == 1 and dd[0] != 0:
        out["growing_step"] = {(shown[-1] + d[-1] + dd[0]) % 26}
    for p in (2, 3):
        if len(d) >= 2 * p and all(d[i] == d[i % p] for i in range(len(d))) and len(set(d[:p])) > 1:
            out.setdefault("alternating_step", set()).add((shown[-1] + d[len(d) % p]) % 26)
    for k in (2, 3):
        subs = [shown[j::k] for j in range(k)]
        steps = [[_letter_diff(a, b) for a, b in itertools.pairwise(s)] for s in subs]
        if all(len(s) >= 3 and len(set(st)) == 1 for s, st in zip(subs, steps)):
            j = n % k
            out.setdefault("interleaved", set()).add((subs[j][-1] + steps[j][0]) % 26)
    # two sub-series taking turns, one of them repeating a letter
    subs = [shown[0::2], shown[1::2]]
    if all(len(s) >= 3 for s in subs) and sorted(len(set(s)) == 1 for s in subs) == [False, True]:
        changing = next(s for s in subs if len(set(s)) > 1)
        steps = {_letter_diff(a, b) for a, b in itertools.pairwise(changing)}
        if len(steps) == 1:
            s = subs[n % 2]
            out["with_repeat"] = {s[-1] if len(set(s)) == 1 else (s[-1] + steps.pop()) % 26}
    # two sub-series taking turns, each with its own kind of rule
    fits = [_letter_sub_fits(s) for s in subs]
    if all(fits):
        out["interleaved_rules"] = fits[n % 2]
    return out


def _letter_sub_fits(xs: list[int]) -> set[int]:
    """Next letters of one sub-series (or one place in letter groups) under every simple
    rule it fits: the same letter or a constant step from 3 letters, growing steps from 4."""
    out: set[int] = set()
    d = [_letter_diff(a, b) for a, b in itertools.pairwise(xs)]
    if len(xs) >= 3 and len(set(d)) == 1:
        out.add((xs[-1] + d[0]) % 26)
    dd = _diffs(d)
    if len(xs) >= 4 and len(set(dd)) == 1 and dd[0] != 0:
        out.add((xs[-1] + d[-1] + dd[0]) % 26)
    return out


def _letter_spec_terms(spec: Mapping[str, Any], m: int) -> list[int]:
    """The first ``m`` positions (mod 26) of one letter sub-series or group place
    (``interleaved_rules``, ``group_positions``)."""
    kind = spec["kind"]
    if kind == "same":
        return [AZ.index(spec["letter"])] * m
    start = AZ.index(spec["start"])
    if kind == "constant":
        return [(start + i * spec["step"]) % 26 for i in range(m)]
    if kind == "growing":
        out = [start]
        for i in range(m - 1):
            out.append(out[-1] + spec["first_step"] + i * spec["step_increase"])
        return [p % 26 for p in out]
    raise ValueError(f"unknown kind of sub-series {kind!r}")


def series_predictions(item_type: str, shown: list[int]) -> dict[str, set[int]]:
    """Rule family -> next terms it predicts from the shown terms alone (no parameters).

    For letter series the terms are alphabet positions (A = 0) and steps wrap around.
    """
    return _number_predictions(shown) if item_type == "number_series" else _letter_predictions(shown)


def series_terms(model: str, params: Mapping[str, Any], n: int) -> list[int]:
    """The first ``n`` terms generated by a rule's parameters (letters as positions, mod 26).

    Raises KeyError/ValueError/TypeError for a rule or parameters it does not know.
    """
    item_type, rule = model.split(".", 1)
    if item_type == "letter_series":
        def pos(letter: str) -> int:
            if not (isinstance(letter, str) and len(letter) == 1 and letter in AZ):
                raise ValueError(f"not a letter A-Z: {letter!r}")
            return AZ.index(letter)

        if rule in ("constant_step", "cycle"):
            return [(pos(params["start"]) + i * params["step"]) % 26 for i in range(n)]
        if rule == "growing_step":
            out = [pos(params["start"])]
            for i in range(n - 1):
                out.append(out[-1] + params["first_step"] + i * params["step_increase"])
            return [p % 26 for p in out]
        if rule == "alternating_step":
            out = [pos(params["start"])]
            for i in range(n - 1):
                out.append(out[-1] + params["steps"][i % len(params["steps"])])
            return [p % 26 for p in out]
        if rule in ("interleaved", "with_repeat"):
            k = len(params["starts"])
            return [(pos(params["starts"][i % k]) + (i // k) * params["steps"][i % k]) % 26 for i in range(n)]
        if rule == "interleaved_rules":
            specs = params["subseries"]
            k = len(specs)
            subs = [_letter_spec_terms(spec, n // k + 1) for spec in specs]
            return [subs[i % k][i // k] for i in range(n)]
        raise ValueError(f"unknown letter series rule {rule!r}")
    if item_type != "number_series":
        raise ValueError(f"not a series model: {model!r}")
    if rule == "constant_difference":
        return [params["start"] + i * params["difference"] for i in range(n)]
    if rule == "growing_difference":
        out = [params["start"]]
        for i in range(n - 1):
            out.append(out[-1] + params["first_difference"] + i * params["difference_step"])
        return out
    if rule == "ratio":
        r = params["factor"]
        if params.get("divide"):
            out = [params["start"]]
            for _ in range(n - 1):
                if out[-1] % r:
                    raise ValueError("division does not come out even")
                out.append(out[-1] // r)
            return out
        return [params["start"] * r**i for i in range(n)]
    if rule == "alternating_difference":
        out = [params["start"]]
        ds = params["differences"]
        for i in range(n - 1):
            out.append(out[-1] + ds[i % len(ds)])
        return out
    if rule == "alternating_operations":
        out = [params["start"]]
        ops = params["operations"]
        for i in range(n - 1):
            op, arg = ops[i % len(ops)]
            if op not in ("+", "*"):
                raise ValueError(f"unknown operation {op!r}")
            out.append(out[-1] + arg if op == "+" else out[-1] * arg)
        return out
    if rule in ("interleaved", "with_repeat"):
        k = len(params["starts"])
        return [params["starts"][i % k] + (i // k) * params["differences"][i % k] for i in range(n)]
    if rule == "pairs":
        return [params["start"] + (i // params["repeats"]) * params["difference"] for i in range(n)]
    if rule == "interleaved_rules":
        specs = params["subseries"]
        k = len(specs)
        subs = [_spec_terms(spec, n // k + 1) for spec in specs]
        return [subs[i % k][i // k] for i in range(n)]
    if rule == "growing_ratio":
        out = [params["start"]]
        for i in range(n - 1):
            f = params["first_factor"] + i * params["factor_step"]
            if params["divide"]:
                if out[-1] % f:
                    raise ValueError("division does not come out even")
                out.append(out[-1] // f)
            else:
                out.append(out[-1] * f)
        return out
    if rule == "ratio_difference":
        out = [params["start"]]
        for i in range(n - 1):
            out.append(out[-1] + params["first_difference"] * params["difference_ratio"] ** i)
        return out
    if rule == "fibonacci_like":
        out = list(params["starts"])
        m = params["n_summed"]
        while len(out) < n:
            out.append(sum(out[-m:]))
        return out[:n]
    raise ValueError(f"unknown number series rule {rule!r}")


def _spec_terms(spec: Mapping[str, Any], m: int) -> list[int]:
    """The first ``m`` terms of one sub-series of an ``interleaved_rules`` number series."""
    kind = spec["kind"]
    if kind == "same":
        return [spec["value"]] * m
    if kind == "constant":
        return [spec["start"] + i * spec["difference"] for i in range(m)]
    if kind == "growing":
        out = [spec["start"]]
        for i in range(m - 1):
            out.append(out[-1] + spec["first_difference"] + i * spec["difference_step"])
        return out
    if kind == "ratio":
        out = [spec["start"]]
        for _ in range(m - 1):
            if spec["divide"] and out[-1] % spec["factor"]:
                raise ValueError("division does not come out even")
            out.append(out[-1] // spec["factor"] if spec["divide"] else out[-1] * spec["factor"])
        return out
    raise ValueError(f"unknown kind of sub-series {kind!r}")


_NUMBER_RE = re.compile(r"^-?\d+$")


def _parse_value(item_type: str, text: str) -> int | tuple[int, ...] | None:
    text = text.strip()
    if item_type == "number_series":
        return int(text) if _NUMBER_RE.match(text) else None
    if text and all(ch in AZ for ch in text):
        return AZ.index(text) if len(text) == 1 else tuple(AZ.index(ch) for ch in text)
    return None


def _option_values(item: Mapping) -> list | None:
    values = []
    for option in item.get("options", []):
        if not isinstance(option, Mapping) or option.get("sv") != option.get("en"):
            return None
        values.append(_parse_value(item["type"], str(option.get("en", ""))))
    return None if any(v is None for v in values) else values


def _value_text(item_type: str, value: int | tuple) -> str:
    if item_type == "number_series":
        return str(value)
    if isinstance(value, tuple):
        return "".join(AZ[p % 26] for p in value)
    return AZ[value % 26]


def check_series_item(item: Mapping) -> list[str]:
    """Problems with a number or letter series item (see module docstring)."""
    item_type = item.get("type")
    stem = item.get("stem") or {}
    sv_lines, en_lines = str(stem.get("sv", "")).split("\n"), str(stem.get("en", "")).split("\n")
    if sv_lines[0] != en_lines[0]:
        return ["series differs between Swedish and English stem"]
    parts = sv_lines[0].split(", ")
    if len(parts) < 4 or parts[-1] != "?":
        return [f"stem is not a series ending in '?': {sv_lines[0]!r}"]
    shown_raw = [_parse_value(item_type, p) for p in parts[:-1]]
    if any(v is None for v in shown_raw):
        return [f"stem has a term that is not a {'number' if item_type == 'number_series' else 'letter'}"]
    problems: list[str] = []
    if item_type == "letter_series":
        if len(sv_lines) < 2 or "A–Z" not in sv_lines[1] or "Å, Ä och Ö" not in sv_lines[1]:
            problems.append("Swedish stem must state the alphabet A–Z without Å, Ä and Ö")
        if len(en_lines) < 2 or "A–Z" not in en_lines[1]:
            problems.append("English stem must state the alphabet A–Z")
    model = str(item.get("model", ""))
    rule = model.split(".", 1)[1] if "." in model else ""
    structure = item.get("structure") or {}
    stated = structure.get("shown")
    if stated is not None and [str(s) for s in stated] != parts[:-1]:
        problems.append("structure.shown does not match the series in the stem")
    values = _option_values(item)
    if values is None:
        return problems + ["options must be the same in both languages and parse as series terms"]
    key = item.get("key")
    if not isinstance(key, int) or not 0 <= key < len(values):
        return problems + ["key is not an option index"]
    if rule in ("letter_groups", "group_positions"):
        return problems + _check_letter_groups(item, shown_raw, values, key)
    if any(isinstance(v, tuple) for v in shown_raw + values):
        return problems + ["letter groups in a series whose model is not a group model"]
    shown = [int(v) for v in shown_raw]  # type: ignore[arg-type]
    predictions = series_predictions(item_type, shown)
    own = predictions.get(rule)
    if own is None:
        problems.append(f"the shown terms do not follow the rule {rule!r} (or show too little of it)")
        return problems
    if len(own) != 1:
        problems.append(f"rule {rule!r} allows several next terms: {sorted(own)}")
        return problems
    expected = next(iter(own))
    params = structure.get("rule")
    if params is not None:
        try:
            terms = series_terms(model, params, len(shown) + 1)
        except (KeyError, ValueError, TypeError, IndexError) as exc:
            problems.append(f"structure.rule cannot be evaluated: {exc}")
        else:
            if terms[:-1] != shown:
                problems.append("structure.rule does not reproduce the shown terms")
            elif terms[-1] != expected:
                problems.append("structure.rule gives another next term than the shown terms")
    matches = [i for i, v in enumerate(values) if v == expected]
    if not matches:
        problems.append(f"no option is the next term {_value_text(item_type, expected)}")
    elif len(matches) > 1:
        problems.append(f"the next term {_value_text(item_type, expected)} appears in {len(matches)} options")
    elif matches[0] != key:
        problems.append(f"key is option {key} ({_value_text(item_type, values[key])}), but the next term is "
                        f"option {matches[0]} ({_value_text(item_type, expected)})")
    for family, nexts in sorted(predictions.items()):
        for v in sorted(nexts - {expected}):
            if v in values:
                problems.append(f"distractor {_value_text(item_type, v)} also continues the series "
                                f"(rule {family})")
    return problems


def _group_readings(groups: list[tuple[int, ...]]) -> dict[str, set[tuple[int, ...]]]:
    """Next group under each rule family for letter groups (alphabet positions).

    ``letter_groups``: one step inside every group (0 = the same letter repeated) and one
    step from group to group. ``group_positions``: every place in the group follows its
    own rule (same letter, constant step, or growing steps from 4 groups on).
    """
    out: dict[str, set[tuple[int, ...]]] = {}
    size = len(groups[0])
    inner = {_letter_diff(a, b) for g in groups for a, b in itertools.pairwise(g)}
    outer = {_letter_diff(a[0], b[0]) for a, b in itertools.pairwise(groups)}
    if len(inner) == 1 and len(outer) == 1:
        i, o = inner.pop(), outer.pop()
        out["letter_groups"] = {tuple((groups[-1][0] + o + m * i) % 26 for m in range(size))}
    places = [_letter_sub_fits([g[m] for g in groups]) for m in range(size)]
    if all(places):
        out["group_positions"] = {tuple(c) for c in itertools.product(*places)}
    return out


def _check_letter_groups(item: Mapping, shown: list, values: list, key: int) -> list[str]:
    """Letter groups (``letter_groups``, ``group_positions``): the model's reading of the
    shown groups must give exactly one next group, the key; ``structure.rule`` must
    describe the shown groups; no other reading may give another option."""
    groups = [g if isinstance(g, tuple) else (g,) for g in shown]
    size = len(groups[0])
    if size < 2 or any(len(g) != size for g in groups) or len(groups) < 3:
        return ["letter groups must all have the same size (2 or more) and at least 3 be shown"]
    rule = str(item.get("model", "")).split(".", 1)[-1]
    readings = _group_readings(groups)
    own = readings.get(rule)
    if own is None:
        what = ("one step inside and one step between groups" if rule == "letter_groups"
                else "one rule for every place in the groups")
        return [f"the shown groups do not follow {what}"]
    if len(own) != 1:
        return [f"rule {rule!r} allows several next groups"]
    expected = next(iter(own))
    problems = []
    params = (item.get("structure") or {}).get("rule")
    if params is not None:
        try:
            if rule == "letter_groups":
                ok = (params["inner_step"], params["group_step"], params["group_size"]) == (
                    _letter_diff(groups[0][0], groups[0][1]), _letter_diff(groups[0][0], groups[1][0]), size) and \
                    AZ.index(params["start"]) == groups[0][0]
            else:
                cols = [_letter_spec_terms(spec, len(groups) + 1) for spec in params["positions"]]
                ok = ([tuple(c[k] for c in cols) for k in range(len(groups))] == groups
                      and tuple(c[-1] for c in cols) == expected)
        except (KeyError, ValueError, TypeError, IndexError):
            ok = False
        if not ok:
            problems.append("structure.rule does not describe the shown groups")
    normalised = [v if isinstance(v, tuple) else (v,) for v in values]
    matches = [k for k, v in enumerate(normalised) if v == expected]
    text = _value_text("letter_series", expected)
    if len(matches) != 1:
        problems.append(f"the next group {text} must be exactly one option (found {len(matches)})")
    elif matches[0] != key:
        problems.append(f"key is option {key}, but the next group {text} is option {matches[0]}")
    for family, nexts in sorted(readings.items()):
        for v in sorted(nexts - {expected}):
            if v in normalised:
                problems.append(f"distractor {_value_text('letter_series', v)} also continues the series "
                                f"(rule {family})")
    return problems


# =========================================================================== deductive


def _lit(v: Mapping[str, bool], literal: Any) -> bool:
    if isinstance(literal, list):
        if len(literal) != 2 or literal[0] != "not":
            raise ValueError(f"bad literal {literal!r}")
        return not v[literal[1]]
    return v[literal]


def _atoms(form: Any) -> set[str]:
    if isinstance(form, list):
        return set().union(*(_atoms(x) for x in form[1:])) if len(form) > 1 else set()
    return {form}


def entails_order(entities: list[str], premises: list[list], form: list) -> bool:
    """Whether an ordering option follows: checked in every ranking consistent with the premises.

    Premises are ``["gt", x, y]``; options ``gt``, ``undetermined_pair``, ``top``,
    ``bottom`` or ``["undetermined", "top" | "bottom"]``. Raises ValueError when the
    premises are contradictory or a form is unknown.
    """
    models = _order_models(tuple(entities), json.dumps(premises))
    if not models:
        raise ValueError("premises are contradictory")

    def holds(f: list) -> bool:
        op = f[0]
        if op == "gt":
            return all(m[f[1]] < m[f[2]] for m in models)
        if op == "top":
            return all(m[f[1]] == 0 for m in models)
        if op == "bottom":
            return all(m[f[1]] == len(entities) - 1 for m in models)
        if op == "undetermined_pair":
            return not holds(["gt", f[1], f[2]]) and not holds(["gt", f[2], f[1]])
        if op == "undetermined":
            return not any(holds([f[1], e]) for e in entities)
        raise ValueError(f"unknown ordering form {op!r}")

    return holds(form)


@lru_cache(maxsize=256)
def _order_models(entities: tuple[str, ...], premises_json: str) -> list[dict[str, int]]:
    premises = json.loads(premises_json)
    for p in premises:
        if p[0] != "gt" or p[1] not in entities or p[2] not in entities:
            raise ValueError(f"bad ordering premise {p!r}")
    models = []
    for perm in itertools.permutations(entities):
        rank = {e: r for r, e in enumerate(perm)}
        if all(rank[hi] < rank[lo] for _, hi, lo in premises):
            models.append(rank)
    return models


def _monadic_true(f: list, world: tuple, person: frozenset) -> bool:
    op = f[0]
    if op == "all":
        return all(f[2] in k for k in world if f[1] in k)
    if op == "none":
        return not any(f[1] in k and f[2] in k for k in world)
    if op == "some":
        return any(f[1] in k and f[2] in k for k in world)
    if op == "some_not":
        return any(f[1] in k and f[2] not in k for k in world)
    if op == "is":
        return f[2] in person
    if op == "is_not":
        return f[2] not in person
    raise ValueError(f"unknown monadic form {op!r}")


def entails_monadic(premises: list[list], form: list, *, existential_import: bool = False) -> bool:
    """Monadic predicate logic by brute force.

    A model is a non-empty set of "kinds of person" (which predicates a person has) plus
    the kind of the named person. ``form`` follows when it is true in every model of the
    premises; ``["undetermined", name, P]`` follows when neither ``is`` nor ``is_not`` does,
    ``["undetermined_some", P, Q]`` when neither ``some`` nor ``none`` does.

    With ``existential_import`` only models in which every predicate named in the premises
    applies to someone count: the everyday reading of "everyone who ..." (Aristotelian
    logic assumes such groups are not empty; Johnson-Laird & Byrne, 1991). An option that
    follows under either reading is defensible, so the checker tries both.
    """
    forms = premises + [form]
    preds = sorted({f[2] for f in forms}
                   | {f[1] for f in forms if f[0] in ("all", "none", "some", "some_not", "undetermined_some")})
    if len(preds) > 4:
        raise ValueError("too many predicates to check by brute force")
    models = _monadic_models(json.dumps(premises), tuple(preds), existential_import)
    if not models:
        raise ValueError("premises are contradictory")
    if form[0] == "undetermined":
        yes = all(_monadic_true(["is", *form[1:]], w, p) for w, p in models)
        no = all(_monadic_true(["is_not", *form[1:]], w, p) for w, p in models)
        return not yes and not no
    if form[0] == "undetermined_some":
        some = all(_monadic_true(["some", *form[1:]], w, p) for w, p in models)
        none = all(_monadic_true(["none", *form[1:]], w, p) for w, p in models)
        return not some and not none
    return all(_monadic_true(form, w, p) for w, p in models)


@lru_cache(maxsize=512)
def _monadic_models(premises_json: str, preds: tuple[str, ...],
                    existential_import: bool = False) -> list[tuple[tuple, frozenset]]:
    premises = json.loads(premises_json)
    named = {f[2] for f in premises} | {f[1] for f in premises if f[0] in ("all", "none", "some", "some_not")}
    kinds = [frozenset(c) for r in range(len(preds) + 1) for c in itertools.combinations(preds, r)]
    models = []
    for mask in range(1, 2 ** len(kinds)):
        world = tuple(k for i, k in enumerate(kinds) if mask >> i & 1)
        if existential_import and not all(any(q in k for k in world) for q in named):
            continue
        for person in world:
            if all(_monadic_true(p, world, person) for p in premises):
                models.append((world, person))
    return models


def entails_propositional(premises: list[list], form: list) -> bool:
    """Propositional logic by truth table.

    Premises: ``["if", L1, L2]`` (L = atom or ``["not", atom]``), ``["fact", atom]``,
    ``["not", atom]``. Options additionally ``["undetermined", atom]`` (true in some models
    and false in others), ``["if", L1, L2]`` and ``["and", L1, L2]``.
    """
    atoms = sorted(set().union(*(_atoms(f) for f in premises + [form])))

    def true(f: list, v: Mapping[str, bool]) -> bool:
        op = f[0]
        if op == "if":
            return not _lit(v, f[1]) or _lit(v, f[2])
        if op == "and":
            return _lit(v, f[1]) and _lit(v, f[2])
        if op == "fact":
            return v[f[1]]
        if op == "not":
            return not v[f[1]]
        raise ValueError(f"unknown propositional form {op!r}")

    models = []
    for values in itertools.product([False, True], repeat=len(atoms)):
        v = dict(zip(atoms, values))
        if all(true(p, v) for p in premises):
            models.append(v)
    if not models:
        raise ValueError("premises are contradictory")
    if form[0] == "undetermined":
        return len({m[form[1]] for m in models}) == 2
    return all(true(form, m) for m in models)


def entails_mixed(entities: list[str], premises: list[list], form: list) -> bool:
    """Orderings and conditionals together: every (ranking, truth assignment) pair.

    Premises: ``["gt", x, y]``, ``["if", C, L]``, ``["fact", atom]``, ``["not", atom]``,
    where a condition or consequence C, L is an atom, ``["not", atom]`` or
    ``["gt", x, y]``. Options: ``gt``, ``undetermined_pair``, ``fact``, ``not``,
    ``undetermined`` (an atom true in some models and false in others). Rankings are
    strict, as in :func:`entails_order`.
    """
    names = set(entities)

    def atoms(f: Any) -> set[str]:
        if isinstance(f, str):
            return set() if f in names else {f}
        if f[0] in ("gt", "undetermined_pair"):
            return set()
        return set().union(*(atoms(x) for x in f[1:])) if len(f) > 1 else set()

    def true(f: Any, rank: Mapping[str, int], v: Mapping[str, bool]) -> bool:
        if isinstance(f, str):
            return v[f]
        op = f[0]
        if op == "gt":
            if f[1] not in names or f[2] not in names:
                raise ValueError(f"bad comparison {f!r}")
            return rank[f[1]] < rank[f[2]]
        if op == "if":
            return not true(f[1], rank, v) or true(f[2], rank, v)
        if op == "and":
            return true(f[1], rank, v) and true(f[2], rank, v)
        if op == "fact":
            return v[f[1]]
        if op == "not":
            return not true(f[1], rank, v)
        raise ValueError(f"unknown mixed form {op!r}")

    names_atoms = sorted(set().union(*(atoms(f) for f in premises + [form])))
    models = []
    for perm in itertools.permutations(entities):
        rank = {e: r for r, e in enumerate(perm)}
        for values in itertools.product([False, True], repeat=len(names_atoms)):
            v = dict(zip(names_atoms, values))
            if all(true(p, rank, v) for p in premises):
                models.append((rank, v))
    if not models:
        raise ValueError("premises are contradictory")
    if form[0] == "undetermined":
        return len({m[1][form[1]] for m in models}) == 2
    if form[0] == "undetermined_pair":
        return len({true(["gt", form[1], form[2]], *m) for m in models}) == 2
    return all(true(form, *m) for m in models)


def deductive_follows(structure: Mapping, *, existential_import: bool = False) -> list[bool]:
    """For each option of a deductive item's logical form: does it follow from the premises?

    ``existential_import`` (quantified statements only): read every group named in the
    premises as non-empty (see :func:`entails_monadic`).
    """
    s = _thaw(structure)
    logic, premises, options = s.get("logic"), s["premises"], s["options"]
    if logic == "order":
        return [entails_order(list(s["entities"]), premises, o) for o in options]
    if logic == "monadic":
        return [entails_monadic(premises, o, existential_import=existential_import) for o in options]
    if logic == "propositional":
        return [entails_propositional(premises, o) for o in options]
    if logic == "mixed":
        return [entails_mixed(list(s["entities"]), premises, o) for o in options]
    raise ValueError(f"unknown logic {logic!r}")


def check_deductive_item(item: Mapping) -> list[str]:
    """Exactly one option follows from the premises, and it is the key."""
    structure = item.get("structure")
    if not isinstance(structure, Mapping):
        return ["deductive item needs structure with the logical form of premises and options"]
    for field in ("logic", "premises", "options"):
        if field not in structure:
            return [f"structure: missing field '{field}'"]
    options = item.get("options") or []
    if len(structure["options"]) != len(options):
        return [f"structure has {len(structure['options'])} option forms for {len(options)} options"]
    try:
        follows = deductive_follows(structure)
    except (KeyError, ValueError, TypeError, IndexError) as exc:
        return [f"logical form cannot be checked: {exc}"]
    problems = []
    n = follows.count(True)
    if n != 1:
        problems.append(f"{n} options follow from the premises (must be exactly one)")
    elif follows.index(True) != item.get("key"):
        problems.append(f"key is option {item.get('key')}, but the conclusion that follows is option "
                        f"{follows.index(True)}")
    if structure.get("logic") == "monadic" and not problems:
        # an option that follows once the groups named are taken to exist is defensible too
        try:
            read = deductive_follows(structure, existential_import=True)
        except (KeyError, ValueError, TypeError, IndexError) as exc:
            return [f"logical form cannot be checked with non-empty groups: {exc}"]
        if read != follows:
            which = [i for i, (a, b) in enumerate(zip(follows, read)) if a != b]
            problems.append(f"option(s) {which} follow(s) differently when every group named in the premises "
                            f"is taken to be non-empty")
    for i, (form, option) in enumerate(zip(_thaw(structure["options"]), options)):
        names = [x for x in form[1:] if isinstance(x, str)] if form[0] in (
            "gt", "undetermined_pair", "is", "is_not", "top", "bottom") else []
        if form[0] in ("is", "is_not"):
            names = names[:1]
        for lang in ("sv", "en"):
            text = option.get(lang, "") if isinstance(option, Mapping) else ""
            for name in names:
                # a team reads in English in the English text (bank 3.0.0 kept the Swedish
                # name there, and its stamped attempts must still load)
                if name_in(lang, name) not in text and name not in text:
                    problems.append(f"option {i} ({lang}) does not mention {name_in(lang, name)!r} "
                                    f"from its logical form")
    return problems


# =========================================================================== matrix, svg, irt


def _import_optional(name: str):
    import importlib

    try:
        return importlib.import_module(f"item_banks.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"item_banks.{name}":
            return None
        raise


def check_matrix_item(item: Mapping) -> list[str]:
    matrix_check = _import_optional("matrix_check")
    if matrix_check is None:
        return ["cannot check matrix items: item_banks.matrix_check is not available"]
    prefix = f"item {item.get('id')}: "
    plain = item if isinstance(item, dict) else _thaw(item)
    return [p.removeprefix(prefix) for p in matrix_check.check_matrix_item(plain)]


def check_svgs(item: Mapping) -> list[str]:
    """Every SVG string of the item (figure and figure options) passes ``svg.check_svg``."""
    markups = []
    if item.get("figure") is not None:
        markups.append(("figure", item["figure"]))
    for i, option in enumerate(item.get("options") or []):
        if isinstance(option, Mapping) and "svg" in option:
            markups.append((f"option {i}", option["svg"]))
    if not markups:
        return []
    svg = _import_optional("svg")
    if svg is None:
        return ["cannot check SVG: item_banks.svg is not available"]
    problems = []
    for where, markup in markups:
        if not non_empty_string(markup):
            problems.append(f"{where}: SVG must be a non-empty string")
            continue
        problems.extend(f"{where}: SVG {p}" for p in svg.check_svg(markup))
    return problems


def check_irt(item: Mapping) -> list[str]:
    """3PL parameters present and in range; c is 1 / number of options."""
    irt = item.get("irt")
    if irt is None:
        return ["missing field 'irt'"]
    if not isinstance(irt, Mapping):
        return ["irt must be an object with a, b, c"]
    problems = [f"irt: missing parameter '{k}'" for k in ("a", "b", "c") if k not in irt]
    problems += [f"irt: unknown parameter '{k}'" for k in sorted(set(irt) - {"a", "b", "c"})]
    for k in ("a", "b", "c"):
        if k in irt and not is_number(irt[k]):
            problems.append(f"irt: {k} must be a number")
    if problems:
        return problems
    lo, hi = IRT_A_RANGE
    if not lo <= irt["a"] <= hi:
        problems.append(f"irt: a = {irt['a']} out of range ({lo}-{hi})")
    lo, hi = IRT_B_RANGE
    if not lo <= irt["b"] <= hi:
        problems.append(f"irt: b = {irt['b']} out of range ({lo} to {hi})")
    n = len(item.get("options") or [])
    if n and abs(irt["c"] - 1 / n) > 1e-6:
        problems.append(f"irt: c = {irt['c']} must be 1/{n} = {1 / n:.6f} (1 / number of options)")
    return problems


CHECKERS: dict[str, Callable[[Mapping], list[str]]] = {
    "number_series": check_series_item,
    "letter_series": check_series_item,
    "deductive": check_deductive_item,
    "matrix": check_matrix_item,
}


def check_item(item: Mapping) -> list[str]:
    """Content problems of one v2 item: recomputed answer, SVG markup (not irt).

    Matrix items get their SVG checked by ``matrix_check.check_matrix_item`` (which also
    compares it with the rendering of the structure); other items here.
    """
    item_type = item.get("type")
    checker = CHECKERS.get(item_type)  # type: ignore[arg-type]
    if checker is None:
        return []
    try:
        problems = checker(item)
    except Exception as exc:  # noqa: BLE001 - bad content must become a message, never a crash
        problems = [f"cannot be checked ({type(exc).__name__}: {exc})"]
    return problems + ([] if item_type == "matrix" else check_svgs(item))


# =========================================================================== bank level


def _operational(items: Iterable[Mapping]) -> list[Mapping]:
    return [i for i in items if i.get("practice") is False]


def _numeric_options(item: Mapping) -> list[float] | None:
    values = _option_values(item)
    if values is None:
        return None
    # letter groups count in alphabetical order: "AB" < "AC" < "B"...
    return [sum(p * 26.0**-i for i, p in enumerate(v)) if isinstance(v, tuple) else float(v) for v in values]


def shortcut_success(values: list[float], key: int) -> tuple[float, float]:
    """How likely two answer strategies that ignore the series pick the key.

    ``(median, closest_to_mean)``: "take the middle option" picks the median value, or
    with an even number of options one of the two middle values at random (so 1/2 when
    the key is one of them); "take the option closest to the options' mean" picks among
    the options tied closest at random. Each is the probability of finding the key, 0..1.
    Under a key rank that is uniform over the options, both average 1 / number of options.
    """
    m = len(values)
    ranked = sorted(values)
    middles = [ranked[m // 2]] if m % 2 else [ranked[m // 2 - 1], ranked[m // 2]]
    median = middles.count(values[key]) / len(middles)
    mean = sum(values) / m
    best = min(abs(v - mean) for v in values)
    ties = [v for v in values if abs(v - mean) <= best + 1e-9]
    closest = (abs(values[key] - mean) <= best + 1e-9) / len(ties)
    return median, closest


def series_shortcut_rates(items: Iterable[Mapping]) -> dict[str, dict[str, float]]:
    """Per series type: how often the "middle option" and the "option closest to the
    mean" strategies find the key of an operational item (mean of
    :func:`shortcut_success` over the items), plus ``n``.

    With 8 options and the key's rank balanced over the options, both are about 1/8 =
    0.125 (with 5 options 0.2); a generator that builds distractors symmetrically around
    the key gives 1.0.
    """
    out: dict[str, dict[str, float]] = {}
    for item_type in SERIES_TYPES:
        n, median, closest = 0, 0.0, 0.0
        for item in _operational(items):
            if item.get("type") != item_type:
                continue
            values = _numeric_options(item)
            key = item.get("key")
            if values is None or not isinstance(key, int) or not 0 <= key < len(values):
                continue
            n += 1
            m_hit, c_hit = shortcut_success(values, key)
            median += m_hit
            closest += c_hit
        if n:
            out[item_type] = {"n": n, "median": median / n, "closest_to_mean": closest / n}
    return out


def shortcut_rates(items: Iterable[Mapping]) -> dict[str, float]:
    """Flat view for reports: ``number_series.median`` ... and ``matrix`` (matrix_check)."""
    items = list(items)
    out = {}
    for item_type, rates in series_shortcut_rates(items).items():
        out[f"{item_type}.median"] = rates["median"]
        out[f"{item_type}.closest_to_mean"] = rates["closest_to_mean"]
    matrices = [_thaw(i) for i in _operational(items) if i.get("type") == "matrix"]
    if matrices:
        matrix_check = _import_optional("matrix_check")
        if matrix_check is not None:
            out["matrix"] = float(matrix_check.shortcut_rate(matrices))
    return out


def shortcut_problems(items: Iterable[Mapping]) -> list[str]:
    """Rates above the documented thresholds (schema.SERIES_SHORTCUT_MAX, MATRIX_SHORTCUT_MAX)."""
    problems = []
    for name, rate in sorted(shortcut_rates(items).items()):
        limit = MATRIX_SHORTCUT_MAX if name == "matrix" else SERIES_SHORTCUT_MAX
        if rate > limit:
            what = {"median": "the key is the median option",
                    "closest_to_mean": "the key is the option closest to the options' mean"}
            label = what.get(name.rsplit(".", 1)[-1], "a shortcut strategy finds the key")
            problems.append(f"{name.split('.')[0]}: {label} in {rate:.0%} of the items "
                            f"(at most {limit:.0%} allowed)")
    return problems


def _bank_items(bank: Any) -> list[Mapping]:
    if isinstance(bank, Mapping):
        return list(bank.get("items", []))
    if hasattr(bank, "items") and hasattr(bank, "practice"):  # a loaded LogicBank
        return [{"type": i.type, "practice": i.practice, "irt": i.irt} for i in bank.items]
    return list(bank)


def difficulty_report(bank: Any) -> dict[str, Any]:
    """Distribution of the IRT ``b`` (and ``a``) of the operational items.

    ``bank`` is parsed bank JSON, a loaded :class:`~item_banks.loader.LogicBank` or a list
    of items. Returns ``bands`` (width 0.5 from -4 to 4; each with ``low``, ``high``,
    ``count`` and ``by_type``), ``by_type`` summaries of b and a (n, mean, sd, min, max),
    ``n`` and ``empty_unit_bands``: which of the whole-unit bands from -2 to +2 hold no
    item (an operational bank must cover them all).
    """
    rows = [(str(i.get("type")), float(i["irt"]["b"]), float(i["irt"]["a"]))
            for i in _operational(_bank_items(bank))
            if isinstance(i.get("irt"), Mapping) and is_number(i["irt"].get("b")) and is_number(i["irt"].get("a"))]
    types = sorted({t for t, _, _ in rows})
    lo, hi = BAND_RANGE
    n_bands = round((hi - lo) / BAND_WIDTH)
    bands = []
    for k in range(n_bands):
        low, high = lo + k * BAND_WIDTH, lo + (k + 1) * BAND_WIDTH
        last = k == n_bands - 1
        inside = [t for t, b, _ in rows if low <= b < high or (last and b == high)]
        bands.append({"low": low, "high": high, "count": len(inside),
                      "by_type": {t: inside.count(t) for t in types}})

    def summary(values: list[float]) -> dict[str, float]:
        m = sum(values) / len(values)
        sd = math.sqrt(sum((v - m) ** 2 for v in values) / len(values))
        return {"mean": round(m, 3), "sd": round(sd, 3), "min": min(values), "max": max(values)}

    by_type = {}
    for t in types:
        bs = [b for tt, b, _ in rows if tt == t]
        as_ = [a for tt, _, a in rows if tt == t]
        by_type[t] = {"n": len(bs), "b": summary(bs), "a": summary(as_)}
    empty = [f"[{a}, {b})" for a, b in REQUIRED_UNIT_BANDS if not any(a <= b_ < b for _, b_, _ in rows)]
    return {"n": len(rows), "band_width": BAND_WIDTH, "bands": bands, "by_type": by_type,
            "empty_unit_bands": empty}


def format_difficulty_report(report: Mapping[str, Any]) -> str:
    """The report as a plain-text table (bands that hold items, counts per type)."""
    types = sorted(report["by_type"])
    head = f"{'b band':>14} " + " ".join(f"{t:>14}" for t in types) + f" {'total':>6}"
    lines = [head]
    for band in report["bands"]:
        if band["count"]:
            label = f"[{band['low']:+.1f}, {band['high']:+.1f})"
            lines.append(f"{label:>14} " + " ".join(f"{band['by_type'][t]:>14}" for t in types)
                         + f" {band['count']:>6}")
    lines.append(f"{'n':>14} " + " ".join(f"{report['by_type'][t]['n']:>14}" for t in types) + f" {report['n']:>6}")
    for stat in ("mean", "sd", "min", "max"):
        lines.append(f"{'b ' + stat:>14} " + " ".join(f"{report['by_type'][t]['b'][stat]:>14.2f}" for t in types))
    for stat in ("min", "max"):
        lines.append(f"{'a ' + stat:>14} " + " ".join(f"{report['by_type'][t]['a'][stat]:>14.2f}" for t in types))
    return "\n".join(lines)


def bank_problems(items: list[Mapping], *, require_size: bool) -> list[tuple[str | None, str]]:
    """(item id or None, problem) for bank-level checks.

    Duplicates are always checked. With ``require_size`` (operational banks) also: the
    minimum sizes, the shortcut rates, the coverage of the whole-unit b bands and of
    both ends of the range per type (``RANGE_ENDS``: an adaptive test can only measure a
    strong or a weak candidate precisely with items of that difficulty).
    """
    from .schema import ITEM_TYPES, MIN_ITEMS_PER_TYPE, MIN_OPERATIONAL_ITEMS

    out: list[tuple[str | None, str]] = list(duplicate_problems(items))
    if not require_size:
        return out
    operational = _operational(items)
    counts = Counter(i.get("type") for i in operational)
    for t in ITEM_TYPES:
        if counts.get(t, 0) < MIN_ITEMS_PER_TYPE:
            out.append((None, (f"bank too small: {counts.get(t, 0)} operational {t} items "
                              f"(an operational bank needs at least {MIN_ITEMS_PER_TYPE} of each type)")))
    if len(operational) < MIN_OPERATIONAL_ITEMS:
        out.append((None, (f"bank too small: {len(operational)} operational items "
                          f"(an operational bank needs at least {MIN_OPERATIONAL_ITEMS})")))
    out += [(None, p) for p in shortcut_problems(items)]
    report = difficulty_report(items)
    for band in report["empty_unit_bands"]:
        out.append((None, f"difficulty: no operational item with b in {band}"))
    for t in ITEM_TYPES:
        bs = [float(i["irt"]["b"]) for i in operational if i.get("type") == t and isinstance(i.get("irt"), Mapping)]
        hard = sum(b > RANGE_ENDS["hard_b"] for b in bs)
        easy = sum(b < RANGE_ENDS["easy_b"] for b in bs)
        if hard < RANGE_ENDS["hard_n"] or easy < RANGE_ENDS["easy_n"]:
            out.append((None, (f"difficulty: {t} has {hard} operational items with b > {RANGE_ENDS['hard_b']} "
                              f"and {easy} with b < {RANGE_ENDS['easy_b']} (an operational bank needs at least "
                              f"{RANGE_ENDS['hard_n']} and {RANGE_ENDS['easy_n']} of each type)")))
    return out
