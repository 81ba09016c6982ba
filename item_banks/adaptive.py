"""The adaptive logic test as the portal runs it: a bank's operational items as a
``cat.CatBank``, the test's settings, the bank's stored exposure-control parameters, and
the four steps of an attempt (``start_state``/``replay_state``/``restore_state``,
``next_item``, ``cat.update``, ``final_score``). The candidate's attempt (``portal.services.journey``)
and the simulation (``item_banks.simulation``, ``flask --app wsgi banks simulate``) call
exactly these functions, so what the simulation reports is what candidates get.

Sympson-Hetter exposure control needs parameters calibrated by simulation for each bank
version (``cat.calibrate_exposure``, 10-20 s). They are computed offline and stored beside
the bank as ``<bank>.exposure.json`` (``python -m item_banks.adaptive BANK``, or
``flask --app wsgi banks calibrate-exposure``). A bank without a matching file runs with
randomesque selection (Kingsbury & Zara 1989) instead, which bounds exposure less well.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from . import cat
from .families import family_key
from .loader import LogicBank, load_logic_bank

EXPOSURE_FORMAT = "second-opinion/exposure"
EXPOSURE_SEED = 20261127
ENGINE_VERSION = ("cat-2 (3PL; EAP selection, WLE score; max information with progressive "
                  "and Sympson-Hetter control, item families, content balance)")

#: The portal's adaptive test (docs/technical-manual.md, "The adaptive test"): stop when the
#: posterior SD is <= 0.32 (reliability about .90) after at least 10 items, at most 36
#: items; the score is Warm's WLE (SE from the test information); progressive selection
#: over the first 20 items; at most one item per family; Sympson-Hetter exposure target 0.25.
APP_SETTINGS = cat.CatSettings(se_target=0.32, max_items=36, min_items=10,
                               exposure="sympson_hetter", max_exposure_target=0.25,
                               overlap="progressive", progressive_horizon=20,
                               item_families=True, stop_se="posterior", estimator="wle")


@dataclass(frozen=True)
class AdaptiveBank:
    """A logic bank ready for CAT: ``item_ids[i]`` is item i of ``cat_bank``."""

    bank: LogicBank
    cat_bank: cat.CatBank
    item_ids: tuple[str, ...]
    settings: cat.CatSettings
    index: dict

    @property
    def exposure_control(self) -> str:
        return self.settings.exposure

    def position_of(self, item_id: str) -> int:
        return self.index[item_id]


def exposure_path(bank_path: Path) -> Path:
    return Path(bank_path).with_suffix(".exposure.json")


def _arrays(bank: LogicBank):
    items = bank.items
    a = np.array([float(i.irt["a"]) for i in items])
    b = np.array([float(i.irt["b"]) for i in items])
    c = np.array([float(i.irt["c"]) for i in items])
    types = np.array([i.type for i in items])
    return a, b, c, types


def plain_cat_bank(bank: LogicBank) -> cat.CatBank:
    """The bank's operational items as a CAT bank with their families, without exposure
    parameters."""
    a, b, c, types = _arrays(bank)
    return cat.CatBank(a, b, c, types, families=[family_key(i) for i in bank.items])


_CACHE: dict[tuple, AdaptiveBank] = {}


def adaptive_bank(bank: LogicBank, settings: cat.CatSettings = APP_SETTINGS) -> AdaptiveBank:
    """The bank's operational items as a CAT bank (cached per bank file and version)."""
    key = (str(bank.path), bank.bank_id, bank.version, settings)
    if key not in _CACHE:
        # Checked once per bank: a candidate's every request comes through here.
        if any(not i.irt for i in bank.items):
            raise ValueError(f"bank {bank.bank_id} {bank.version} has items without IRT parameters")
        ids = tuple(i.id for i in bank.items)
        k = _stored_exposure(bank, ids, settings)
        if k is None and settings.exposure == "sympson_hetter":
            settings = replace(settings, exposure="randomesque")
        plain = plain_cat_bank(bank)
        _CACHE[key] = AdaptiveBank(bank, plain if k is None else plain.with_exposure_k(k), ids, settings,
                                   {item_id: n for n, item_id in enumerate(ids)})
    return _CACHE[key]


def _settings_doc(settings: cat.CatSettings) -> dict:
    return {key: value for key, value in asdict(settings).items() if key != "type_targets"}


