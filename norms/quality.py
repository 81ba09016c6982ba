"""Quality gates for norm building: which protocols may enter a norm sample.

Pure functions on plain records (``Protocol``); no database, no clock. The web application
turns its stored results into ``Protocol`` records (one per finished or unfinished attempt
of one test; ``portal.services.norm_data.protocols``), calls ``apply_gates`` and passes the
sample's ``scores``, ``latent_se`` and ``latent_estimator`` to ``norms.build_norm_table``
with ``GatedSample.record()`` (which gate removed how many, the settings, the N verdict),
which the table stores under ``quality`` and which makes it ``provisional`` below ``min_n``
(``flask norms build``, ``portal/norms_cli.py``).

Gates, applied in this order; each counts the protocols it removes:

1. ``incomplete``: attempts not finished, and logic tests ended by the time limit (their
   timed score is penalised by the incomplete-test policy, docs/technical-manual.md 2.7,
   and would pull the norm down). ``include_timeouts=True`` keeps the latter, as
   ``flask norms build --include-timeouts`` does.
2. ``duplicate``: one protocol per person and test: a candidate who took the test in
   several assignments counts once, with the **first completed** protocol (by
   ``finished_at``; ties by the order given). Later ones are retests, with practice
   effects that raise scores on ability tests (Hausknecht, Halpert, Di Paolo & Moriarty
   Gerrard, 2007). A protocol marked ``duplicate`` (a second protocol of a person whose
   key was removed, e.g. at erasure) is removed here too. De-duplication comes before the response-quality gates, so a person
   whose first protocol is rejected does not enter through a retest.
3. ``rapid_guessing``: protocols in which more than ``max_rapid_share`` (default 0.10) of
   the answers were rapid guesses (answers faster than the item type's NT10 threshold,
   ``item_banks.cat.rapid_guess_flags``; Wise & Ma, 2012). This is motivation filtering by
   response-time effort (Wise & Kong, 2005: RTE, the share of answers with solution
   behaviour; Wise & DeMars, 2005, filter out test takers with RTE < .90): such a score
   reflects effort, not ability.
4. ``validity_flagged``: protocols with any validity flag (the inventory's too-fast,
   long-string, inconsistency, acquiescence and infrequency indicators,
   ``item_banks.validity``). The flags are never decisions about a candidate, but a norm
   is a description of attentive responding.

N. After the gates, every scale needs ``min_n`` scores (default ``norms.MIN_N`` = 200) for
a table that is not provisional; ``GatedSample.provisional`` is True when any scale has
fewer, and ``GatedSample.n`` is the smallest per-scale N (as the built table's ``n``).

References: Hausknecht, J. P., Halpert, J. A., Di Paolo, N. T. & Moriarty Gerrard, M. O.
(2007). Retesting in selection: A meta-analysis of coaching and practice effects for tests
of cognitive ability. *Journal of Applied Psychology, 92*, 373-385. Wise, S. L. & DeMars,
C. E. (2005). Low examinee effort in low-stakes assessment: Problems and potential
solutions. *Educational Assessment, 10*, 1-17. Wise, S. L. & Kong, X. (2005). Response time
effort: A new measure of examinee motivation in computer-based tests. *Applied Measurement
in Education, 18*, 163-183. Wise, S. L. & Ma, L. (2012). Setting response time thresholds
for a CAT item pool: the normative threshold method. Annual meeting of NCME, Vancouver.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .build import MIN_N

#: Gates in the order they are applied (``GatedSample.removed`` keeps this order).
GATES = ("incomplete", "duplicate", "rapid_guessing", "validity_flagged")
#: Largest share of rapid guesses a protocol may have (response-time effort >= 0.90).
MAX_RAPID_SHARE = 0.10


@dataclass(frozen=True)
class Protocol:
    """One attempt at one test, as the norm builder sees it.

    person: a stable key of the person across assignments (e.g. a keyed hash of the
        normalised e-mail address; never shown). test: "logic" or "personality" (gates
        de-duplicate per person and test). finished_at: None if not finished.
    timed_out: a logic test ended by the time limit. scores: scale -> score (theta for
        ``logic.theta``). se / estimator: per latent scale, the SE and "eap"/"wle".
    n_answers / n_rapid: answers given and how many were rapid guesses (logic test).
    validity_flags: names of raised validity flags (inventory).
    ref: the caller's reference to the protocol (e.g. an attempt id), carried through.
    """

    person: str
    test: str
    finished_at: datetime | None
    scores: Mapping[str, float] = field(default_factory=dict)
    se: Mapping[str, float] = field(default_factory=dict)
    estimator: Mapping[str, str] = field(default_factory=dict)
    timed_out: bool = False
    n_answers: int = 0
    n_rapid: int = 0
    validity_flags: tuple[str, ...] = ()
    #: Known to be a second protocol of a person whose key is gone (the web application
    #: marks an erased candidate's attempts so); removed by the duplicate gate.
    duplicate: bool = False
    #: The caller's own reference (e.g. the attempt id); not used by the gates.
    ref: Any = field(default=None, compare=False)

    @property
    def rapid_share(self) -> float:
        return self.n_rapid / self.n_answers if self.n_answers else 0.0


@dataclass(frozen=True)
class GatedSample:
    """The protocols that passed (``kept``), the count each gate removed (in ``GATES``
    order), per-scale scores ready for ``build_norm_table`` and the N verdict."""

    kept: tuple[Protocol, ...]
    removed: dict[str, int]
    scores: dict[str, list[float]]
    latent_se: dict[str, list[float]]
    latent_estimator: dict[str, list[str]]
    n_by_scale: dict[str, int]
    min_n: int
    settings: dict[str, Any]

    @property
    def n(self) -> int:
        """Smallest per-scale N (0 with no scores)."""
        return min(self.n_by_scale.values(), default=0)

    @property
    def provisional(self) -> bool:
        """True when some scale has fewer than ``min_n`` scores (or there are none)."""
        return self.n < self.min_n

    @property
    def persons(self) -> int:
        return len({p.person for p in self.kept})

    def record(self) -> dict[str, Any]:
        """JSON-ready summary to store with the table: gates, their settings and counts."""
        return {"gates": list(GATES), "removed": dict(self.removed), "kept": len(self.kept),
                "persons": self.persons, "n": self.n, "min_n": self.min_n, "provisional": self.provisional,
                "settings": dict(self.settings)}


def apply_gates(protocols: Iterable[Protocol], *, max_rapid_share: float = MAX_RAPID_SHARE,
                include_timeouts: bool = False, exclude_flagged: bool = True, min_n: int = MIN_N) -> GatedSample:
    """Apply the gates of the module docstring, in order, to ``protocols``."""
    if not 0 <= max_rapid_share <= 1:
        raise ValueError("max_rapid_share must be in [0, 1]")
    if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 2:
        raise ValueError("min_n must be an integer >= 2")
    items = list(protocols)
    removed = dict.fromkeys(GATES, 0)

    complete = []
    for p in items:
        if p.finished_at is None or (p.timed_out and not include_timeouts):
            removed["incomplete"] += 1
        else:
            complete.append(p)

    first: dict[tuple[str, str], tuple[datetime, int, Protocol]] = {}
    marked = sum(1 for p in complete if p.duplicate)
    complete = [p for p in complete if not p.duplicate]
    for order, p in enumerate(complete):
        key = (p.person, p.test)
        if key not in first or (p.finished_at, order) < first[key][:2]:
            first[key] = (p.finished_at, order, p)
    removed["duplicate"] = marked + len(complete) - len(first)
    unique = [p for _, _, p in sorted(first.values(), key=lambda t: t[1])]

    kept = []
    for p in unique:
        if p.rapid_share > max_rapid_share:
            removed["rapid_guessing"] += 1
        elif exclude_flagged and p.validity_flags:
            removed["validity_flagged"] += 1
        else:
            kept.append(p)

    scores: dict[str, list[float]] = {}
    latent_se: dict[str, list[float]] = {}
    latent_estimator: dict[str, list[str]] = {}
    for p in kept:
        for scale, value in p.scores.items():
            scores.setdefault(scale, []).append(float(value))
        for scale, se in p.se.items():
            latent_se.setdefault(scale, []).append(float(se))
            latent_estimator.setdefault(scale, []).append(p.estimator.get(scale, "eap"))
    return GatedSample(
        kept=tuple(kept), removed=removed, scores=scores, latent_se=latent_se, latent_estimator=latent_estimator,
        n_by_scale={s: len(v) for s, v in scores.items()}, min_n=min_n,
        settings={"max_rapid_share": max_rapid_share, "include_timeouts": include_timeouts,
                  "exclude_flagged": exclude_flagged},
    )


__all__ = ["GATES", "MAX_RAPID_SHARE", "GatedSample", "Protocol", "apply_gates"]
