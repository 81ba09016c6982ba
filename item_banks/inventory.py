"""The personality inventory: loading and scoring (format ``second-opinion/inventory``).

Version 1 files (``FORMAT.md``) have domains only; version 2 files (``INVENTORY.md``) add
facets and validity statements. Both load into the same :class:`Inventory`; for a
version 1 file ``facets`` and the validity statements are empty.
"""

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

DEFAULT_INVENTORY = DATA_DIR / "big5_work.json"
SCALE_MIN, SCALE_MAX = 1, 5

#: Statement roles: only "scored" statements count towards domain and facet scores.
SCORED, CONSISTENCY, INFREQUENCY = "scored", "consistency", "infrequency"


@dataclass(frozen=True)
class Facet:
    """A narrower trait within a domain; ``high``/``low`` describe the two poles."""

    id: str
    domain: str
    name: Mapping[str, str]
    high: Mapping[str, str]
    low: Mapping[str, str]


@dataclass(frozen=True)
class Domain:
    id: str
    name: Mapping[str, str]
    high: Mapping[str, str]
    low: Mapping[str, str]
    facets: tuple[Facet, ...] = ()


@dataclass(frozen=True)
class Statement:
    """An inventory statement.

    ``keyed`` is +1, or -1 for reverse-keyed statements; None for infrequency statements.
    Scored statements have a ``domain`` (and, in version 2, a ``facet``). Validity
    statements have neither: a consistency statement names the scored statement it
    repeats in ``pair``; an infrequency statement records the ``expected`` answer side,
    ``"agree"`` or ``"disagree"``.
    """

    id: str
    domain: str | None
    keyed: int | None
    text: Mapping[str, str]
    facet: str | None = None
    role: str = SCORED
    pair: str | None = None
    expected: str | None = None

    @property
    def is_scored(self) -> bool:
        return self.role == SCORED


@dataclass(frozen=True)
class Inventory:
    """A validated inventory. ``statements`` are in file order (the recommended
    presentation order) and include the validity statements."""

    inventory_id: str
    version: str
    path: Path
    domains: tuple[Domain, ...]
    statements: tuple[Statement, ...]
    description: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    format_version: int = 1
    _statements: Mapping[str, Statement] = field(init=False, repr=False, compare=False)
    _domains: Mapping[str, Domain] = field(init=False, repr=False, compare=False)
    _facets: Mapping[str, Facet] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_statements", MappingProxyType({s.id: s for s in self.statements}))
        object.__setattr__(self, "_domains", MappingProxyType({d.id: d for d in self.domains}))
        object.__setattr__(self, "_facets", MappingProxyType({f.id: f for f in self.facets}))

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

    def facet(self, facet_id: str) -> Facet:
        """Facet by id (``"ES.composure"``); KeyError if unknown."""
        try:
            return self._facets[facet_id]
        except KeyError:
            raise KeyError(f"{self.inventory_id}: no facet {facet_id!r}") from None

    @property
    def facets(self) -> tuple[Facet, ...]:
        """All facets, domain by domain in inventory order; empty for a version 1 file."""
        return tuple(f for d in self.domains for f in d.facets)

    @property
    def scored_statements(self) -> tuple[Statement, ...]:
        return tuple(s for s in self.statements if s.role == SCORED)

    @property
    def validity_statements(self) -> tuple[Statement, ...]:
        """Consistency and infrequency statements, never part of a trait score."""
        return tuple(s for s in self.statements if s.role != SCORED)

    @property
    def consistency_pairs(self) -> tuple[tuple[str, str], ...]:
        """``(scored statement id, consistency statement id)`` for every pair, in file order.

        Both statements of a pair are keyed in the same direction, so a careful answer
        gives them (nearly) the same value.
        """
        return tuple((s.pair, s.id) for s in self.statements if s.role == CONSISTENCY)


def load_inventory(path: str | os.PathLike | None = None) -> Inventory:
    """Load and validate an inventory; ``None`` loads the shipped Big Five work inventory.

    Results are cached per file (path, modification time and size). Raises BankError
    listing every problem when the file is not a valid inventory.
    """
    return _load_inventory(*_resolve(path, DEFAULT_INVENTORY))