def exposure_document(bank: LogicBank) -> Mapping | None:
    """The bank's exposure document as stored: kept with the version (a version in the
    database or the archive), else the file beside the bank file; None when there is none.
    Whether it fits the version and settings is for the caller to check."""
    if bank.exposure is not None:
        return bank.exposure
    path = exposure_path(bank.path)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _stored_exposure(bank: LogicBank, ids: tuple[str, ...], settings: cat.CatSettings):
    """The stored Sympson-Hetter parameters, if they were calibrated for this bank version
    and these settings (parameters calibrated for another test design do not hold)."""
    doc = exposure_document(bank)
    if doc is None:
        return None
    if (doc.get("format") != EXPOSURE_FORMAT or doc.get("bank_id") != bank.bank_id
            or doc.get("bank_version") != bank.version or set(doc.get("exposure_k", {})) != set(ids)
            or doc.get("settings") != _settings_doc(settings)):
        return None
    return np.array([float(doc["exposure_k"][i]) for i in ids])


# ----------------------------------------------------------------------------- one attempt
# Randomness of an attempt comes from its stored seed: the Sympson-Hetter lottery from
# default_rng([seed, 0]), the selection of item n + 1 from default_rng([seed, n + 1]), so a
# replay from the stored answers gives the same state and the same next item.


def start_state(ab: AdaptiveBank, seed: int) -> cat.CatState:
    """The state before the first item (draws this attempt's exposure lottery)."""
    return cat.start(ab.cat_bank, ab.settings, np.random.default_rng([seed, 0]))


def replay_state(ab: AdaptiveBank, seed: int, item_ids, responses) -> cat.CatState:
    """The state after the stored answers (item ids and 1/0 responses, in order)."""
    return cat.replay(ab.cat_bank, [ab.position_of(i) for i in item_ids], [int(r) for r in responses],
                      ab.settings, np.random.default_rng([seed, 0]))


#: Version of the stored state's layout (``stored_state``).
STATE_FORMAT = 1


def stored_state(ab: AdaptiveBank, state: cat.CatState) -> dict:
    """A JSON-ready record of ``state`` from which ``restore_state`` continues the attempt:
    the item ids and responses so far and the posterior. Floats are written as Python's
    shortest round-trip repr, so the posterior comes back to the last bit."""
    return {
        "format": STATE_FORMAT,
        "items": [ab.item_ids[i] for i in state.administered],
        "responses": list(state.responses),
        "log_posterior": [float(x) for x in state.log_posterior],
        "theta": state.theta,
        "se": state.se,
    }


def restore_state(ab: AdaptiveBank, seed: int, doc: dict) -> cat.CatState:
    """The state recorded by ``stored_state``: the same as ``replay_state`` on the same
    answers, without the replay (``cat.restore``). Raises ValueError for a record of
    another layout, or one naming items the bank does not have."""
    if doc.get("format") != STATE_FORMAT:
        raise ValueError(f"unknown CAT state format {doc.get('format')!r}")
    try:
        items = [ab.position_of(i) for i in doc["items"]]
    except KeyError as exc:
        raise ValueError(f"the stored CAT state names item {exc} not in bank {ab.bank.bank_id}") from None
    return cat.restore(ab.cat_bank, items, doc["responses"], doc["log_posterior"], doc["theta"], doc["se"],
                       ab.settings, np.random.default_rng([seed, 0]))


def next_item(ab: AdaptiveBank, state: cat.CatState, seed: int) -> int | None:
    """Bank position of the next item, or None when a stopping rule is met."""
    return cat.select_next(state, ab.settings, np.random.default_rng([seed, state.n_items + 1]))


#: Entropy word that separates the pretest draw from the selection draws ([seed, n]).
_PRETEST_STREAM = 7_777_777


def pretest_plan(pretest_ids, seed: int, n: int, settings: cat.CatSettings = APP_SETTINGS) -> list[list]:
    """Where an attempt gives its unscored pretest items: ``[[k, item_id], ...]`` sorted by
    ``k``, meaning "after the k-th operational answer". At most ``n`` items, drawn without
    replacement from ``pretest_ids``; the ``k`` are distinct and drawn uniformly from
    ``1 .. settings.min_items - 1``, so a pretest item is never the first item, and never the
    last (the test gives at least ``min_items`` operational items, one after it). The k-th
    pretest item (0-based ``i``) is therefore at 0-based position ``k + i`` of the test.
    Deterministic given ``seed``; empty when ``n`` is 0 or there are no pretest items."""
    ids = sorted(pretest_ids)
    n = max(0, min(int(n), len(ids), settings.min_items - 1))
    if n == 0:
        return []
    rng = np.random.default_rng([seed, _PRETEST_STREAM])
    chosen = [ids[i] for i in rng.choice(len(ids), size=n, replace=False)]
    after = sorted(int(k) for k in rng.choice(np.arange(1, settings.min_items), size=n, replace=False))
    return [[k, item_id] for k, item_id in zip(after, chosen)]


