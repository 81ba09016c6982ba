"""What a stored logic-test result says, as the results page and the reports show it.

A complete test is a measurement: the ability estimate with its standard error (SE), the
reliability the test had for this candidate and the percentile with its band. A test cut
off by the time limit is not (``portal.services.scoring``): it has a **timed score**
(the questions the test would still have asked counted as wrong, so running out the
clock never scores higher than answering) and, beside it, the estimate on the answered
questions alone with its own band. The timed score is a rule, not a measurement, so it
is shown without a band of its own.

Results stored before the answered-items estimate existed have no ``complete`` or
``answered`` details: they count as complete unless their stop reason is
``time_limit``, and a timed-out one of them has a timed score but no answered-items
estimate.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


def reliability(se: float | None) -> float | None:
    """The reliability a test had for one candidate, ``1 - SE^2``.

    With ability on a scale with variance 1 in the norm population (the logic scale's
    latent metric), ``1 - SE^2`` is the share of the observed variance that is true
    variance at this SE (e.g. SE 0.32 -> .90). Bounded below by 0 (an SE above 1 says
    the few answers measured nothing beyond the population spread).
    """
    if se is None:
        return None
    return max(0.0, 1.0 - float(se) ** 2)


@dataclass(frozen=True)
class Estimate:
    """An ability estimate with its uncertainty: theta, SE, reliability, percentile and
    its band (percentiles 0-100; band at the result's ``band_level``)."""

    theta: float | None
    se: float | None
    reliability: float | None
    percentile: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class TimedScore:
    """The score of a test cut off by the time limit (no band: it is a rule)."""

    theta: float | None
    percentile: float | None


@dataclass(frozen=True)
class LogicSummary:
    """One logic result as shown to a reader.

    complete: the test ended on one of its own rules (precision, maximum length, bank).
    n_answered: questions answered; max_items: the test's maximum length when it ran
    (None if not stored); n_unreached: questions the test would still have asked
    (incomplete tests). measured: the measurement, i.e. the whole test when complete,
    the answered questions alone when cut off (None for a timed-out result stored before
    that estimate existed, or when no question was answered). timed: the timed score of
    an incomplete test, else None.
    """

    complete: bool
    n_answered: int
    max_items: int | None
    n_unreached: int | None
    stop_reason: str | None
    band_level: float | None
    measured: Estimate | None
    timed: TimedScore | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarise(result) -> LogicSummary:
    """The summary of a stored logic ``Result`` (any version of its ``details``)."""
    details = result.details or {}
    reason = details.get("stop_reason")
    complete = bool(details.get("complete", reason != "time_limit"))
    n_answered = int(result.n_answered if result.n_answered is not None else result.n_items or 0)
    max_items = details.get("max_items")
    if complete:
        measured = Estimate(result.theta, result.se, reliability(result.se), result.percentile,
                            result.percentile_low, result.percentile_high)
        return LogicSummary(True, n_answered, max_items, 0, reason, result.band_level, measured, None)
    answered = details.get("answered")
    measured = None
    if answered and n_answered > 0:
        measured = Estimate(answered.get("theta"), answered.get("se"), reliability(answered.get("se")),
                            answered.get("percentile"), answered.get("percentile_low"),
                            answered.get("percentile_high"))
    return LogicSummary(False, n_answered, max_items, details.get("n_unreached"), reason,
                        result.band_level, measured, TimedScore(result.theta, result.percentile))
