"""The personality inventory: loading and scoring (format ``second-opinion/inventory``)."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import numpy as np

from .loader import DATA_DIR, _freeze, _read_valid, _resolve
from .schema import INVENTORY_FORMAT, KEYED_VALUES

DEFAULT_INVENTORY = DATA_DIR / "big5_starter.json"
SCALE_MIN, SCALE_MAX = 1, 5


@dataclass(frozen=True)
class Domain:
    id: str
    name: Mapping[str, str]
    high: Mapping[str, str]
    low: Mapping[str, str]


@dataclass(frozen=True)
class Statement:
    """An inventory statement; ``keyed`` is +1, or -1 for reverse-keyed statements."""

    id: str
    domain: str
    keyed: int
    text: Mapping[str, str]


@dataclass(frozen=True)
class Inventory:
    inventory_id: str
    version: str
    path: Path
    domains: tuple[Domain, ...]
    statements: tuple[Statement, ...]
    description: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    _statements: Mapping[str, Statement] = field(init=False, repr=False, compare=False)
    _domains: Mapping[str, Domain] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_statements", MappingProxyType({s.id: s for s in self.statements}))
        object.__setattr__(self, "_domains", MappingProxyType({d.id: d for d in self.domains}))

    def get(self, statement_id: str) -> Statement:
        """Statement by id; KeyError if unknown."""
        try:
            return self._statements[statement_id]
        except KeyError:
            raise KeyError(f"{self.inventory_id}: no statement {statement_id!r}") from None

    def domain(self, domain_id: str) -> Domain:
        """Domain by id; KeyError if unknown."""
        try:
            return self._domains[domain_id]
        except KeyError:
            raise KeyError(f"{self.inventory_id}: no domain {domain_id!r}") from None


def load_inventory(path: str | os.PathLike | None = None) -> Inventory:
    """Load and validate an inventory; ``None`` loads the shipped Big Five starter inventory."""
    return _load_inventory(*_resolve(path, DEFAULT_INVENTORY))


@functools.lru_cache(maxsize=32)
def _load_inventory(path: str, mtime_ns: int, size: int) -> Inventory:
    data = _read_valid(Path(path), INVENTORY_FORMAT)
    return Inventory(
        inventory_id=data["inventory_id"],
        version=data["version"],
        path=Path(path),
        domains=tuple(
            Domain(id=d["id"], name=_freeze(d["name"]), high=_freeze(d["high"]), low=_freeze(d["low"]))
            for d in data["domains"]
        ),
        statements=tuple(
            Statement(id=s["id"], domain=s["domain"], keyed=KEYED_VALUES[s["keyed"]], text=_freeze(s["text"]))
            for s in data["statements"]
        ),
        description=_freeze(data["description"]),
    )


@dataclass(frozen=True)
class DomainScore:
    """Mean item score of one domain on the 1-5 scale, after reverse keying.

    ``mean`` is None when no statement of the domain was answered.
    """

    domain: str
    mean: float | None
    n_answered: int
    n_items: int


def score_inventory(inv: Inventory, answers: Mapping[str, int | None]) -> dict[str, DomainScore]:
    """Domain means of the answered statements, one entry per domain in inventory order.

    ``answers`` maps statement ids to 1..5 (1 = disagree completely, 5 = agree completely);
    None means skipped. A reverse-keyed statement scores ``6 - x``. Raises ValueError for
    an unknown statement id or a value outside 1..5.
    """
    sums = {d.id: 0 for d in inv.domains}
    answered = dict.fromkeys(sums, 0)
    for statement_id, value in answers.items():
        try:
            statement = inv.get(statement_id)
        except KeyError:
            raise ValueError(f"unknown statement id {statement_id!r}") from None
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not (
            SCALE_MIN <= value <= SCALE_MAX
        ):
            raise ValueError(f"statement {statement_id}: answer must be 1-5, not {value!r}")
        score = int(value) if statement.keyed > 0 else SCALE_MIN + SCALE_MAX - int(value)
        sums[statement.domain] += score
        answered[statement.domain] += 1
    n_items = {d.id: 0 for d in inv.domains}
    for statement in inv.statements:
        n_items[statement.domain] += 1
    return {
        d: DomainScore(
            domain=d,
            mean=sums[d] / answered[d] if answered[d] else None,
            n_answered=answered[d],
            n_items=n_items[d],
        )
        for d in sums
    }