def plan_positions(plan) -> dict[int, str]:
    """0-based test positions of a ``pretest_plan``'s items: ``{position: item_id}``."""
    return {int(k) + i: item_id for i, (k, item_id) in enumerate(plan or ())}


def operational_before(plan, position: int) -> int:
    """How many operational items come before 0-based test ``position`` under ``plan``."""
    return position - sum(1 for p in plan_positions(plan) if p < position)


def is_complete(ab: AdaptiveBank, state: cat.CatState) -> bool:
    return cat.should_stop(state, ab.settings)[0]


def final_score(ab: AdaptiveBank, state: cat.CatState) -> cat.FinalScore:
    """The score of an ended attempt, complete or cut off by the time limit."""
    return cat.final_score(state, ab.settings)


def typical_item_ms(settings: cat.CatSettings = APP_SETTINGS, types=None) -> float:
    """Mean a-priori typical time of one item (ms) over the test's type mix."""
    names = sorted(cat.A_PRIORI_TYPICAL_MS) if types is None else sorted(set(types))
    shares = dict(settings.type_targets) if settings.type_targets else {t: 1.0 for t in names}
    total = sum(shares.get(t, 0.0) for t in names)
    times = cat.a_priori_typical_ms(names)
    return float(sum(shares.get(t, 0.0) * ms for t, ms in zip(names, times)) / total)


#: Response-time model (log-normal, van der Linden 2006): the time of item j for a
#: candidate is ``typical_type x exp(e_j - tau)``, with person speed ``tau ~ N(0, SPEED_SD^2)``
#: and item noise ``e_j ~ N(0, TIME_NOISE_SD^2)``. The spreads are assumptions until the
#: portal has observed times; ``item_banks.simulation`` uses the same model.
SPEED_SD = 0.25
TIME_NOISE_SD = 0.4
#: Time allowed per item relative to the typical time: the mean item time of a candidate
#: one SD slower than typical, ``exp(TIME_NOISE_SD^2 / 2 + SPEED_SD)`` = 1.39.
TIME_ALLOWANCE = math.exp(TIME_NOISE_SD**2 / 2 + SPEED_SD)


def time_limit_minutes(settings: cat.CatSettings = APP_SETTINGS, types=None) -> int:
    """The recommended time limit, from the test length and the per-type time model.

    ``max_items x`` the mean a-priori typical time per item over the type mix
    (``cat.A_PRIORI_TYPICAL_MS``) ``x TIME_ALLOWANCE``, rounded up to whole minutes: a
    candidate one SD slower than typical reaches the end of even a maximum-length test,
    and most tests stop on precision well before it (``item_banks.simulation`` reports
    the share of simulated candidates who would still run out of time).
    """
    return math.ceil(settings.max_items * typical_item_ms(settings, types) * TIME_ALLOWANCE / 60_000)


def calibrate(bank: LogicBank, settings: cat.CatSettings = APP_SETTINGS,
              seed: int = EXPOSURE_SEED) -> dict:
    """Calibrate Sympson-Hetter parameters for ``bank`` by simulation; a JSON-ready document."""
    plain = plain_cat_bank(bank)
    result = cat.calibrate_exposure(plain, settings, np.random.default_rng(seed))
    k = result.bank.exposure_k
    return {
        "format": EXPOSURE_FORMAT,
        "bank_id": bank.bank_id,
        "bank_version": bank.version,
        "method": "Sympson-Hetter (1985), calibrated by simulation on N(0, 1) simulees",
        "seed": seed,
        "settings": _settings_doc(settings),
        "max_exposure_by_iteration": [round(float(x), 4) for x in result.max_exposure],
        "exposure_k": {item.id: round(float(x), 6) for item, x in zip(bank.items, k)},
    }


def write_calibration(bank: LogicBank, settings: cat.CatSettings = APP_SETTINGS,
                      seed: int = EXPOSURE_SEED) -> tuple[Path, dict]:
    """Calibrate (``calibrate``) and store the result beside the bank; ``(path, document)``."""
    doc = calibrate(bank, settings, seed)
    out = exposure_path(bank.path)
    out.write_text(json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return out, doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bank", nargs="?", help="bank file (default: the shipped bank)")
    args = parser.parse_args(argv)
    out, doc = write_calibration(load_logic_bank(args.bank))
    print(f"wrote {out}: max exposure by iteration {doc['max_exposure_by_iteration']}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
