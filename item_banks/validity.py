"""Validity indicators for a personality inventory protocol.

Each indicator is a pure function of the answers (and, for speed, of page times). None of
them changes a score: they are shown to the consultant as flags with an explanation, as
prompts to look closer (e.g. in the interview), never as automatic decisions.

Cut-offs are set by simulation (``item_banks/inventory_sim.py``; rerun with
``python bench/validity.py`` or ``flask --app wsgi banks simulate-inventory``; the figures
are in ``item_banks/INVENTORY.md``, "Validity flags by simulation"). Rule: honest
responders, simulated from a five-factor threshold model with realistic answer noise and
page times, raise **any** flag in at most 5 % of protocols, and purely random responders
in at least 90 %. Each cut-off is the literature's value where the simulation shows that
value already keeps honest false positives near zero (too fast, long string,
acquiescence, infrequency); the inconsistency cut-off, the one that decides whether random
answering is caught, was moved from 1.5 to 1.3. With seed 20261111 and 10,000 protocols
per type: honest responders raise some flag in 1.6 % of protocols (3.6 % under a harsher
honest model), random responders in 91.3 % (INVENTORY.md has the table).
The literature remains the context:

* **Too fast** -- median time per statement below 2.0 s. Huang, Curran, Keeney, Poposki &
  DeShon (2012, *J. Business and Psychology* 27, 99-114) found that fewer than about 2 s
  per item indicates responding without reading. Simulated honest responders (about 4 s
  per statement) fall below it in about 0.5 % of protocols.
* **Long string** -- 10 or more identical answers in a row, in presentation order. Johnson
  (2005, *J. Research in Personality* 39, 103-129) screened long strings of identical
  answers; Curran (2016, *J. Experimental Social Psychology* 66, 4-19) recommends
  conservative cut-offs. The statements are shuffled per candidate, so a run of 10 (a
  whole page) is implausible for attentive answering: simulated honest responders' longest
  run is at most 7 in 99 % of protocols.
* **Inconsistency** -- mean absolute difference of 1.3 scale points or more over the
  near-synonymous statement pairs (at least 6 pairs answered); the psychometric synonyms
  idea of Meade & Craig (2012, *Psychological Methods* 17, 437-455). Uniformly random
  answers give an expected difference of 1.6 (SD about 0.38 over 10 pairs), so the former
  cut-off 1.5 caught only about two thirds of random protocols; 1.3 catches about 82 %
  on its own, while honest responders (pair correlation about .57) reach it in about
  1 % of protocols (2.6 % under the harsher model).
* **Acquiescence** -- mean raw answer (before reverse keying) over all scored statements
  of 4.0 or more (agreeing regardless of content) or 2.0 or less (disagreeing regardless
  of content). With balanced keying an attentive profile averages near the midpoint 3
  (Paulhus 1991, in *Measures of personality and social psychological attitudes*;
  Soto, John, Gosling & Potter 2008, *JPSP* 94, 718-737); simulated honest means stay
  within about 2.5-3.5 (1st to 99th percentile).
* **Infrequency** -- two or more infrequency statements answered on the side almost
  nobody chooses (Maniaci & Rogge 2014, *J. Research in Personality* 48, 61-83).
  A neutral answer (3) counts as neither side. One such answer is common enough among
  honest responders (a slip) that a single one is not flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import Iterable, Mapping, Sequence

TOO_FAST_SECONDS_PER_STATEMENT = 2.0
LONG_STRING_RUN = 10
INCONSISTENCY_MEAN_DIFF = 1.3
INCONSISTENCY_MIN_PAIRS = 6
ACQUIESCENCE_HIGH = 4.0
ACQUIESCENCE_LOW = 2.0
INFREQUENCY_COUNT = 2

#: Order in which flags are reported.
CODES = ("too_fast", "long_string", "inconsistency", "acquiescence", "infrequency")


@dataclass(frozen=True)
class Indicator:
    """One validity indicator: its value, the documented threshold and whether it is raised.

    ``value`` is None when the indicator could not be computed (too little data); such an
    indicator is never raised.
    """

    code: str
    value: float | None
    threshold: float
    raised: bool
    detail: str = ""


def longest_run(values: Sequence[int | None]) -> int:
    """Length of the longest run of identical, non-missing answers in order (0 if none)."""
    best = run = 0
    previous = None
    for value in values:
        if value is not None and value == previous:
            run += 1
        else:
            run = 1 if value is not None else 0
        previous = value
        best = max(best, run)
    return best


def seconds_per_statement(page_times: Iterable[tuple[float, int]]) -> float | None:
    """Median over pages of (seconds spent on the page / statements on it); None if no pages."""
    rates = [seconds / n for seconds, n in page_times if n > 0 and seconds >= 0]
    return float(median(rates)) if rates else None


def pair_inconsistency(answers: Mapping[str, int | None], pairs: Iterable[tuple[str, str]],
                       keyed: Mapping[str, int] | None = None) -> tuple[float | None, int]:
    """Mean absolute difference within answered synonym pairs, and the number of pairs used.

    ``keyed`` (+1/-1 per statement id) aligns pairs written in opposite directions; pairs
    with the same direction need no entry.
    """
    keyed = keyed or {}
    diffs = []
    for first, second in pairs:
        x, y = answers.get(first), answers.get(second)
        if x is None or y is None:
            continue
        if keyed.get(first, 1) != keyed.get(second, 1):
            y = 6 - y
        diffs.append(abs(x - y))
    return (sum(diffs) / len(diffs) if diffs else None), len(diffs)


def mean_raw_answer(answers: Mapping[str, int | None], statement_ids: Iterable[str]) -> float | None:
    values = [answers[s] for s in statement_ids if answers.get(s) is not None]
    return sum(values) / len(values) if values else None


def infrequent_answers(answers: Mapping[str, int | None], expected: Mapping[str, str]) -> int:
    """Number of infrequency statements answered on the unexpected side.

    ``expected`` maps statement id to "agree" or "disagree" (the side almost everyone takes).
    """
    count = 0
    for statement_id, side in expected.items():
        value = answers.get(statement_id)
        if value is None or value == 3:
            continue
        if (side == "disagree" and value >= 4) or (side == "agree" and value <= 2):
            count += 1
    return count


def indicators(
    *,
    answers: Mapping[str, int | None],
    order: Sequence[str],
    scored_ids: Sequence[str],
    pairs: Sequence[tuple[str, str]],
    infrequency: Mapping[str, str],
    page_times: Sequence[tuple[float, int]] = (),
    keyed: Mapping[str, int] | None = None,
) -> list[Indicator]:
    """All validity indicators of one protocol, in ``CODES`` order.

    ``order`` is the presentation order (for long strings); ``scored_ids`` the statements
    that count towards traits (for acquiescence); ``page_times`` (seconds, statements)
    per saved page.
    """
    speed = seconds_per_statement(page_times)
    run = longest_run([answers.get(s) for s in order])
    diff, n_pairs = pair_inconsistency(answers, pairs, keyed)
    if n_pairs < INCONSISTENCY_MIN_PAIRS:
        diff = None
    mean_raw = mean_raw_answer(answers, scored_ids)
    odd = infrequent_answers(answers, infrequency) if infrequency else None
    return [
        Indicator("too_fast", speed, TOO_FAST_SECONDS_PER_STATEMENT,
                  speed is not None and speed < TOO_FAST_SECONDS_PER_STATEMENT),
        Indicator("long_string", float(run), LONG_STRING_RUN, run >= LONG_STRING_RUN),
        Indicator("inconsistency", diff, INCONSISTENCY_MEAN_DIFF,
                  diff is not None and diff >= INCONSISTENCY_MEAN_DIFF, detail=f"{n_pairs} pairs"),
        Indicator("acquiescence", mean_raw, ACQUIESCENCE_HIGH,
                  mean_raw is not None and (mean_raw >= ACQUIESCENCE_HIGH or mean_raw <= ACQUIESCENCE_LOW),
                  detail="high" if mean_raw is not None and mean_raw >= ACQUIESCENCE_HIGH else
                  ("low" if mean_raw is not None and mean_raw <= ACQUIESCENCE_LOW else "")),
        Indicator("infrequency", None if odd is None else float(odd), INFREQUENCY_COUNT,
                  odd is not None and odd >= INFREQUENCY_COUNT),
    ]
