"""The adaptive logic test as the portal runs it: a bank's operational items as a
``cat.CatBank``, the test's settings, and the bank's stored exposure-control parameters.

Sympson-Hetter exposure control needs parameters calibrated by simulation for each bank
version (``cat.calibrate_exposure``, 10-20 s). They are computed offline and stored beside
the bank as ``<bank>.exposure.json`` (``python -m item_banks.adaptive BANK``, or
``flask --app wsgi banks calibrate-exposure``). A bank without a matching file runs with
randomesque selection (Kingsbury & Zara 1989) instead, which bounds exposure less well.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from . import cat
from .loader import LogicBank, load_logic_bank

EXPOSURE_FORMAT = "second-opinion/exposure"
EXPOSURE_SEED = 20261127
ENGINE_VERSION = "cat-1 (3PL EAP on 61 nodes, max information, Kingsbury-Zara content balance)"

#: The portal's adaptive test: stop at SE <= 0.32 (reliability about .90) after at
#: least 8 items, at most 24 items.
APP_SETTINGS = cat.CatSettings(se_target=0.32, max_items=24, min_items=8,
                               exposure="sympson_hetter", max_exposure_target=0.25)


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


_CACHE: dict[tuple, AdaptiveBank] = {}


def adaptive_bank(bank: LogicBank, settings: cat.CatSettings = APP_SETTINGS) -> AdaptiveBank:
    """The bank's operational items as a CAT bank (cached per bank file and version)."""
    if any(not i.irt for i in bank.items):
        raise ValueError(f"bank {bank.bank_id} {bank.version} has items without IRT parameters")
    key = (str(bank.path), bank.bank_id, bank.version, settings)
    if key not in _CACHE:
        a, b, c, types = _arrays(bank)
        ids = tuple(i.id for i in bank.items)
        k = _stored_exposure(bank, ids)
        if k is None and settings.exposure == "sympson_hetter":
            from dataclasses import replace

            settings = replace(settings, exposure="randomesque")
        _CACHE[key] = AdaptiveBank(bank, cat.CatBank(a, b, c, types, exposure_k=k), ids, settings,
                                   {item_id: n for n, item_id in enumerate(ids)})
    return _CACHE[key]


def _stored_exposure(bank: LogicBank, ids: tuple[str, ...]):
    path = exposure_path(bank.path)
    if not path.exists():
        return None
    doc = json.loads(path.read_text(encoding="utf-8"))
    if (doc.get("format") != EXPOSURE_FORMAT or doc.get("bank_id") != bank.bank_id
            or doc.get("bank_version") != bank.version or set(doc.get("exposure_k", {})) != set(ids)):
        return None
    return np.array([float(doc["exposure_k"][i]) for i in ids])


def calibrate(bank: LogicBank, settings: cat.CatSettings = APP_SETTINGS,
              seed: int = EXPOSURE_SEED) -> dict:
    """Calibrate Sympson-Hetter parameters for ``bank`` by simulation; a JSON-ready document."""
    a, b, c, types = _arrays(bank)
    plain = cat.CatBank(a, b, c, types)
    result = cat.calibrate_exposure(plain, settings, np.random.default_rng(seed))
    k = result.bank.exposure_k
    return {
        "format": EXPOSURE_FORMAT,
        "bank_id": bank.bank_id,
        "bank_version": bank.version,
        "method": "Sympson-Hetter (1985), calibrated by simulation on N(0, 1) simulees",
        "seed": seed,
        "settings": {key: value for key, value in asdict(settings).items() if key != "type_targets"},
        "max_exposure_by_iteration": [round(float(x), 4) for x in result.max_exposure],
        "exposure_k": {item.id: round(float(x), 6) for item, x in zip(bank.items, k)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bank", nargs="?", help="bank file (default: the shipped bank)")
    args = parser.parse_args(argv)
    bank = load_logic_bank(args.bank)
    doc = calibrate(bank)
    out = exposure_path(bank.path)
    out.write_text(json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}: max exposure by iteration {doc['max_exposure_by_iteration']}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