@functools.lru_cache(maxsize=32)
def _load_inventory(path: str, mtime_ns: int, size: int) -> Inventory:
    data = _read_valid(Path(path), INVENTORY_FORMAT)
    domains = tuple(
        Domain(
            id=d["id"],
            name=_freeze(d["name"]),
            high=_freeze(d["high"]),
            low=_freeze(d["low"]),
            facets=tuple(
                Facet(id=f["id"], domain=d["id"], name=_freeze(f["name"]), high=_freeze(f["high"]),
                      low=_freeze(f["low"]))
                for f in d.get("facets", ())
            ),
        )
        for d in data["domains"]
    )
    facet_domain = {f.id: f.domain for d in domains for f in d.facets}
    return Inventory(
        inventory_id=data["inventory_id"],
        version=data["version"],
        path=Path(path),
        domains=domains,
        statements=tuple(_statement(s, facet_domain) for s in data["statements"]),
        description=_freeze(data["description"]),
        format_version=data["format_version"],
    )


def _statement(raw: dict, facet_domain: Mapping[str, str]) -> Statement:
    role = raw.get("role", SCORED)
    keyed = KEYED_VALUES[raw["keyed"]] if "keyed" in raw else None
    if role != SCORED:
        return Statement(id=raw["id"], domain=None, keyed=keyed, text=_freeze(raw["text"]), role=role,
                         pair=raw.get("pair"), expected=raw.get("expected"))
    facet = raw.get("facet")
    domain = facet_domain[facet] if facet is not None else raw["domain"]
    return Statement(id=raw["id"], domain=domain, keyed=keyed, text=_freeze(raw["text"]), facet=facet)


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class DomainScore:
    """Mean item score of one domain on the 1-5 scale, after reverse keying.

    ``mean`` is None when no statement of the domain was answered.
    """

    domain: str
    mean: float | None
    n_answered: int
    n_items: int


@dataclass(frozen=True)
class FacetScore:
    """Mean item score of one facet on the 1-5 scale, after reverse keying.

    ``mean`` is None when no statement of the facet was answered.
    """

    facet: str
    mean: float | None
    n_answered: int
    n_items: int


def _keyed_answers(inv: Inventory, answers: Mapping[str, int | None]) -> list[tuple[Statement, int]]:
    """``(scored statement, keyed score)`` for every answered scored statement.

    Checks every answer first, validity statements included; their answers are then
    left out. Raises ValueError for an unknown statement id or a value outside 1..5.
    """
    checked: list[tuple[Statement, int]] = []
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
        if statement.role == SCORED:
            score = int(value) if statement.keyed > 0 else SCALE_MIN + SCALE_MAX - int(value)
            checked.append((statement, score))
    return checked


def score_inventory(inv: Inventory, answers: Mapping[str, int | None]) -> dict[str, DomainScore]:
    """Domain means of the answered scored statements, one entry per domain in inventory order.

    ``answers`` maps statement ids to 1..5 (1 = disagree completely, 5 = agree completely);
    None or a missing id means skipped. A reverse-keyed statement scores ``6 - x``.
    Answers to validity statements are accepted (and range-checked) but do not count.
    Raises ValueError for an unknown statement id or a value outside 1..5.
    """
    keyed = _keyed_answers(inv, answers)
    scored = inv.scored_statements
    return {
        d.id: _mean_score(DomainScore, d.id, [x for s, x in keyed if s.domain == d.id],
                          sum(1 for s in scored if s.domain == d.id))
        for d in inv.domains
    }


def score_facets(inv: Inventory, answers: Mapping[str, int | None]) -> dict[str, FacetScore]:
    """Facet means, one entry per facet in inventory order (empty for a version 1 file).

    Same answers, keying and errors as :func:`score_inventory`.
    """
    keyed = _keyed_answers(inv, answers)
    scored = inv.scored_statements
    return {
        f.id: _mean_score(FacetScore, f.id, [x for s, x in keyed if s.facet == f.id],
                          sum(1 for s in scored if s.facet == f.id))
        for f in inv.facets
    }


def _mean_score(cls, key: str, scores: list[int], n_items: int):
    return cls(key, sum(scores) / len(scores) if scores else None, len(scores), n_items)
